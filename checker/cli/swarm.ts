/**
 * Swarm fuzzing across machines: `leasecheck fuzz NAME --shard i/K` runs shard `i` of `K`
 * of a campaign and writes one JSON result (the shard file); `leasecheck merge` combines
 * shard files into one verdict (see `merge.ts`). Shards share nothing while they run, so
 * any job runner that can start K copies of a command and collect K files can run a swarm
 * (a GitHub Actions matrix, a Kubernetes Indexed Job).
 *
 * Shard `i` has its own seed, `seed + i`, and its own strategy mix: the campaign's
 * strategies with one of them (the `i`-th, cyclically) drawn twice as often, so that K
 * shards lean on different strategies (swarm verification's diversity, as in SPIN's swarm).
 * A single shard (`0/1`) is the plain campaign.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Catalog } from './catalog.js';
import type { Io } from './command.js';
import type { Overrides } from './plan.js';
import { UsageError } from './errors.js';
import { toTraceFile, type TraceFile } from '../report/tracefile.js';
import { VERSION } from '../version.js';
import { meets, planCampaign, type CampaignOverrides } from './campaign.js';
import { fuzz, STRATEGIES, type Strategy } from '../fuzz/fuzz.js';
import { HyperLogLog } from '../fuzz/hll.js';

/** A violation a shard found, with its shrunk trace in the trace-file format. */
export interface ShardViolation {
  readonly invariant: string;
  readonly traceLength: number;
  readonly originalLength: number;
  readonly seed: number;
  readonly path: string;
  readonly strategy: Strategy | null;
  readonly runsToFind: number | null;
  readonly stepsToFind: number | null;
  readonly secondsToFind: number | null;
  /** The command that runs this shard's failing behaviour again. */
  readonly reproduce: string;
  readonly trace: TraceFile;
}

/** The shard file: what one shard writes and `merge` reads. */
export interface ShardResult {
  readonly format: 'leasecheck-fuzz-shard';
  readonly version: 1;
  readonly tool: { readonly name: string; readonly version: string };
  readonly campaign: string;
  readonly model: string;
  readonly constants: Readonly<Record<string, number | boolean>>;
  readonly mutant: string | null;
  readonly invariants: readonly string[] | null;
  /** `holds`, or `violates INV`. */
  readonly expected: string;
  readonly shard: { readonly index: number; readonly count: number };
  readonly seed: number;
  readonly strategies: readonly Strategy[];
  readonly runs: number;
  readonly depth: number;
  /** Whether this shard alone meets the expectation (the merge decides for the swarm). */
  readonly met: boolean;
  /** Behaviours generated. */
  readonly behaviours: number;
  readonly steps: number;
  /** Distinct states this shard visited (exact, by fingerprint). */
  readonly distinctStates: number;
  readonly actionCounts: Readonly<Record<string, number>>;
  /** The HyperLogLog sketch of the fingerprints visited: precision and base64 registers. */
  readonly sketch: { readonly p: number; readonly registers: string };
  readonly seconds: number;
  /** At most one: a campaign stops at its first violation (and shrinks it). */
  readonly violations: readonly ShardViolation[];
}

/** A shard's budget and identity. */
export interface ShardOptions extends CampaignOverrides {
  readonly index: number;
  readonly count: number;
  readonly runs?: number;
  readonly depth?: number;
  readonly seed?: number;
  /** Stop generating after this many seconds (the result then depends on the machine). */
  readonly timeLimit?: number;
  /** fast-check's path: replays the shard's failing behaviour (its `reproduce` command). */
  readonly path?: string;
}

/** Parses `i/K` (0 <= i < K); anything else is a {@link UsageError}. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count || count > 10_000) {
    throw new UsageError(`--shard takes i/K, shard i of K counted from 0, with 1 <= K <= 10000 and 0 <= i < K (got '${text}'); e.g. --shard 0/4 ... --shard 3/4.`);
  }
  return { index, count };
}

/** Shard `index` of `count`'s strategy mix: every strategy, one of them twice (none when count is 1). */
export function shardStrategies(index: number, count: number): Strategy[] {
  return count === 1 ? [...STRATEGIES] : [STRATEGIES[index % STRATEGIES.length]!, ...STRATEGIES];
}

