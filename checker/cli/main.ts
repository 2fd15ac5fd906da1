/**
 * The leasecheck command line: one pipeline, `parse -> load -> check -> render -> exit`.
 * {@link main} returns the exit code; {@link run} is the only place that calls
 * `process.exit`. A user mistake is a {@link UsageError}: one paragraph, exit 2, no stack.
 *
 * Commands: `list`, `check [SPEC...]`, `fuzz [CAMPAIGN...]`, `replay TRACE.json`,
 * `graph SPEC --out FILE`.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import yargs from 'yargs';
import { check, type CheckEvent } from '../core/explore.js';
import { formatAction } from '../core/spec.js';
import { defaultWorkers, WorkerPool } from '../parallel/index.js';
import { replaySteps, StepNotEnabledError, type Trace } from '../core/trace.js';
import { checkLasso, LivenessRefused } from '../core/liveness.js';
import { VERSION } from '../version.js';
import type { Catalog, Expectation, Family, SpecEntry } from './catalog.js';
import { EXIT, listOf, UsageError } from './errors.js';
import { dotToSvg, GRAPH_LIMITS, stateGraph } from './graph.js';
import { findEntry, isPath, plan, parseSets, planEntry, type Overrides } from './plan.js';
import { progressReporter, renderCounterexample, renderDetails, renderJson, renderTable } from './render.js';
import { describeExpectation, exitCodeOf, reportFolder, runCheck, type RunRecord } from './run.js';
import { checkWritableDir, makeDirs, removeStaleReport, replaceDir, tempDirFor, writeFileAtomic } from './files.js';
import { loadModule } from './module.js';
import { parseTraceFile, toTraceFile, type TraceFile } from './tracefile.js';
import { writeReport } from '../report/report.js';
import { fuzz } from '../fuzz/fuzz.js';
import { shardCommand, type ShardArgs } from './swarm.js';
import { mergeCommand, type MergeArgs } from './merge.js';

/** Where the CLI writes; tests pass buffers. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The terminal for a live progress line, when stderr is one; otherwise progress comes as lines on `err`. */
  readonly tty?: NodeJS.WriteStream;
  /** Progress lines on `err` (not a terminal): the first after this many ms, then as often. Default 5000. */
  readonly progressEveryMs?: number;
  /**
   * Handle SIGINT and SIGTERM (the real process only): print what was explored, then call
   * `exit` with 130 or 143.
   */
  readonly signals?: boolean;
  readonly exit?: (code: number) => void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  ...(process.stderr.isTTY ? { tty: process.stderr } : {}),
  signals: true,
  exit: (code) => process.exit(code),
};

/**
 * While a `check` command runs, SIGINT and SIGTERM print a summary (the checks done, and how
 * far the current one got) and exit 130 or 143; `--json` gets one object with `result:
 * "interrupted"`. A handler runs only when this thread is free: between checks, while reports
 * are written, between the levels of a parallel check, and every 100 ms of a one-worker check
 * (`checkAsync`). A liveness check runs in this thread without a pause, so it keeps Node's
 * default while it runs: Ctrl-C still stops it at once (without a summary).
 */
function signalGuard(io: Io, onSignal: (signal: 'SIGINT' | 'SIGTERM') => void): { synchronously: <T>(f: () => T) => T; dispose: () => void } {
  if (!io.signals) return { synchronously: (f) => f(), dispose: () => {} };
  const int = (): void => onSignal('SIGINT');
  const term = (): void => onSignal('SIGTERM');
  const on = (): void => {
    process.on('SIGINT', int);
    process.on('SIGTERM', term);
  };
  const off = (): void => {
    process.off('SIGINT', int);
    process.off('SIGTERM', term);
  };
  on();
  return {
    synchronously: (f) => {
      off();
      try {
        return f();
      } finally {
        on();
      }
    },
    dispose: off,
  };
}

interface CheckArgs {
  specs: string[];
  suite?: string;
  set: string[];
  mutant?: string;
  invariant: string[];
  'max-states'?: string;
  'max-depth'?: string;
  'time-limit'?: string;
  symmetry?: boolean;
  workers?: string;
  strict: boolean;
  progress: boolean;
  'report-dir'?: string;
  json: boolean;
  quiet: boolean;
  continue: boolean;
  levels: boolean;
  deadlock: boolean;
  details: boolean;
  coverage: boolean;
  'full-states': boolean;
}

/**
 * A numeric option, given as text (so that a message quotes what was typed, not NaN): an
 * integer from `min` to `max`, or with `integer` false any number above zero.
 */
