/**
 * `merge FILES...`: combines swarm shard files (see `swarm.ts`) into one verdict:
 * the shortest violation any shard found, the union of their coverage (steps per action),
 * and an estimate of the distinct states they covered together, from the union of their
 * HyperLogLog sketches, with its standard error. Shards see overlapping states, so the sum
 * of their exact counts would overstate the coverage.
 */
import { UsageError } from './errors.js';
import { HyperLogLog } from '../fuzz/hll.js';
import type { ShardResult, ShardViolation } from './swarm.js';

/** The merged verdict of a swarm. */
export interface MergedResult {
  readonly format: 'leasecheck-fuzz-merge';
  readonly version: 1;
  readonly campaign: string;
  readonly model: string;
  readonly constants: ShardResult['constants'];
  readonly mutant: string | null;
  readonly expected: string;
  /** Shards expected (K), those present by index, those missing. */
  readonly shards: { readonly count: number; readonly present: readonly number[]; readonly missing: readonly number[] };
  readonly seeds: readonly number[];
  readonly result: 'ok' | 'violation';
  /** Whether the swarm met the expectation: for `holds`, every shard present and none violated. */
  readonly met: boolean;
  /** The shortest violation (ties: the lowest shard), with the shard that found it. */
  readonly violation: (ShardViolation & { readonly shard: number }) | null;
  /** How many shards found a violation. */
  readonly shardsViolated: number;
  readonly behaviours: number;
  readonly steps: number;
  readonly actionCounts: Readonly<Record<string, number>>;
  readonly neverTaken: readonly string[];
  readonly distinctStates: {
    /** The HyperLogLog estimate of the union. */
    readonly estimate: number;
    /** One standard error of the estimate, in states. */
    readonly standardError: number;
    readonly relativeError: number;
    /** The largest exact count of one shard: a lower bound of the union. */
    readonly largestShard: number;
    /** The sum of the shards' exact counts: an upper bound of the union. */
    readonly sumOfShards: number;
  };
  /** Wall-clock seconds: the slowest shard (the swarm's time when they run at once) and the sum. */
  readonly seconds: { readonly slowestShard: number; readonly total: number };
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Parses one shard file's text; a problem is a {@link UsageError} naming the file (`tool`: the program's name). */
export function parseShardFile(text: string, path: string, tool: string): ShardResult {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON (${(e as Error).message}); merge reads the files that '${tool} fuzz NAME --shard i/K --out FILE' writes.`);
  }
  const bad = (what: string): never => {
    throw new UsageError(`${path} is not a ${tool} shard file: ${what}; merge reads the files that '${tool} fuzz NAME --shard i/K --out FILE' writes.`);
  };
  if (!isObj(o)) return bad('expected a JSON object');
  if (o.format !== 'leasecheck-fuzz-shard') bad(`"format" must be "leasecheck-fuzz-shard" (got ${JSON.stringify(o.format)})`);
  if (o.version !== 1) bad(`"version" must be 1 (got ${JSON.stringify(o.version)})`);
  const shard = o.shard;
  if (!isObj(shard) || !Number.isInteger(shard.index) || !Number.isInteger(shard.count)) bad('"shard" must be {"index", "count"}');
  for (const k of ['campaign', 'model', 'expected'] as const) if (typeof o[k] !== 'string') bad(`"${k}" must be a string`);
  for (const k of ['steps', 'behaviours', 'distinctStates', 'seconds', 'seed'] as const) if (typeof o[k] !== 'number') bad(`"${k}" must be a number`);
  if (!isObj(o.actionCounts)) bad('"actionCounts" must be an object');
  if (!isObj(o.sketch) || typeof o.sketch.registers !== 'string' || HyperLogLog.fromBase64(o.sketch.registers) === null) bad('"sketch" must hold base64 HyperLogLog registers');
  if (!Array.isArray(o.violations)) bad('"violations" must be an array');
  return o as unknown as ShardResult;
}

/** Merges shard results of one campaign; shards of different runs are a {@link UsageError}. */
export function mergeShards(shards: readonly ShardResult[], names: readonly string[] = shards.map((_, i) => `file ${i + 1}`)): MergedResult {
  if (shards.length === 0) throw new UsageError('merge needs at least one shard file.');
  const first = shards[0]!;
  const same = (r: ShardResult): string => JSON.stringify([r.campaign, r.model, r.constants, r.mutant, r.invariants ?? null, r.expected, r.shard.count, r.runs, r.depth]);
  const key = same(first);
  const byIndex = new Map<number, number>();
  shards.forEach((r, i) => {
    if (same(r) !== key) {
      throw new UsageError(
        `${names[i]} is a shard of another run than ${names[0]} (campaign, configuration, shard count and budget must agree: ${r.campaign} ${r.shard.index}/${r.shard.count} against ${first.campaign} ${first.shard.index}/${first.shard.count}).`,
      );
    }
    if (byIndex.has(r.shard.index)) throw new UsageError(`${names[i]} and ${names[byIndex.get(r.shard.index)!]} are both shard ${r.shard.index}/${r.shard.count}.`);
    byIndex.set(r.shard.index, i);
  });
  const ordered = [...shards].sort((a, b) => a.shard.index - b.shard.index);
  const present = ordered.map((r) => r.shard.index);
  const missing = Array.from({ length: first.shard.count }, (_, i) => i).filter((i) => !byIndex.has(i));
  const sketch = new HyperLogLog(first.sketch.p);
  const counts = new Map<string, number>();
  let violation: MergedResult['violation'] = null;
  let shardsViolated = 0;
  for (const r of ordered) {
    sketch.merge(HyperLogLog.fromBase64(r.sketch.registers)!);
    for (const [k, v] of Object.entries(r.actionCounts)) counts.set(k, (counts.get(k) ?? 0) + v);
    if (r.violations.length > 0) shardsViolated++;
    for (const v of r.violations) {
      if (violation === null || v.traceLength < violation.traceLength) violation = { ...v, shard: r.shard.index };
    }
  }
  const estimate = sketch.estimate();
  const expectedInv = first.expected.startsWith('violates ') ? first.expected.slice('violates '.length) : null;
  // A violating campaign is met when some shard found its invariant and no shard found
  // another; a holding one when every shard ran and none found anything.
  const found = ordered.flatMap((r) => r.violations.map((v) => v.invariant));
  const met = expectedInv === null ? found.length === 0 && missing.length === 0 : found.length > 0 && found.every((i) => i === expectedInv);
  return {
    format: 'leasecheck-fuzz-merge',
    version: 1,
    campaign: first.campaign,
    model: first.model,
    constants: first.constants,
    mutant: first.mutant,
    expected: first.expected,
    shards: { count: first.shard.count, present, missing },
    seeds: ordered.map((r) => r.seed),
    result: violation === null ? 'ok' : 'violation',
    met,
    violation,
    shardsViolated,
    behaviours: ordered.reduce((t, r) => t + r.behaviours, 0),
    steps: ordered.reduce((t, r) => t + r.steps, 0),
    actionCounts: Object.fromEntries(counts),
    neverTaken: [...counts].filter(([, v]) => v === 0).map(([k]) => k),
    distinctStates: {
      estimate,
      standardError: Math.round(estimate * sketch.relativeError),
      relativeError: sketch.relativeError,
      largestShard: Math.max(...ordered.map((r) => r.distinctStates)),
      sumOfShards: ordered.reduce((t, r) => t + r.distinctStates, 0),
    },
    seconds: { slowestShard: Math.max(...ordered.map((r) => r.seconds)), total: ordered.reduce((t, r) => t + r.seconds, 0) },
  };
}

/** The merged verdict as a few lines of text. */
export function renderMerged(m: MergedResult): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines = [
    `${m.campaign}: ${m.shards.present.length} of ${m.shards.count} shards (seeds ${m.seeds.join(', ')}), ${n(m.behaviours)} behaviours, ${n(m.steps)} steps; ${m.seconds.slowestShard.toFixed(1)} s the slowest shard, ${m.seconds.total.toFixed(1)} s in all`,
  ];
  if (m.shards.missing.length > 0) lines.push(`missing shards: ${m.shards.missing.join(', ')}`);
  const v = m.violation;
  lines.push(
    v
      ? `violates ${v.invariant}: shortest counterexample ${v.traceLength} states (shard ${v.shard}, seed ${v.seed}, strategy ${v.strategy}; first failing behaviour ${v.originalLength} states, found after ${n(v.stepsToFind ?? 0)} steps); ${m.shardsViolated} of ${m.shards.present.length} shards found a violation`
      : 'no violation in any shard',
  );
  const d = m.distinctStates;
  lines.push(`distinct states: about ${n(d.estimate)} ± ${n(d.standardError)} (HyperLogLog union, ${(d.relativeError * 100).toFixed(1)}% standard error; one shard alone at most ${n(d.largestShard)}, the shards' sum ${n(d.sumOfShards)})`);
  if (m.neverTaken.length > 0) lines.push(`actions never taken: ${m.neverTaken.join(', ')}`);
  lines.push(`expected ${m.expected}: ${m.met ? 'met' : 'NOT met'}`);
  if (v) lines.push(`reproduce: ${v.reproduce}`);
  return lines.join('\n') + '\n';
}
