/**
 * Runs one planned check and judges it against its expectation: the `check` step of the
 * CLI's `parse -> load -> check -> render -> exit` pipeline. Produces a {@link RunRecord},
 * which is what the table and the JSON lines render.
 */
import { join } from 'node:path';
import { check, type CheckEvent, type CheckOptions, type CheckResult, type CheckStats } from '../core/explore.js';
import { checkParallel, type WorkerPool } from '../core/parallel.js';
import { formatAction } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import type { PlannedCheck } from './plan.js';
import { writeReport } from '../report/report.js';
import { checkLiveness, LivenessRefused, type LivenessInfo } from '../core/liveness.js';
import { UsageError } from './errors.js';

/** Options shared by every check of one CLI run. */
export interface RunOptions {
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly timeLimitMs?: number;
  /** `--symmetry` / `--no-symmetry`; undefined: each spec's default. */
  readonly symmetry?: boolean;
  readonly continueAfterViolation: boolean;
  readonly checkDeadlock: boolean;
  /** Worker threads; 1 checks in this thread. */
  readonly workers: number;
  /** Worker threads kept up across the checks of one CLI run (parallel checks only). */
  readonly pool?: WorkerPool;
  /** Where to write `<spec>/trace.json` for violations; undefined: nowhere. */
  readonly reportDir?: string;
  readonly onEvent?: (event: CheckEvent) => void;
}

/** What one check produced, judged. */
export interface RunRecord {
  readonly spec: string;
  readonly constants: Readonly<Record<string, number | boolean>>;
  readonly mutant: string | null;
  /** `holds`, or `violates INV` (with the expected length when pinned). */
  readonly expected: string;
  readonly met: boolean;
  /** Why not met; empty when met. */
  readonly failures: readonly string[];
  readonly result: CheckResult<unknown>['kind'];
  /** The first violated property, if any. */
  readonly invariant: string | null;
  readonly distinctStates: number;
  readonly generatedStates: number;
  readonly depth: number;
  readonly traceLength: number | null;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly tracePath: string | null;
  readonly symmetry: boolean;
  readonly workers: number;
  readonly adHoc: boolean;
  /** Every violation (with `--continue`, possibly several). */
  readonly violations: readonly { readonly invariant: string; readonly traceLength: number }[];
  /** The first counterexample, formatted as `Action(args)` steps. */
  readonly trace: readonly string[] | null;
  readonly error: string | null;
  /** Report files that could not be rendered (the check result stands). */
  readonly renderErrors: readonly string[];
  readonly stats: CheckStats;
  /** For a liveness check: what its pass measured (property, fairness, lasso, bytes). */
  readonly liveness?: LivenessInfo;
}

/** Describes an expectation for tables: `holds` or `violates INV (len N)`. */
export function describeExpectation(p: PlannedCheck): string {
  const e = p.expect;
  if (e.kind === 'holds') return 'holds';
  if (e.lasso) return `violates ${e.invariant} (lasso ${e.lasso[0]}+${e.lasso[1]})`;
  return `violates ${e.invariant}${e.traceLength !== undefined ? ` in ${e.traceLength}` : ''}`;
}

function judge(p: PlannedCheck, r: CheckResult<unknown>, symmetry: boolean): string[] {
  const f: string[] = [];
  const s = r.stats;
  if (r.kind === 'incomplete') f.push(`the run ended incomplete (${r.reason}) after ${s.distinctStates} states`);
  if (r.kind === 'error') f.push(`error in ${r.where}: ${r.message}`);
  if (r.kind === 'deadlock') f.push('deadlock');
  const e = p.expect;
  if (e.kind === 'holds') {
    if (r.kind === 'violation') f.push(`violated ${r.violations.map((v) => v.property).join(', ')}`);
    if (r.kind === 'ok' && !p.adHoc) {
      const pinned = symmetry ? e.symmetricStates : e.distinctStates;
      if (pinned !== undefined && s.distinctStates !== pinned) {
        f.push(`distinct states ${s.distinctStates}, pinned ${pinned}${symmetry ? ' with symmetry' : ''}`);
      }
      if (e.depth !== undefined && s.depth !== e.depth) f.push(`depth ${s.depth}, pinned ${e.depth}`);
      const missed = Object.entries(s.sometimes).filter(([, d]) => d === null).map(([k]) => k);
      if (missed.length > 0) f.push(`sometimes never held: ${missed.join(', ')}`);
    }
  } else {
    if (r.kind === 'ok') f.push(`not caught: ${e.invariant} holds`);
    if (r.kind === 'violation') {
      const v = r.violations[0]!;
      const loop = v.trace.loopStart;
      if (v.property !== e.invariant) f.push(`caught by ${v.property}, expected ${e.invariant}`);
      else if (e.lasso && !p.adHoc && loop !== undefined) {
        const got: [number, number] = [loop, Math.max(v.trace.states.length - 1 - loop, 1)];
        if (got[0] !== e.lasso[0] || got[1] !== e.lasso[1]) f.push(`lasso ${got[0]}+${got[1]}, pinned ${e.lasso[0]}+${e.lasso[1]}`);
      }
      else if (e.traceLength !== undefined && v.trace.states.length !== e.traceLength && !p.adHoc) {
        f.push(`counterexample of ${v.trace.states.length} states, pinned ${e.traceLength}`);
      }
    }
  }
  return f;
}

