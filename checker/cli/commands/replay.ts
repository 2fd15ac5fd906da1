/**
 * `replay TRACE.json`: re-executes a trace file step by step against its model (a catalog
 * model, or the spec module it names) and checks that it violates what it claims: the
 * invariant or action property at its last step, or, for a lasso, the liveness property
 * under its fairness. Exit 0 when it does, 1 when it replays without the claimed violation.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { checkLasso, LivenessRefused } from '../../core/liveness.js';
import { replaySteps, StepNotEnabledError, type Trace } from '../../core/trace.js';
import { parseTraceFile, toTraceFile, TraceFileError, type TraceFile } from '../../report/tracefile.js';
import type { AnySpec, Catalog, Check, Model } from '../catalog.js';
import { defineCommand } from '../command.js';
import { EXIT, listOf, requireKnown, UsageError } from '../errors.js';
import { loadModule } from '../module.js';
import { planCheck } from '../plan.js';

/** The model a trace file names: its spec module (`module`, relative to the file's folder), or a catalog model. */
async function traceModel(catalog: Catalog, t: TraceFile, path: string, tool: string): Promise<Model> {
  if (t.module !== undefined) {
    const mod = isAbsolute(t.module) ? t.module : resolvePath(dirname(path), t.module);
    return (await loadModule(mod, tool)).model;
  }
  const model = catalog.models.find((f) => f.name === t.model);
  if (!model) {
    throw new UsageError(`${path} is a trace of model '${t.model}' and names no spec module ("module"); this ${tool} knows: ${listOf(catalog.models.map((f) => f.name))}.`);
  }
  return model;
}

/** A read trace file with the spec it replays against. */
interface LoadedTrace {
  readonly path: string;
  readonly file: TraceFile;
  readonly model: Model;
  readonly spec: AnySpec;
  readonly json: boolean;
}

/** What a replay found: the behaviour, and whether it violates what the file claims (null: it claims nothing). */
interface Replayed extends LoadedTrace {
  readonly trace: Trace<unknown>;
  readonly violated: boolean | null;
  /** For a lasso: why it is not the claimed violation (empty: it is). */
  readonly lassoProblems: string[] | null;
}

/** Reads and checks the file, and builds its spec through the one place specs are built ({@link planCheck}). */
async function loadTrace(path: string, json: boolean, catalog: Catalog, tool: string): Promise<LoadedTrace> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  let t: TraceFile;
  try {
    t = parseTraceFile(text, path, tool);
  } catch (e) {
    if (e instanceof TraceFileError) throw new UsageError(e.message);
    throw e;
  }
  const model = await traceModel(catalog, t, path, tool);
  const missing = model.constants.map((c) => c.name).filter((k) => !(k in t.constants));
  if (missing.length > 0) throw new UsageError(`${path} does not give the constants ${missing.join(', ')} of ${model.name}.`);
  // The file's configuration as overrides of a bare check of its model: constants, mutant
  // and configuration are checked as for `check --set ... --mutant ...`.
  const bare: Check = { name: t.spec, description: path, model, constants: {}, mutant: null, invariants: null, expect: { kind: 'holds' }, sometimes: [], symmetry: false };
  let spec: AnySpec;
  try {
    spec = planCheck(bare, { set: Object.entries(t.constants).map(([k, v]) => `${k}=${v}`), mutant: t.mutant ?? 'none', invariants: [] }, catalog.module).spec;
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  return { path, file: t, model, spec, json };
}