/** Runs one shard of a campaign; `tool` is the program's name. Throws a {@link UsageError} for a bad option. */
export function runShard(catalog: Catalog, tool: string, name: string, o: ShardOptions): ShardResult {
  const c = planCampaign(catalog, name, o);
  const runs = o.runs ?? c.campaign.runs;
  const depth = o.depth ?? c.campaign.depth;
  const base = o.seed ?? c.campaign.seed;
  for (const [flag, v] of [['runs', runs], ['depth', depth]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`--${flag} must be a positive integer (got ${v}).`);
  }
  if (!Number.isInteger(base)) throw new UsageError(`--seed must be an integer (got ${base}).`);
  if (o.timeLimit !== undefined && !(o.timeLimit > 0)) throw new UsageError(`--time-limit must be a positive number of seconds (got ${o.timeLimit}).`);
  const seed = base + o.index;
  const strategies = shardStrategies(o.index, o.count);
  const sketch = new HyperLogLog();
  const r = fuzz(c.spec, {
    runs,
    depth,
    seed,
    strategies,
    sketch,
    ...(c.invariants ? { invariants: c.invariants } : {}),
    ...(o.timeLimit !== undefined ? { timeLimitMs: o.timeLimit * 1000 } : {}),
    ...(o.path !== undefined ? { path: o.path } : {}),
  });
  const expected = c.expect.kind === 'violates' ? `violates ${c.expect.invariant}` : c.expect.kind;
  const extra = `${(o.set ?? []).map((x) => ` --set ${x}`).join('')}${o.mutant ? ` --mutant ${o.mutant}` : ''}${(o.invariants ?? []).map((x) => ` --invariant ${x}`).join('')}`;
  const violations: ShardViolation[] = [];
  if (r.result === 'violation' && r.trace) {
    violations.push({
      invariant: r.invariant!,
      traceLength: r.traceLength!,
      originalLength: r.originalLength!,
      seed,
      path: r.path!,
      strategy: r.strategy,
      runsToFind: r.runsToFind,
      stepsToFind: r.stepsToFind,
      secondsToFind: r.secondsToFind,
      reproduce: `${tool} fuzz ${name} --shard ${o.index}/${o.count} --seed ${base} --runs ${runs} --depth ${depth} --path ${r.path}${extra}`,
      trace: toTraceFile(
        c.spec,
        { spec: name, model: c.model, constants: c.constants, mutant: c.mutant, symmetry: false, invariant: r.invariant, kind: 'invariant', result: 'violation' },
        r.trace,
      ),
    });
  }
  return {
    format: 'leasecheck-fuzz-shard',
    version: 1,
    tool: { name: tool, version: VERSION },
    campaign: name,
    model: c.model,
    constants: c.constants,
    mutant: c.mutant,
    invariants: c.invariants,
    expected,
    shard: { index: o.index, count: o.count },
    seed,
    strategies,
    runs,
    depth,
    met: meets(c.expect, r),
    behaviours: r.runs,
    steps: r.steps,
    distinctStates: r.distinctStates,
    actionCounts: r.actionCounts,
    sketch: { p: sketch.p, registers: sketch.toBase64() },
    seconds: r.seconds,
    violations,
  };
}

/** A `fuzz NAME --shard i/K` request: the campaign's name, the shard, the overrides and the budget. */
export interface ShardRequest {
  readonly names: readonly string[];
  readonly shard: string;
  readonly overrides: Overrides;
  readonly runs: number | undefined;
  readonly depth: number | undefined;
  readonly seed: number | undefined;
  readonly path: string | undefined;
  readonly timeLimit: number | undefined;
}

/** A `fuzz NAME --shard i/K` request checked: the campaign's name and the shard's options for {@link runShard}. */
export function planShard(catalog: Catalog, a: ShardRequest): { readonly name: string; readonly options: ShardOptions } {
  if (a.names.length !== 1) throw new UsageError(`--shard runs one campaign: name exactly one (got ${a.names.length}); campaigns: ${catalog.campaigns.map((f) => f.name).join(', ')}.`);
  const { index, count } = parseShard(a.shard);
  return {
    name: a.names[0]!,
    options: {
      index,
      count,
      set: a.overrides.set,
      invariants: a.overrides.invariants,
      ...(a.overrides.mutant !== undefined ? { mutant: a.overrides.mutant } : {}),
      ...(a.runs !== undefined ? { runs: a.runs } : {}),
      ...(a.depth !== undefined ? { depth: a.depth } : {}),
      ...(a.seed !== undefined ? { seed: a.seed } : {}),
      ...(a.timeLimit !== undefined ? { timeLimit: a.timeLimit } : {}),
      ...(a.path !== undefined ? { path: a.path } : {}),
    },
  };
}

/**
 * Writes a shard's result to `out` (or prints it) and returns 0: whether the swarm met its
 * expectation is the merge's verdict, so a shard that found nothing is not a failed job.
 */
export function writeShardResult(r: ShardResult, out: string | undefined, io: Pick<Io, 'out' | 'err'>): number {
  const text = JSON.stringify(r) + '\n';
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    // Written whole at the end, so a killed shard leaves no half file for the merge.
    writeFileSync(out + '.tmp', text);
    renameSync(out + '.tmp', out);
    const v = r.violations[0];
    io.err(`${r.campaign} shard ${r.shard.index}/${r.shard.count} (seed ${r.seed}): ${r.behaviours.toLocaleString('en-US')} behaviours, ${r.steps.toLocaleString('en-US')} steps, ${r.seconds.toFixed(1)} s; ${v ? `violates ${v.invariant} (${v.traceLength} states, ${v.strategy})` : 'no violation'}; wrote ${out}\n`);
  } else io.out(text);
  return 0;
}
