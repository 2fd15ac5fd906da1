/**
 * The benchmark harness: runs each case several times, each in a fresh child process
 * (so that peak RSS and JIT state belong to that run alone), and reports medians: distinct
 * and generated states per second, peak RSS, and visited-set bytes per distinct state.
 * `--save FILE` writes the medians as JSON; `--compare FILE` prints ratios against such a
 * file. The machines are shared and noisy: read medians and ratios, not single runs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { check } from '../core/explore.js';
import { checkParallel, type SpecRef } from '../core/parallel.js';
import type { AnySpec } from '../cli/catalog.js';

/** One benchmark: a name and a spec to explore completely. */
export interface BenchCase {
  readonly name: string;
  /** The spec, built in the measuring process. */
  readonly spec: () => AnySpec;
  /** How worker threads build the same spec (for runs with several workers). */
  readonly ref: SpecRef;
  /** Symmetry reduction on (default off: raw throughput). */
  readonly symmetry?: boolean;
  /** Run only when asked for (`--only NAME` or `--all`). */
  readonly extra?: boolean;
}

/** One run's measurements. */
export interface BenchSample {
  readonly distinct: number;
  readonly generated: number;
  readonly seconds: number;
  readonly distinctPerSecond: number;
  readonly generatedPerSecond: number;
  readonly peakRssMB: number;
  readonly visitedBytesPerState: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs one case in this process and returns its sample (the child's side). */
export async function runOnce(c: BenchCase, workers: number): Promise<BenchSample> {
  const options = { symmetry: c.symmetry ?? false };
  const r = workers > 1 ? await checkParallel(c.ref, c.spec(), workers, options) : check(c.spec(), options);
  if (r.kind !== 'ok') throw new Error(`bench case ${c.name} ended ${r.kind}`);
  const s = r.stats;
  return {
    distinct: s.distinctStates,
    generated: s.generatedStates,
    seconds: s.seconds,
    distinctPerSecond: s.distinctStates / s.seconds,
    generatedPerSecond: s.generatedStates / s.seconds,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    visitedBytesPerState: s.visitedBytes / s.distinctStates,
  };
}

/**
 * The bench command: `[--runs N] [--workers 1,2] [--only NAME | --all] [--save FILE]
 * [--compare FILE]`, or `--child NAME --workers W` (internal: run one case, print its sample).
 */
export async function benchMain(cases: readonly BenchCase[], script: string, argv: readonly string[]): Promise<number> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const child = arg('--child');
  if (child !== undefined) {
    const c = cases.find((x) => x.name === child);
    if (!c) throw new Error(`unknown bench case ${child}`);
    process.stdout.write(JSON.stringify(await runOnce(c, Number(arg('--workers') ?? 1))) + '\n');
    return 0;
  }
  const runs = Number(arg('--runs') ?? 3);
  const only = arg('--only');
  const workerCounts = (arg('--workers') ?? '1,2').split(',').map(Number);
  const selected = only ? cases.filter((c) => c.name === only) : argv.includes('--all') ? cases : cases.filter((c) => !c.extra);
  if (selected.length === 0) {
    process.stderr.write(`bench: unknown case '${only}'; cases: ${cases.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  const baseline = arg('--compare') ? (JSON.parse(readFileSync(arg('--compare')!, 'utf8')) as Record<string, BenchSample>) : undefined;
  const results: Record<string, BenchSample> = {};
  const header = 'case'.padEnd(22) + 'workers'.padStart(8) + 'distinct'.padStart(11) + '  distinct/s  generated/s  peak RSS MB  visited B/state  seconds' + (baseline ? '  vs baseline (distinct/s)' : '');
  process.stdout.write(`${header}\n`);
  for (const c of selected) for (const workers of workerCounts) {
    const samples: BenchSample[] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, [script, '--child', c.name, '--workers', String(workers)], { encoding: 'utf8' });
      if (r.status !== 0) {
        process.stderr.write(r.stderr);
        return 3;
      }
      samples.push(JSON.parse(r.stdout) as BenchSample);
    }
    const med = (k: keyof BenchSample): number => median(samples.map((s) => s[k]));
    const m: BenchSample = {
      distinct: med('distinct'),
      generated: med('generated'),
      seconds: med('seconds'),
      distinctPerSecond: med('distinctPerSecond'),
      generatedPerSecond: med('generatedPerSecond'),
      peakRssMB: med('peakRssMB'),
      visitedBytesPerState: med('visitedBytesPerState'),
    };
    const key = `${c.name}/${workers}`;
    results[key] = m;
    const b = baseline?.[key];
    process.stdout.write(
      c.name.padEnd(22) +
        String(workers).padStart(8) +
        m.distinct.toLocaleString('en-US').padStart(11) +
        Math.round(m.distinctPerSecond).toLocaleString('en-US').padStart(12) +
        Math.round(m.generatedPerSecond).toLocaleString('en-US').padStart(13) +
        m.peakRssMB.toFixed(0).padStart(13) +
        m.visitedBytesPerState.toFixed(1).padStart(17) +
        m.seconds.toFixed(2).padStart(9) +
        (b ? `  ${(m.distinctPerSecond / b.distinctPerSecond).toFixed(2)}x` : '') +
        '\n',
    );
  }
  process.stdout.write(`(medians of ${runs} runs, each in a fresh process)\n`);
  const save = arg('--save');
  if (save) writeFileSync(save, JSON.stringify(results, null, 2) + '\n');
  return 0;
}