export function numberOption(name: string, raw: string | number | undefined, o: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const integer = o.integer ?? true;
  const min = o.min ?? 1;
  const text = String(raw).trim();
  const v = Number(text);
  const what = !integer ? 'a number above 0' : o.max !== undefined ? `an integer from ${min} to ${o.max}` : min === 1 ? 'a positive integer' : `an integer of at least ${min}`;
  if (text === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || (integer ? v < min : v <= 0) || (o.max !== undefined && v > o.max)) {
    throw new UsageError(`--${name} must be ${what} (got '${text}').`);
  }
  return v;
}

const withProgress = (a: ((e: CheckEvent) => void) | undefined, b: (e: CheckEvent) => void) => (e: CheckEvent): void => {
  a?.(e);
  b(e);
};

async function cmdCheck(catalog: Catalog, a: CheckArgs, io: Io): Promise<number> {
  const overrides: Overrides = { set: a.set, mutant: a.mutant, invariants: a.invariant };
  const maxStates = numberOption('max-states', a['max-states']);
  const maxDepth = numberOption('max-depth', a['max-depth']);
  const timeLimit = numberOption('time-limit', a['time-limit'], { integer: false });
  const workersAsked = numberOption('workers', a.workers, { max: 64 });
  const workers = workersAsked ?? defaultWorkers();
  const checks = await plan(catalog, a.specs, a.suite, overrides);
  // Before anything is computed: a report folder that cannot be written is a usage error now,
  // not after the run.
  if (a['report-dir']) checkWritableDir(a['report-dir']);
  const records: RunRecord[] = [];
  const meta = {
    tool: { name: catalog.tool, version: VERSION },
    options: {
      maxStates: maxStates ?? null,
      maxDepth: maxDepth ?? null,
      timeLimitSeconds: timeLimit ?? null,
      // The flag as given (null: each spec's default); `symmetry` says what the run used.
      symmetry: a.symmetry ?? null,
      continue: a.continue,
      deadlock: a.deadlock,
      strict: a.strict,
      workers,
    },
  };
  const printTable = (): void => {
    if (!a.json && records.length > 0) io.out(renderTable(records) + '\n');
  };
  // What the check under way has explored, for a summary on SIGINT/SIGTERM.
  let current: { label: string; distinct: number; generated: number; depth: number; seconds: number } | null = null;
  const track = (label: string, e: CheckEvent): void => {
    if (e.type === 'progress') current = { label, distinct: e.distinct, generated: e.generated, depth: e.depth, seconds: e.seconds };
  };
  const guard = signalGuard(io, (signal) => {
    const code = signal === 'SIGINT' ? EXIT.interrupted : 143;
    if (io.tty) io.tty.write('\r\x1b[K');
    const c = current;
    if (a.json) {
      io.out(
        JSON.stringify({
          result: 'interrupted',
          signal,
          spec: c?.label ?? null,
          distinctStates: c?.distinct ?? null,
          generatedStates: c?.generated ?? null,
          depth: c?.depth ?? null,
          seconds: c?.seconds ?? null,
          checksDone: records.length,
          checks: checks.length,
          ...meta,
        }) + '\n',
      );
    } else {
      printTable();
      const where = c ? `; ${c.label} had ${c.distinct.toLocaleString('en-US')} distinct states at depth ${c.depth} after ${c.seconds.toFixed(1)} s` : '';
      io.err(`${catalog.tool}: interrupted (${signal}) after ${records.length} of ${checks.length} checks${where}.\n`);
    }
    io.exit?.(code);
  });
  // One set of worker threads for every check of this run: each thread compiles the engine and
  // the model once, not once a check.
  const pool = workers > 1 ? new WorkerPool() : undefined;
  try {
    for (const c of checks) {
      if (!a.json && !a.quiet) io.err(`checking ${c.label} (${describeExpectation(c)})...\n`);
      const r = await runCheck(c, {
        workers,
        ...(pool ? { pool } : {}),
        ...(maxStates !== undefined ? { maxStates } : {}),
        ...(maxDepth !== undefined ? { maxDepth } : {}),
        ...(timeLimit !== undefined ? { timeLimitMs: timeLimit * 1000 } : {}),
        ...(a.symmetry !== undefined ? { symmetry: a.symmetry } : {}),
        continueAfterViolation: a.continue,
        checkDeadlock: a.deadlock,
        strict: a.strict,
        ...(a['report-dir'] ? { reportDir: a['report-dir'] } : {}),
        onEvent: withProgress(a.progress && !a.quiet ? progressReporter(io, c.label) : undefined, (e) => track(c.label, e)),
        ...(io.progressEveryMs !== undefined ? { progressIntervalMs: Math.min(1000, io.progressEveryMs) } : {}),
        synchronously: guard.synchronously,
      });
      current = null;
      records.push(r);
      // The spec is at fault (it threw, or an engine guard caught it): say so as a paragraph.
      if (r.error) io.err(`${catalog.tool}: ${r.label}: evaluation error in ${r.error}\n`);
      // A spec that could not run on worker threads says why (a small run on one worker is no news:
      // see the README's Workers); a liveness check always runs on one.
      if (r.workersNote !== null) io.err(`note: ${r.label} ${r.workersNote}.\n`);
      else if (c.liveness && workers > 1 && !a.quiet && !a.json) io.err(`note: ${r.label} is a liveness check: it runs on one worker.\n`);
      if (a.json) io.out(renderJson(r, meta) + '\n');
      else if (!a.quiet && (a.details || a.levels || a.coverage || checks.length === 1)) {
        // As TLC: the counterexample first, state by state, then the statistics.
        const cx = renderCounterexample(c.spec, r, a['full-states']);
        if (cx !== null) io.out(cx + '\n\n');
        io.out(renderDetails(r, a.levels, a.coverage || a.details) + '\n');
      }
      if (r.reportError) {
        // The results computed so far are printed first; the write error is a usage error.
        printTable();
        throw new UsageError(r.reportError);
      }
    }
  } finally {
    await pool?.close();
    guard.dispose();
  }
  printTable();
  return exitCodeOf(records);
}

