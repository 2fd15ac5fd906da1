/**
 * Lab measurement for docs/distributed-bfs.md: the traffic a hash-partitioned distributed
 * BFS would need on the GFS model. For each configuration: a plain BFS (one process, no
 * symmetry) that records, per distinct state, its encoded size (the spec's `encode`, in
 * 32-bit words) and its successors (generated, before deduplication), and how many of
 * those successors a K-way partition by fingerprint would send to another owner.
 * For a configuration too large to exhaust, `--sample RUNS` measures the same over the
 * distinct states of random walks (a biased sample: walks favour shallow states).
 *
 *   npx tsx specs/bfs-traffic.ts lease lease-grants2 --set ... --sample 2000
 */
import { Fingerprinter } from '../checker/core/hash.js';
import { FingerprintSet } from '../checker/core/fpset.js';
import type { AnySpec } from '../checker/cli/catalog.js';
import { planCheck } from '../checker/cli/plan.js';
import { catalog } from './catalog.js';

const args = process.argv.slice(2);
const sets: string[] = [];
let sample = 0;
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--set') sets.push(args[++i]!);
  else if (args[i] === '--sample') sample = Number(args[++i]);
  else names.push(args[i]!);
}

/** Words of one state's encoding. */
function words(spec: AnySpec, s: unknown): number {
  let n = 0;
  spec.encode!(s, { int: () => void n++, ints: (w) => void (n += w.length) });
  return n;
}

interface Tally {
  states: number;
  words: number;
  maxWords: number;
  successors: number;
  remote: number;
}

function owner(hi: number, lo: number, k: number): number {
  return (((hi >>> 0) ^ Math.imul(lo, 0x9e3779b1)) >>> 0) % k;
}

function bfs(spec: AnySpec, k: number): Tally {
  const fp = new Fingerprinter();
  const seen = new FingerprintSet();
  const t: Tally = { states: 0, words: 0, maxWords: 0, successors: 0, remote: 0 };
  let level: unknown[] = [];
  for (const s of spec.initStates()) {
    fp.state(spec, s);
    if (seen.put(fp.hi, fp.lo, -1, 0) >= 0) level.push(s);
  }
  while (level.length > 0) {
    const next: unknown[] = [];
    for (const s of level) {
      fp.state(spec, s);
      const mine = owner(fp.hi, fp.lo, k);
      const w = words(spec, s);
      t.states++;
      t.words += w;
      t.maxWords = Math.max(t.maxWords, w);
      for (const a of spec.actions(s)) {
        const u = spec.next(s, a);
        t.successors++;
        fp.state(spec, u);
        if (owner(fp.hi, fp.lo, k) !== mine) t.remote++;
        if (seen.put(fp.hi, fp.lo, 0, 0) >= 0) next.push(u);
      }
    }
    level = next;
  }
  return t;
}

function walks(spec: AnySpec, runs: number, depth: number, k: number): Tally {
  const fp = new Fingerprinter();
  const seen = new FingerprintSet();
  const t: Tally = { states: 0, words: 0, maxWords: 0, successors: 0, remote: 0 };
  let x = 12345;
  const rnd = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  for (let r = 0; r < runs; r++) {
    let s = spec.initStates()[0];
    for (let d = 0; d < depth; d++) {
      fp.state(spec, s);
      const acts = spec.actions(s);
      if (seen.put(fp.hi, fp.lo, 0, 0) >= 0) {
        const mine = owner(fp.hi, fp.lo, k);
        const w = words(spec, s);
        t.states++;
        t.words += w;
        t.maxWords = Math.max(t.maxWords, w);
        for (const a of acts) {
          const u = spec.next(s, a);
          t.successors++;
          fp.state(spec, u);
          if (owner(fp.hi, fp.lo, k) !== mine) t.remote++;
        }
      }
      if (acts.length === 0) break;
      s = spec.next(s, acts[rnd(acts.length)]!);
    }
  }
  return t;
}

const K = 8;
for (const name of names) {
  const entry = catalog.checks.find((s) => s.name === name)!;
  const planned = planCheck(entry, { set: sets, mutant: undefined, invariants: [] }, catalog.module);
  const t0 = performance.now();
  const t = sample > 0 ? walks(planned.spec, sample, 150, K) : bfs(planned.spec, K);
  const w = t.words / t.states;
  const succ = t.successors / t.states;
  console.log(
    JSON.stringify({
      spec: name,
      sets,
      mode: sample > 0 ? `sample of ${sample} walks` : 'exhaustive BFS',
      distinctStates: t.states,
      wordsPerState: +w.toFixed(2),
      bytesPerState: +(4 * w).toFixed(1),
      maxWords: t.maxWords,
      successorsPerState: +succ.toFixed(2),
      remoteFraction: +(t.remote / t.successors).toFixed(3),
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
    }),
  );
}