/** Runs a planned check and judges it; writes its trace file when asked to. */
export async function runCheck(p: PlannedCheck, o: RunOptions): Promise<RunRecord> {
  const symmetry = (o.symmetry ?? p.symmetry) && typeof p.spec.canonicalize === 'function';
  // Parallel checking needs a spec that encodes its states; others run in this thread.
  const workers = p.spec.encode && p.spec.decode ? o.workers : 1;
  const options: CheckOptions = {
    ...(p.invariants ? { invariants: p.invariants } : {}),
    continueAfterViolation: o.continueAfterViolation,
    checkDeadlock: o.checkDeadlock,
    ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
    ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}),
    ...(o.timeLimitMs !== undefined ? { timeLimitMs: o.timeLimitMs } : {}),
    symmetry,
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  };
  let r: CheckResult<unknown>;
  let liveness: LivenessInfo | undefined;
  if (p.liveness) {
    // The liveness pass is exact in one thread (it also checks the invariants): no workers.
    if (o.maxDepth !== undefined) throw new UsageError(`${p.name} is a liveness check: --max-depth would cut behaviours short and make the verdict unsound; use --max-states or --time-limit (an incomplete run gives no verdict).`);
    try {
      const lr = checkLiveness(p.spec, {
        property: p.liveness.property,
        fairness: p.liveness.fairness,
        ...(p.invariants ? { invariants: p.invariants } : {}),
        symmetry,
        ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
        ...(o.timeLimitMs !== undefined ? { timeLimitMs: o.timeLimitMs } : {}),
      });
      liveness = lr.liveness;
      r = lr;
    } catch (e) {
      if (e instanceof LivenessRefused) throw new UsageError(`${p.name}: ${e.message}.`);
      throw e;
    }
  } else {
    r = workers > 1 ? await checkParallel(p.ref, p.spec, workers, { ...options, ...(o.pool ? { pool: o.pool } : {}) }) : check(p.spec, options);
  }
  const violations = r.kind === 'violation' || r.kind === 'incomplete' ? r.violations : [];
  const first = violations[0];
  let trace: Trace<unknown> | undefined = first?.trace;
  if (r.kind === 'deadlock') trace = r.trace;
  if (r.kind === 'error') trace = r.trace;
  let tracePath: string | null = null;
  const renderErrors: string[] = [];
  if (o.reportDir && trace) {
    const dir = join(o.reportDir, p.name);
    tracePath = join(dir, 'trace.json');
    const report = await writeReport(
      dir,
      p.spec,
      trace,
      {
        spec: p.name,
        model: p.family?.name ?? p.spec.name,
        constants: p.constants,
        mutant: p.mutant,
        symmetry,
        invariant: first?.property ?? null,
        kind: first?.kind ?? null,
        result: r.kind,
        ...(p.liveness ? { fairness: [...p.liveness.fairness] } : {}),
      },
    );
    renderErrors.push(...report.errors);
  }
  const failures = judge(p, r, symmetry);
  return {
    spec: p.name,
    constants: p.constants,
    mutant: p.mutant,
    expected: describeExpectation(p),
    met: failures.length === 0,
    failures,
    result: r.kind,
    invariant: first?.property ?? null,
    distinctStates: r.stats.distinctStates,
    generatedStates: r.stats.generatedStates,
    depth: r.stats.depth,
    traceLength: trace ? trace.states.length : null,
    seconds: r.stats.seconds,
    statesPerSecond: Math.round(r.stats.statesPerSecond),
    tracePath,
    symmetry,
    workers: p.liveness ? 1 : workers,
    adHoc: p.adHoc,
    violations: violations.map((v) => ({ invariant: v.property, traceLength: v.trace.states.length })),
    trace: trace ? trace.actions.map(formatAction) : null,
    error: r.kind === 'error' ? `${r.where}: ${r.message}` : null,
    renderErrors,
    stats: r.stats,
    ...(liveness ? { liveness } : {}),
  };
}
