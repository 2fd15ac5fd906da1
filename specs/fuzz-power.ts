/**
 * `npm run fuzz:power`: the fuzz-power table of the mutant campaigns, seeds 1..20 each
 * (`-- --seeds K` for another count, campaign names to pick some). `--json` prints one
 * JSON object per seed, then the rows. Exit 1 when a campaign finds its bug with fewer
 * than 19 of 20 seeds (the same fraction for another count, rounded up).
 */
import { fuzzPower, renderPower } from '../checker/fuzz/power.js';
import { catalog } from './catalog.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const k = args.indexOf('--seeds');
const seeds = k >= 0 ? Number(args[k + 1]) : 20;
if (!Number.isInteger(seeds) || seeds < 1) {
  process.stderr.write(`--seeds must be a positive integer (got ${args[k + 1]}).\n`);
  process.exit(2);
}
const names = args.filter((a, i) => !a.startsWith('--') && !(k >= 0 && i === k + 1));
const rows = fuzzPower(catalog, names.length > 0 ? names : null, seeds, (s) => {
  if (json) process.stdout.write(JSON.stringify(s) + '\n');
  else process.stderr.write(`${s.campaign} seed ${s.seed}: ${s.found ? `found (${s.strategy}, ${s.stepsToFind} steps, ${s.secondsToFind!.toFixed(2)} s, ${s.traceLength} states)` : 'not found'}\n`);
});
if (json) for (const r of rows) process.stdout.write(JSON.stringify({ ...r, samples: undefined }) + '\n');
else process.stdout.write(renderPower(rows));
const need = Math.ceil((19 / 20) * seeds);
process.exit(rows.every((r) => r.found >= need) ? 0 : 1);
