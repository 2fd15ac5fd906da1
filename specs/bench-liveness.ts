/**
 * The liveness pass against the safety-only run, measured back to back (issue #17):
 * `gfs-maxgrants2` (N=2 C=1 W=1 MaxGrants=2, symmetry off), `Termination` under
 * `FairAll /\ Timeouts` (it holds, so the run is the verdict pass alone), each run in a
 * fresh process, interleaved (safety, liveness, safety, ...), medians of `--runs N`
 * (default 3). Prints seconds, peak RSS and the pass's own bytes per state.
 *
 * `npm run -s build && nice -n 10 node dist/specs/bench-liveness.js --runs 3`
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { check } from '../checker/core/explore.js';
import { checkLiveness } from '../checker/core/liveness.js';
import { gfsSpec } from '../model/spec.js';
import { BASE_CONSTANTS } from '../model/state.js';

const CONFIG = { ...BASE_CONSTANTS, MaxGrants: 2, mutants: [] };

function child(mode: string, property: string, fairness: string[]): void {
  const spec = gfsSpec(CONFIG);
  const t0 = Date.now();
  if (mode === 'safety') {
    const r = check(spec, { symmetry: false });
    const s = { mode, kind: r.kind, distinct: r.stats.distinctStates, seconds: (Date.now() - t0) / 1000, rssMB: process.resourceUsage().maxRSS / 1024, bytesPerState: r.stats.visitedBytes / r.stats.distinctStates };
    process.stdout.write(JSON.stringify(s) + '\n');
  } else {
    const r = checkLiveness(spec, { property, fairness, symmetry: false });
    const s = { mode, kind: r.kind, distinct: r.stats.distinctStates, seconds: (Date.now() - t0) / 1000, rssMB: process.resourceUsage().maxRSS / 1024, bytesPerState: r.liveness.peakBytes / r.stats.distinctStates, edges: r.liveness.edges };
    process.stdout.write(JSON.stringify(s) + '\n');
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
if (args[0] === '--child') {
  child(args[1]!, args[2]!, args[3]!.split(','));
} else {
  const runs = Number(opt('runs', '3'));
  const property = opt('property', 'Termination');
  const fairness = opt('fairness', 'FairAll,Timeouts');
  const self = fileURLToPath(import.meta.url);
  const samples: Record<string, { seconds: number; rssMB: number; bytesPerState: number }[]> = { safety: [], liveness: [] };
  for (let i = 0; i < runs; i++) {
    for (const mode of ['safety', 'liveness']) {
      const r = spawnSync(process.execPath, [self, '--child', mode, property, fairness], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      const s = JSON.parse(r.stdout) as { seconds: number; rssMB: number; bytesPerState: number };
      process.stderr.write(`${mode} run ${i + 1}: ${r.stdout}`);
      samples[mode]!.push(s);
    }
  }
  const ratios = samples.liveness!.map((l, i) => l.seconds / samples.safety![i]!.seconds);
  for (const mode of ['safety', 'liveness']) {
    const xs = samples[mode]!;
    console.log(`${mode.padEnd(9)} seconds ${median(xs.map((x) => x.seconds)).toFixed(2)}  peak RSS MiB ${median(xs.map((x) => x.rssMB)).toFixed(0)}  bytes/state ${median(xs.map((x) => x.bytesPerState)).toFixed(1)}`);
  }
  console.log(`liveness/safety time, median of per-round ratios: ${median(ratios).toFixed(2)}x (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
}
