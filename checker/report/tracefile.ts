/**
 * The trace file, `trace.json`: a counterexample (or any behaviour) as data that
 * `leasecheck replay`, the report generator and the fuzzer read and write; {@link parseTraceFile}
 * reads one back, naming every problem in the file.
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

/** A trace file that cannot be read as one: the message names the file and what is wrong. */
export class TraceFileError extends Error {
  override readonly name = 'TraceFileError';
}

/**
 * Parses and validates a trace file's text; every problem is a {@link TraceFileError} naming
 * the file. `tool` is the program's name, for the messages.
 */
export function parseTraceFile(text: string, path: string, tool: string): TraceFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new TraceFileError(`${path} is not valid JSON (${(e as Error).message}); a trace file is the trace.json that '${tool} check --report-dir' writes.`);
  }
  const bad = (what: string): never => {
    throw new TraceFileError(`${path} is not a ${tool} trace file: ${what}.`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) bad('expected a JSON object');
  const o = data as Record<string, unknown>;
  if (o.format !== 'leasecheck-trace') bad(`"format" must be "leasecheck-trace" (got ${JSON.stringify(o.format)})`);
  if (o.version !== 1) bad(`"version" must be 1 (got ${JSON.stringify(o.version)}); this ${tool} reads version 1`);
  for (const key of ['spec', 'model', 'result'] as const) if (typeof o[key] !== 'string') bad(`"${key}" must be a string`);
  if (typeof o.constants !== 'object' || o.constants === null || Array.isArray(o.constants)) bad('"constants" must be an object');
  for (const [k, v] of Object.entries(o.constants as object)) {
    if (typeof v !== 'number' && typeof v !== 'boolean') bad(`constant "${k}" must be a number or a boolean`);
  }
  if (o.mutant !== null && typeof o.mutant !== 'string') bad('"mutant" must be a string or null');
  if (o.invariant !== null && typeof o.invariant !== 'string') bad('"invariant" must be a string or null');
  if (typeof o.symmetry !== 'boolean') bad('"symmetry" must be a boolean');
  if (o.module !== undefined && (typeof o.module !== 'string' || o.module === '')) bad('"module" must be the path of a spec module');
  if (!Array.isArray(o.states)) bad('"states" must be an array');
  if (!Array.isArray(o.steps)) bad('"steps" must be an array');
  (o.steps as unknown[]).forEach((s, i) => {
    const st = s as Record<string, unknown>;
    if (typeof st !== 'object' || st === null || typeof st.action !== 'string' || !Array.isArray(st.args)) {
      bad(`step ${i + 1} must be an object {"action": string, "args": array}`);
    }
  });
  const states = o.states as unknown[];
  if (states.length !== 0 && states.length !== (o.steps as unknown[]).length + 1) {
    bad(`it has ${states.length} states for ${(o.steps as unknown[]).length} steps (expected one more state than steps)`);
  }
  if (o.loopStart !== undefined) {
    const n = (o.states as unknown[]).length;
    if (!Number.isInteger(o.loopStart) || (o.loopStart as number) < 0 || (o.loopStart as number) >= Math.max(n, 1)) bad(`"loopStart" must be the index of one of its ${n} states`);
    if (o.fairness !== undefined && (!Array.isArray(o.fairness) || !(o.fairness as unknown[]).every((x) => typeof x === 'string'))) bad('"fairness" must be an array of fairness names');
  }
  return { ...(o as unknown as TraceFile), kind: (o.kind as TraceFile['kind']) ?? 'invariant' };
}