/** The entries `list` shows: the named ones (spec names or module paths), or the whole catalog. */
async function listEntries(catalog: Catalog, words: readonly string[]): Promise<SpecEntry[]> {
  if (words.length === 0) return [...catalog.specs];
  const out: SpecEntry[] = [];
  for (const w of words) {
    const e = await findEntry(catalog, w);
    if (!e) throw new UsageError(`unknown spec '${w}'; specs: ${listOf(catalog.specs.map((s) => s.name))}, or the path of a spec module.`);
    out.push(e);
  }
  return out;
}

const fmtCount = (n: number): string => n.toLocaleString('en-US');

/** `holds (69,057 states, 34,533 with symmetry, depth 38)`, `violates Inv in 5 states`. */
function listExpectation(e: Expectation): string {
  if (e.kind === 'holds') {
    const counts = [
      ...(e.distinctStates !== undefined ? [`${fmtCount(e.distinctStates)} states`] : []),
      ...(e.symmetricStates !== undefined ? [`${fmtCount(e.symmetricStates)} with symmetry`] : []),
      ...(e.depth !== undefined ? [`depth ${e.depth}`] : []),
    ];
    return `holds${counts.length > 0 ? ` (${counts.join(', ')})` : ''}`;
  }
  if (e.kind === 'deadlock') return `deadlock${e.traceLength !== undefined ? ` in ${e.traceLength} states` : ''}`;
  return `violates ${e.invariant}${e.traceLength !== undefined ? ` in ${e.traceLength} states` : ''}`;
}

async function cmdList(catalog: Catalog, words: readonly string[], json: boolean, io: Io): Promise<number> {
  const entries = await listEntries(catalog, words);
  const whole = words.length === 0;
  const families = [...new Set(entries.map((e) => e.family))];
  if (json) {
    // One object per line, each with a `kind`: every spec, then (for the whole catalog) the
    // suites and campaigns, then every model with its constants, mutants and invariants.
    for (const s of entries) {
      io.out(
        JSON.stringify({
          kind: 'spec',
          spec: s.name,
          description: s.description,
          model: s.family.name,
          module: s.family.module ?? null,
          constants: s.constants,
          mutant: s.variant,
          invariants: s.invariants,
          expect: s.expect,
          sometimes: s.sometimes,
          symmetry: s.symmetry,
          deadlock: s.checkDeadlock ?? false,
        }) + '\n',
      );
    }
    if (whole) {
      for (const [suite, specs] of Object.entries(catalog.suites)) io.out(JSON.stringify({ kind: 'suite', suite, specs }) + '\n');
      for (const f of catalog.fuzz) io.out(JSON.stringify({ kind: 'campaign', campaign: f.name, spec: f.spec, set: f.set, runs: f.runs, depth: f.depth, seed: f.seed, expect: f.expect }) + '\n');
    }
    for (const f of families) {
      io.out(JSON.stringify({ kind: 'model', model: f.name, module: f.module ?? null, constants: f.constants, mutants: f.variants, invariants: f.invariants }) + '\n');
    }
    return EXIT.ok;
  }
  const lines: string[] = [];
  for (const s of entries) {
    const consts = Object.entries(s.constants)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const opts = [
      ...(s.variant ? [`mutant=${s.variant}`] : []),
      ...(s.invariants ? [`invariants=${s.invariants.join(',')}`] : []),
      ...(s.checkDeadlock ? ['deadlock'] : []),
      `symmetry ${s.symmetry ? 'on' : 'off'}`,
    ];
    lines.push(`${s.name}\n    ${s.description}\n    ${[consts, ...opts].filter((x) => x).join(' ')}\n    expects: ${listExpectation(s.expect)}`);
  }
  if (whole) {
    lines.push('', ...Object.entries(catalog.suites).map(([k, v]) => `suite ${k}: ${v.join(', ')}`));
    lines.push('', 'fuzzing campaigns (leasecheck fuzz NAME):');
    for (const f of catalog.fuzz) {
      const e = f.expect;
      lines.push(`  ${f.name}: ${f.spec} with ${Object.entries(f.set).map(([k, v]) => `${k}=${v}`).join(' ')}; ${f.runs} runs of up to ${f.depth} steps, seed ${f.seed}; expects ${e.kind === 'violates' ? `${e.invariant} violated` : 'nothing found'}`);
    }
  }
  for (const f of families) {
    const defaults = entries.find((e) => e.family === f && f.module)?.constants;
    lines.push('', `constants of ${f.name} (--set NAME=VALUE):`);
    if (f.constants.length === 0) lines.push('  (none)');
    for (const c of f.constants) {
      const def = defaults ? ` (default ${defaults[c.name]})` : '';
      lines.push(`  ${c.name.padEnd(13)} ${c.kind === 'int' ? `${c.min}..${c.max}` : 'true|false'}${def}  ${c.doc}`.trimEnd());
    }
    lines.push(`mutants (--mutant NAME): ${listOf(f.variants)}`, `invariants (--invariant NAME): ${listOf(f.invariants)}`);
  }
  io.out(lines.join('\n') + '\n');
  return EXIT.ok;
}

