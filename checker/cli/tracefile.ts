/**
 * Reading trace files (`trace.json`) for `replay`: every problem in a file is a
 * {@link UsageError} naming it. The format and the writer are in `checker/report/tracefile.ts`.
 */
import type { TraceFile } from '../report/tracefile.js';
import { UsageError } from './errors.js';

export { toTraceFile } from '../report/tracefile.js';
export type { TraceFile } from '../report/tracefile.js';

/** Parses and validates a trace file's text; every problem is a {@link UsageError} naming the file. */
export function parseTraceFile(text: string, path: string): TraceFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON (${(e as Error).message}); a trace file is the trace.json that 'leasecheck check --report-dir' writes.`);
  }
  const bad = (what: string): never => {
    throw new UsageError(`${path} is not a leasecheck trace file: ${what}.`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) bad('expected a JSON object');
  const o = data as Record<string, unknown>;
  if (o.format !== 'leasecheck-trace') bad(`"format" must be "leasecheck-trace" (got ${JSON.stringify(o.format)})`);
  if (o.version !== 1) bad(`"version" must be 1 (got ${JSON.stringify(o.version)}); this leasecheck reads version 1`);
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