/** Replays the steps, compares the states with the recorded ones, and judges the claim. */
function replay(l: LoadedTrace): Replayed {
  const { path, file: t, model, spec } = l;
  let trace;
  try {
    trace = replaySteps(spec, t.steps);
  } catch (e) {
    if (e instanceof StepNotEnabledError) throw new UsageError(`${path} does not replay: ${e.message}.`);
    throw e;
  }
  if (t.states.length > 0) {
    // The state as the trace file writes it, so that the comparison is of like with like.
    const view = (s: unknown): unknown => toTraceFile(spec, t, { states: [s], actions: [] } as unknown as Trace<unknown>).states[0];
    for (let i = 0; i < trace.states.length; i++) {
      if (JSON.stringify(view(trace.states[i])) !== JSON.stringify(t.states[i])) {
        throw new UsageError(`${path} does not replay: state ${i + 1} differs from the one recorded (the file was edited, or the model changed).`);
      }
    }
  }
  const last = trace.states.at(-1);
  let violated: boolean | null = null;
  let lassoProblems: string[] | null = null;
  if (t.loopStart !== undefined) {
    // A lasso: the engine's checkLasso (loop closes, property fails along it, fairness holds).
    const names = (spec.liveness ?? []).map((p) => p.name);
    // A lasso that names no property (null) names none of the spec's.
    requireKnown([t.invariant ?? ''], names, (_, known) => `${path} is a lasso but names no liveness property of ${model.name} ("invariant"); it has: ${known}.`);
    try {
      lassoProblems = checkLasso(spec, { ...trace, loopStart: t.loopStart }, t.invariant!, t.fairness ?? []);
    } catch (e) {
      if (e instanceof LivenessRefused) throw new UsageError(`${path}: ${e.message}.`);
      throw e;
    }
    violated = lassoProblems.length === 0;
  } else if (t.invariant !== null) {
    const known = [...(spec.invariants ?? []), ...(spec.actionProperties ?? [])].map((p) => p.name);
    requireKnown([t.invariant], known, (n) => `${path} claims an unknown property '${n}'; ${model.name} has: ${listOf(model.invariants)}.`);
    const inv = (spec.invariants ?? []).find((p) => p.name === t.invariant);
    const act = (spec.actionProperties ?? []).find((p) => p.name === t.invariant);
    if (inv) violated = !inv.check(last);
    else if (act) {
      if (trace.actions.length === 0) throw new UsageError(`${path} claims the action property ${t.invariant} but has no step.`);
      violated = !act.check(trace.states.at(-2), last, trace.actions.at(-1)!);
    }
  }
  return { ...l, trace, violated, lassoProblems };
}

/** `replay TRACE.json`. */
export const replayCommand = defineCommand({
  command: 'replay <trace>',
  describe: 're-execute a trace file; exit 0 when it violates what it claims',
  positionals: { trace: { type: 'string', demandOption: true } },
  options: { json: { type: 'boolean', default: false } },
  load: (a, { catalog, tool }) => loadTrace(a.trace, a.json, catalog, tool),
  run: replay,
  render(r, { io }) {
    const { path, file: t, trace, violated, lassoProblems } = r;
    if (r.json) {
      const summary = {
        trace: path,
        spec: t.spec,
        module: t.module ?? null,
        steps: trace.actions.length,
        traceLength: trace.states.length,
        invariant: t.invariant,
        replays: true,
        violated,
        ...(lassoProblems ? { loopStart: t.loopStart, fairness: t.fairness ?? [], lassoProblems } : {}),
      };
      io.out(JSON.stringify(summary) + '\n');
    } else {
      io.out(`${path}: all ${trace.actions.length} steps replay (${trace.states.length} states).\n`);
      if (lassoProblems) {
        io.out(
          lassoProblems.length === 0
            ? `the lasso (loop back to state ${t.loopStart! + 1}) violates ${t.invariant} under ${(t.fairness ?? []).join(' /\\ ') || 'no fairness'}, as claimed.\n`
            : `the lasso does NOT violate ${t.invariant} as claimed: ${lassoProblems.join('; ')}.\n`,
        );
      } else if (t.invariant === null) io.out('it claims no violation.\n');
      else io.out(violated ? `the final state violates ${t.invariant}, as claimed.\n` : `the final state does NOT violate ${t.invariant}, which the trace claims.\n`);
    }
    return violated === false ? EXIT.failed : EXIT.ok;
  },
  // `--json` always prints one object, also when the trace does not replay.
  onUsageError(e, a, { io }) {
    if (a.json) io.out(JSON.stringify({ trace: a.trace, replays: false, violated: null, error: e.message }) + '\n');
  },
});