/** The family a trace file names: its spec module (`module`, relative to the file's folder), or a catalog model. */
async function traceFamily(catalog: Catalog, t: TraceFile, path: string): Promise<Family> {
  if (t.module !== undefined) {
    const mod = isAbsolute(t.module) ? t.module : resolvePath(dirname(path), t.module);
    return (await loadModule(mod)).family;
  }
  const family = catalog.families.find((f) => f.name === t.model);
  if (!family) {
    throw new UsageError(
      `${path} is a trace of model '${t.model}' and names no spec module ("module"); this leasecheck knows: ${listOf(catalog.families.map((f) => f.name))}.`,
    );
  }
  return family;
}

async function cmdReplay(catalog: Catalog, path: string, json: boolean, io: Io): Promise<number> {
  try {
    return await replayTrace(catalog, path, json, io);
  } catch (e) {
    // `--json` always prints one object, also when the trace does not replay.
    if (json && e instanceof UsageError) io.out(JSON.stringify({ trace: path, replays: false, violated: null, error: e.message }) + '\n');
    throw e;
  }
}

async function replayTrace(catalog: Catalog, path: string, json: boolean, io: Io): Promise<number> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  const t = parseTraceFile(text, path);
  const family = await traceFamily(catalog, t, path);
  const known = family.constants.map((c) => c.name);
  const missing = known.filter((k) => !(k in t.constants));
  if (missing.length > 0) throw new UsageError(`${path} does not give the constants ${missing.join(', ')} of ${family.name}.`);
  const values = parseSets(family, Object.entries(t.constants).map(([k, v]) => `${k}=${v}`));
  const problem = family.validate(values);
  if (problem) throw new UsageError(`${path} has a bad configuration: ${problem}.`);
  if (t.mutant !== null && !family.variants.includes(t.mutant)) {
    throw new UsageError(`${path} names an unknown mutant '${t.mutant}'; mutants: ${listOf(family.variants)}.`);
  }
  const spec = family.build(values, t.mutant, []);
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
    if (t.invariant === null || !(spec.liveness ?? []).some((p) => p.name === t.invariant)) {
      throw new UsageError(`${path} is a lasso but names no liveness property of ${family.name} ("invariant"); it has: ${listOf((spec.liveness ?? []).map((p) => p.name))}.`);
    }
    try {
      lassoProblems = checkLasso(spec, { ...trace, loopStart: t.loopStart }, t.invariant, t.fairness ?? []);
    } catch (e) {
      if (e instanceof LivenessRefused) throw new UsageError(`${path}: ${e.message}.`);
      throw e;
    }
    violated = lassoProblems.length === 0;
  } else if (t.invariant !== null) {
    const inv = (spec.invariants ?? []).find((p) => p.name === t.invariant);
    const act = (spec.actionProperties ?? []).find((p) => p.name === t.invariant);
    if (inv) violated = !inv.check(last);
    else if (act) {
      if (trace.actions.length === 0) throw new UsageError(`${path} claims the action property ${t.invariant} but has no step.`);
      violated = !act.check(trace.states.at(-2), last, trace.actions.at(-1)!);
    } else {
      throw new UsageError(`${path} claims an unknown property '${t.invariant}'; ${family.name} has: ${listOf(family.invariants)}.`);
    }
  }
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
  if (json) io.out(JSON.stringify(summary) + '\n');
  else {
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
}

