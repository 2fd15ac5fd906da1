/**
 * The trace file, `trace.json`: a counterexample (or any behaviour) as data that
 * `leasecheck replay`, the report generator and the fuzzer read and write.
 *
 * Format (version 1):
 * ```json
 * {
 *   "format": "leasecheck-trace", "version": 1,
 *   "spec": "mutant-ignoreSkew", "model": "gfs-lease",
 *   "constants": { "N": 2, ... }, "mutant": "ignoreSkew" | null, "symmetry": false,
 *   "invariant": "LeaseAgreement", "kind": "invariant" | "action", "result": "violation",
 *   "module": "/abs/path/my-spec.ts",      // only for a spec module: where `replay` finds it
 *   "states": [ <state>, ... ],            // the spec's JSON view, initial state first
 *   "steps": [ { "action": "Tick", "args": ["M"] }, ... ]   // steps[i]: states[i] -> states[i+1]
 * }
 * ```
 * A state's JSON view is the spec's `toJSON`: for the GFS model, records as objects, sets as
 * sorted arrays, a data item as `[c, k]`, `⊥` and `none` as null (see `model/spec.ts`).
 */
import type { AnySpec, ConstantValues } from '../core/spec.js';
import type { Trace } from '../core/trace.js';

/** The trace file's contents. */
export interface TraceFile {
  readonly format: 'leasecheck-trace';
  readonly version: 1;
  readonly spec: string;
  readonly model: string;
  readonly constants: ConstantValues;
  readonly mutant: string | null;
  readonly symmetry: boolean;
  readonly invariant: string | null;
  readonly kind: 'invariant' | 'action' | 'liveness' | null;
  /** A lasso: the index of the state where the loop starts (see `Trace.loopStart`). */
  readonly loopStart?: number;
  /** A liveness violation: the fairness groups it was checked under. */
  readonly fairness?: readonly string[];
  readonly result: string;
  /** The spec module the trace came from (absolute path; a relative one is taken from the trace file's folder), absent for catalog specs. */
  readonly module?: string;
  readonly states: readonly unknown[];
  readonly steps: readonly { readonly action: string; readonly args: readonly unknown[] }[];
}

/** Builds the trace file of a trace. */
export function toTraceFile(
  spec: AnySpec,
  meta: Omit<TraceFile, 'format' | 'version' | 'states' | 'steps'>,
  trace: Trace<unknown>,
): TraceFile {
  const view = (s: unknown): unknown => (spec.toJSON ? spec.toJSON(s) : s);
  return {
    format: 'leasecheck-trace',
    version: 1,
    ...meta,
    ...(trace.loopStart !== undefined ? { loopStart: trace.loopStart } : {}),
    states: trace.states.map(view),
    steps: trace.actions.map((a) => ({ action: a.name, args: [...a.args] })),
  };
}

