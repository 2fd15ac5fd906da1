/**
 * `npm run fuzz:power`: the fuzz-power table of the mutant campaigns, seeds 1..20 each,
 * within each campaign's own budget. Everything but the seconds is deterministic, so the
 * finds, median steps to the first find and median shrunk lengths are pinned in
 * `specs/fuzz-power.json`: the run fails (exit 1) when they differ from the pinned ones, or
 * when a campaign finds its bug with fewer than 19 of the 20 seeds. `--update` rewrites
 * the pinned file from the run; `--json` prints one JSON object per seed, then the rows;
 * naming campaigns (or `--seeds K`) runs only those (or K seeds), and `--set NAME=VALUE`
 * (repeatable), `--runs N` or `--strategies a,b` another configuration, budget or strategy
 * mix (`--strategies uniform`: plain random walks): compared with nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STRATEGIES, type Strategy } from '../checker/fuzz/fuzz.js';
import { fuzzPower, renderPower } from '../checker/cli/power.js';
import { catalog } from './catalog.js';

// Beside this file in the sources; two levels up from its compiled copy in dist/specs/.
const PINNED = fileURLToPath(new URL(import.meta.url.includes('/dist/specs/') ? '../../specs/fuzz-power.json' : './fuzz-power.json', import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const update = args.includes('--update');
let seeds = 20;
let runs: number | undefined;
const sets: string[] = [];
let strategies: Strategy[] | undefined;
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--seeds' || a === '--runs') {
    const v = Number(args[++i]);
    if (!Number.isInteger(v) || v < 1) {
      process.stderr.write(`${a} must be a positive integer (got ${args[i]}).\n`);
      process.exit(2);
    }
    if (a === '--seeds') seeds = v;
    else runs = v;
  } else if (a === '--set') sets.push(args[++i] ?? '');
  else if (a === '--strategies') {
    strategies = (args[++i] ?? '').split(',') as Strategy[];
    const bad = strategies.filter((x) => !(STRATEGIES as readonly string[]).includes(x));
    if (bad.length > 0 || strategies.length === 0) {
      process.stderr.write(`--strategies takes a comma-separated list of ${STRATEGIES.join(', ')} (got '${args[i] ?? ''}').\n`);
      process.exit(2);
    }
  }
  else if (!a.startsWith('--')) names.push(a);
}
const rows = fuzzPower(catalog, names.length > 0 ? names : null, seeds, (s) => {
  if (json) process.stdout.write(JSON.stringify(s) + '\n');
  else process.stderr.write(`${s.campaign} seed ${s.seed}: ${s.found ? `found (${s.strategy}, ${s.stepsToFind} steps, ${s.secondsToFind!.toFixed(3)} s, ${s.traceLength} states)` : 'not found'}\n`);
}, { set: sets, ...(runs !== undefined ? { runs } : {}), ...(strategies ? { strategies } : {}) });
if (json) for (const r of rows) process.stdout.write(JSON.stringify({ ...r, samples: undefined }) + '\n');
else process.stdout.write(renderPower(rows));
let ok = true;
const need = Math.ceil((19 / 20) * seeds);
for (const r of rows) {
  if (r.found < need) {
    ok = false;
    process.stdout.write(`${r.campaign}: ${r.found}/${r.seeds} seeds find the bug, fewer than ${need}.\n`);
  }
}
const pinnedRows = rows.map((r) => ({ campaign: r.campaign, found: r.found, seeds: r.seeds, medianSteps: r.medianSteps, medianLength: r.medianLength, bfsLength: r.bfsLength }));
if (names.length === 0 && seeds === 20 && sets.length === 0 && runs === undefined && strategies === undefined) {
  if (update) {
    writeFileSync(PINNED, JSON.stringify(pinnedRows, null, 2) + '\n');
    process.stdout.write(`pinned values written to ${PINNED}.\n`);
  } else {
    const pinned = JSON.parse(readFileSync(PINNED, 'utf8')) as typeof pinnedRows;
    if (JSON.stringify(pinned) !== JSON.stringify(pinnedRows)) {
      ok = false;
      process.stdout.write(`the run differs from ${PINNED} (finds, median steps or median lengths): a change to the fuzzer or the model changed its power; check it, then pin it with --update.\n`);
    } else process.stdout.write(`finds, median steps and median lengths equal the pinned ones (${PINNED}).\n`);
  }
}
process.exit(ok ? 0 : 1);