interface FuzzArgs {
  names: string[];
  set: string[];
  mutant?: string;
  invariant: string[];
  runs?: string;
  depth?: string;
  seed?: string;
  path?: string;
  json: boolean;
  'report-dir'?: string;
}

async function cmdFuzz(catalog: Catalog, a: FuzzArgs, io: Io): Promise<number> {
  const names = a.names.length > 0 ? a.names : catalog.fuzz.map((f) => f.name);
  if (a.path !== undefined && !/^\d+(:\d+)*$/.test(a.path)) {
    throw new UsageError(`--path takes the path a failing fuzz run printed, numbers separated by ':' such as 12:0:3 (got '${a.path}').`);
  }
  const runsArg = numberOption('runs', a.runs);
  const depthArg = numberOption('depth', a.depth);
  const seedArg = numberOption('seed', a.seed, { min: -(2 ** 31) });
  if (a['report-dir']) checkWritableDir(a['report-dir']);
  let allMet = true;
  let found = false;
  let pathProblem: string | null = null;
  const adHoc = a.set.length > 0 || a.mutant !== undefined || a.invariant.length > 0;
  const rows: string[][] = [['campaign', 'expected', 'result', 'length (first)', 'runs', 'steps', 'distinct', 'met']];
  const notes: string[] = [];
  for (const name of names) {
    const campaign = catalog.fuzz.find((f) => f.name === name);
    const entryName = campaign?.spec ?? name;
    const entry = isPath(entryName) ? (await loadModule(entryName)).entry : catalog.specs.find((s) => s.name === entryName);
    if (!entry) {
      throw new UsageError(`unknown campaign or spec '${name}'; campaigns: ${listOf(catalog.fuzz.map((f) => f.name))}; specs: ${listOf(catalog.specs.map((s) => s.name))}; or the path of a spec module.`);
    }
    const campaignSets = campaign ? Object.entries(campaign.set).map(([k, v]) => `${k}=${v}`) : [];
    const planned = planEntry(entry, { set: [...campaignSets, ...a.set], mutant: a.mutant, invariants: a.invariant }, catalog.module);
    // A campaign keeps its own expectation unless the user changed what it checks.
    const expect = campaign && a.set.length === 0 && a.mutant === undefined && a.invariant.length === 0 ? campaign.expect : planned.expect;
    const runs = runsArg ?? campaign?.runs ?? 1000;
    const depth = depthArg ?? campaign?.depth ?? 100;
    const seed = seedArg ?? campaign?.seed ?? 1;
    let r;
    try {
      r = fuzz(planned.spec, { runs, depth, seed, ...(a.path !== undefined ? { path: a.path } : {}), ...(planned.invariants ? { invariants: planned.invariants } : {}) });
    } catch (e) {
      if (a.path === undefined) throw e;
      throw new UsageError(`--path ${a.path} is not a run of ${name} with seed ${seed}, ${runs} runs of up to ${depth} steps (fast-check: ${(e as Error).message.split('\n')[0]}); give the seed, runs, depth and path that the failing run printed.`);
    }
    const met = expect.kind === 'violates' ? r.result === 'violation' && r.invariant === expect.invariant : r.result === 'ok';
    if (a.path !== undefined && r.result === 'ok' && pathProblem === null) {
      pathProblem = `--path ${a.path} replays no failing run of ${name} (seed ${seed}, ${runs} runs of up to ${depth} steps); give the seed, runs, depth and path that the failing run printed.`;
    }
    allMet &&= met;
    found ||= r.result === 'violation';
    let tracePath: string | null = null;
    const final = a['report-dir'] ? join(a['report-dir'], planned.adHoc ? reportFolder({ ...planned, label: planned.label.replace(entry.name, name) }) : name) : null;
    if (final && !r.trace && removeStaleReport(final)) notes.push(`  ${name}: removed the report of an earlier run, ${final} (this run found no counterexample)`);
    if (r.trace && final) {
      const tmp = tempDirFor(final);
      let report;
      try {
        report = await writeReport(tmp, planned.spec, r.trace, {
          spec: name,
          model: entry.family.name,
          constants: planned.constants,
          mutant: planned.mutant,
          symmetry: false,
          invariant: r.invariant,
          kind: 'invariant',
          result: 'violation',
          ...(planned.module ? { module: planned.module } : {}),
        });
      } catch (e) {
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      }
      replaceDir(tmp, final);
      tracePath = join(final, 'trace.json');
      for (const e of report.errors) notes.push(`  ${name}: report not rendered: ${e}`);
    }
    const reproduce = `${catalog.tool} fuzz ${name} --seed ${seed} --runs ${runs} --depth ${depth}${r.path ? ` --path ${r.path}` : ''}${a.set.map((x) => ` --set ${x}`).join('')}${a.mutant ? ` --mutant ${a.mutant}` : ''}${a.invariant.map((x) => ` --invariant ${x}`).join('')}`;
    const expected = adHoc ? 'ad hoc' : expect.kind === 'violates' ? `violates ${expect.invariant}` : 'holds';
    // Actions the configuration rules out (e.g. Lose with MaxLoss=0) are not news.
    const impossible = new Set(entry.family.impossibleActions?.(planned.constants) ?? []);
    const neverTaken = r.neverTaken.filter((n) => !impossible.has(n));
    if (a.json) {
      const { trace: _, ...rest } = r;
      io.out(
        JSON.stringify({ campaign: name, spec: entryName, constants: planned.constants, mutant: planned.mutant, expected, met, depth, ...rest, neverTaken, impossible: r.neverTaken.filter((n) => impossible.has(n)), tracePath, reproduce, tool: { name: catalog.tool, version: VERSION } }) + '\n',
      );
    }
    rows.push([
      name,
      expected,
      r.result === 'ok' ? 'ok' : `violates ${r.invariant}`,
      r.traceLength === null ? '-' : `${r.traceLength} (${r.originalLength})`,
      r.runs.toLocaleString('en-US'),
      r.steps.toLocaleString('en-US'),
      r.distinctStates.toLocaleString('en-US'),
      adHoc ? '-' : met ? 'yes' : 'NO',
    ]);
    if (neverTaken.length > 0) notes.push(`  ${name}: actions never taken: ${neverTaken.join(', ')}`);
    if (tracePath) notes.push(`  ${name}: shrunk counterexample of ${r.traceLength} states written to ${tracePath}`);
    if (adHoc && r.result === 'violation') notes.push(`  ${name}: ${r.invariant} violated; reproduce with: ${reproduce}`);
    else if (!met && !adHoc) notes.push(`  ${name}: FAILED (seed ${seed}${r.path ? `, path ${r.path}` : ''}); reproduce with: ${reproduce}`);
  }
  if (!a.json) {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    io.out(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
    if (notes.length > 0) io.out(notes.join('\n') + '\n');
    const n = `${names.length} campaign${names.length === 1 ? '' : 's'}`;
    if (!pathProblem) io.out(adHoc ? `${n} ad hoc (no expectation), ${found ? 'a violation found' : 'nothing found'}.\n` : allMet ? `${n}, every expectation met.\n` : `${n}: some campaign did not meet its expectation.\n`);
  }
  // The results are printed; a --path that replays nothing is the user's mistake.
  if (pathProblem) throw new UsageError(pathProblem);
  // As `check`: an ad hoc run's code says what it found.
  if (adHoc) return found ? EXIT.violation : EXIT.ok;
  return allMet ? EXIT.ok : EXIT.failed;
}

interface GraphArgs {
  spec: string;
  out: string;
  set: string[];
  mutant?: string;
  invariant: string[];
  'max-states'?: string;
  'max-depth'?: string;
}

async function cmdGraph(catalog: Catalog, a: GraphArgs, io: Io): Promise<number> {
  if (!/\.(dot|svg)$/.test(a.out)) throw new UsageError(`--out must end in .dot or .svg (got ${a.out}).`);
  const svg = a.out.endsWith('.svg');
  const entry = await findEntry(catalog, a.spec);
  if (!entry) throw new UsageError(`unknown spec '${a.spec}'; specs: ${listOf(catalog.specs.map((s) => s.name))}, or the path of a spec module.`);
  const p = planEntry(entry, { set: a.set, mutant: a.mutant, invariants: a.invariant }, catalog.module);
  const limit = svg ? GRAPH_LIMITS.svg : GRAPH_LIMITS.dot;
  const maxStates = numberOption('max-states', a['max-states'] ?? String(limit), { max: limit })!;
  const maxDepth = numberOption('max-depth', a['max-depth']);
  // The folder first: nothing is computed for a file that cannot be written.
  makeDirs(dirname(resolvePath(a.out)));
  const r = check(p.spec, {
    ...(p.invariants ? { invariants: p.invariants } : {}),
    maxStates: maxStates + 1,
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    symmetry: false,
  });
  const highlight = r.kind === 'violation' ? r.violations[0]!.trace : undefined;
  const g = stateGraph(p.spec, maxStates, highlight, maxDepth, false, p.label);
  if (svg && g.states > 100) io.err(`laying out ${g.states} states and ${g.edges} transitions with graphviz...\n`);
  const started = Date.now();
  writeFileAtomic(a.out, svg ? await dotToSvg(g.dot) : g.dot);
  if (svg && g.states > 100) io.err(`laid out in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  io.out(
    `${a.out}: state graph of ${p.label}, ${g.states} states, ${g.edges} transitions${highlight ? `, counterexample of ${highlight.states.length} states in red (${highlight.actions.map(formatAction).join(' -> ')})` : ''}.\n`,
  );
  return EXIT.ok;
}

/**
 * Parses `argv`, runs the command and reports errors; returns the exit code. Never calls
 * `process.exit`. A {@link UsageError} is printed as one paragraph (exit 2); anything else
 * is an internal error (exit 3), with its stack only when LEASECHECK_DEBUG is set.
 */
export async function main(argv: readonly string[], catalog: Catalog, io: Io = defaultIo): Promise<number> {
  try {
    return await dispatch(argv, catalog, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${catalog.tool}: ${e.message}\n`);
      return EXIT.usage;
    }
    const detail = e instanceof Error ? (process.env.LEASECHECK_DEBUG ? e.stack : e.message) : String(e);
    io.err(`${catalog.tool}: internal error: ${detail}\n`);
    return EXIT.internal;
  }
}

async function dispatch(argv: readonly string[], catalog: Catalog, io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const checkOptions = {
    set: { type: 'string', array: true, default: [] as string[], describe: 'set a model constant, NAME=VALUE (repeatable)' },
    mutant: { type: 'string', describe: "turn on a deliberate bug ('none' for none)" },
    invariant: { type: 'string', array: true, default: [] as string[], describe: 'check only this invariant (repeatable)' },
  } as const;
  const parser = yargs([...argv]);
  parser
    .scriptName(catalog.tool)
    .usage(`${catalog.tool} <command> [options]`)
    .command(
      'list [specs..]',
      'list the specs, suites, constants and mutants (or those of the named specs and spec modules)',
      (y) =>
        y
          .positional('specs', { type: 'string', array: true, default: [] as string[] })
          .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line, each with a kind: spec, suite, campaign, model' }),
      async (a) => {
        code = await cmdList(catalog, a.specs, a.json, io);
      },
    )
    .command(
      'check [specs..]',
      'model-check specs (names from `list`, or paths to spec modules)',
      (y) =>
        y
          .positional('specs', { type: 'string', array: true, default: [] as string[] })
          .options({
            suite: { type: 'string', describe: 'run a suite of specs (see `list`)' },
            ...checkOptions,
            'max-states': { type: 'string', describe: 'stop (incomplete) after this many distinct states' },
            'max-depth': { type: 'string', describe: 'do not expand states deeper than this (in states)' },
            'time-limit': { type: 'string', describe: 'stop (incomplete) after this many seconds' },
            symmetry: { type: 'boolean', describe: 'symmetry reduction (default: on for correct-protocol specs, where the spec has one)' },
            workers: { type: 'string', describe: 'workers (default: the number of cores); the first runs in the main thread, the others in worker threads' },
            strict: { type: 'boolean', default: false, describe: "check every state against the spec mistakes the engine guards against (slower)" },
            progress: { type: 'boolean', default: true, describe: 'progress on stderr (a live line on a terminal, else a line every 5 s); --no-progress for none' },
            'report-dir': { type: 'string', describe: 'write DIR/<spec>/trace.json for each counterexample' },
            json: { type: 'boolean', default: false, describe: 'print one JSON object per spec, nothing else' },
            quiet: { type: 'boolean', default: false, describe: 'print only the summary table' },
            continue: { type: 'boolean', default: false, describe: 'keep exploring after a violation; report each violated invariant' },
            levels: { type: 'boolean', default: false, describe: 'print the number of new states at each depth' },
            deadlock: { type: 'boolean', default: false, describe: 'report states with no enabled action' },
            details: { type: 'boolean', default: false, describe: 'print coverage and counterexamples for every spec' },
            coverage: { type: 'boolean', default: false, describe: 'print how often each action fired' },
            'full-states': { type: 'boolean', default: false, describe: 'print every variable of every state of a counterexample (default: what changed)' },
          }),
      async (a) => {
        code = await cmdCheck(catalog, a as unknown as CheckArgs, io);
      },
    )
    .command(
      'fuzz [names..]',
      'random behaviours, shrunk to short counterexamples (campaigns from `list`, or spec names)',
      (y) =>
        y
          .positional('names', { type: 'string', array: true, default: [] as string[] })
          .options({
            ...checkOptions,
            runs: { type: 'string', describe: 'behaviours to generate (default: the campaign\'s, or 1000)' },
            depth: { type: 'string', describe: 'steps per behaviour at most (default: the campaign\'s, or 100)' },
            seed: { type: 'string', describe: "fast-check's seed (default: the campaign's, or 1)" },
            path: { type: 'string', describe: "fast-check's path of a failing run, to replay it" },
            json: { type: 'boolean', default: false, describe: 'print one JSON object per campaign' },
            'report-dir': { type: 'string', describe: 'write DIR/<campaign>/trace.json for each counterexample' },
            shard: { type: 'string', describe: 'run shard i of K of one campaign (i/K, from 0): its own seed and strategy mix; one JSON result for `merge`' },
            out: { type: 'string', describe: 'with --shard: write the shard result to FILE (default: print it)' },
            'time-limit': { type: 'number', describe: 'with --shard: stop generating after this many seconds' },
          }),
      async (a) => {
        code =
          a.shard !== undefined
            ? shardCommand(
                catalog,
                {
                  ...(a as unknown as ShardArgs),
                  // Options arrive as words (numberOption checks them as every command does).
                  runs: numberOption('runs', a.runs as string | undefined),
                  depth: numberOption('depth', a.depth as string | undefined),
                  seed: numberOption('seed', a.seed as string | undefined, { min: -(2 ** 31) }),
                } as ShardArgs,
                io,
              )
            : await cmdFuzz(catalog, a as unknown as FuzzArgs, io);
      },
    )
    .command(
      'merge [files..]',
      'combine swarm shard results (fuzz --shard) into one verdict; exit 0 when the expectation is met',
      (y) =>
        y.positional('files', { type: 'string', array: true, default: [] as string[] }).options({
          json: { type: 'boolean', default: false, describe: 'print the merged result as JSON' },
          out: { type: 'string', describe: 'write the merged result (JSON) to FILE' },
          trace: { type: 'string', describe: "write the shortest violation's trace file to FILE" },
        }),
      (a) => {
        code = mergeCommand(catalog, a as unknown as MergeArgs, io);
      },
    )
    .command(
      'replay <trace>',
      're-execute a trace file; exit 0 when it violates what it claims',
      (y) => y.positional('trace', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
      async (a) => {
        code = await cmdReplay(catalog, a.trace, a.json, io);
      },
    )
    .command(
      'graph <spec>',
      'draw the whole state graph of a small configuration (DOT or SVG)',
      (y) =>
        y
          .positional('spec', { type: 'string', demandOption: true })
          .options({
            out: { type: 'string', demandOption: true, describe: 'FILE.dot or FILE.svg' },
            ...checkOptions,
            'max-states': { type: 'string', describe: `refuse graphs larger than this (default and most: ${GRAPH_LIMITS.svg} for SVG, ${GRAPH_LIMITS.dot} for DOT)` },
            'max-depth': { type: 'string', describe: 'draw only the states within this depth (in states)' },
          }),
      async (a) => {
        code = await cmdGraph(catalog, a as unknown as GraphArgs, io);
      },
    );
  // The project's own commands (the catalog's), registered as they are.
  for (const c of catalog.commands ?? []) {
    parser.command(
      c.command,
      c.describe,
      (y) => y.options(c.options as Record<string, { type: 'string' | 'number' | 'boolean'; describe: string }>),
      async (a) => {
        code = await c.run(a as Readonly<Record<string, unknown>>, io);
      },
    );
  }
  parser
    .demandCommand(1, `name a command: list, check, fuzz, replay or graph (try '${catalog.tool} --help')`)
    .strict()
    .version(VERSION)
    .alias('v', 'version')
    .help()
    .alias('h', 'help')
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  let helpShown = false;
  parser.showHelpOnFail(false);
  await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
    if (output) {
      helpShown = true;
      io.out(output + '\n');
    }
  });
  return helpShown ? EXIT.ok : code;
}

/** Runs the CLI and exits: the only `process.exit` of the program (besides a signal's, through {@link Io.exit}). */
export async function run(argv: readonly string[], catalog: Catalog): Promise<never> {
  // `leasecheck ... | head`: the reader went away. Not a crash: one line, exit 2.
  const closed = (): never => {
    process.stderr.write(`${catalog.tool}: standard output was closed before everything was written (EPIPE); the rest is not printed.\n`);
    process.exit(EXIT.usage);
  };
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed();
  });
  const code = await main(argv, catalog);
  // Let buffered output reach a pipe before exiting.
  process.stdout.write('', (e) => ((e as NodeJS.ErrnoException | null | undefined)?.code === 'EPIPE' ? closed() : process.exit(code)));
  return new Promise<never>(() => {});
}
