/**
 * The leasecheck command line: one pipeline, `parse -> load -> check -> render -> exit`.
 * {@link main} returns the exit code; {@link run} is the only place that calls
 * `process.exit`. A user mistake is a {@link UsageError}: one paragraph, exit 2, no stack.
 *
 * Commands: `list`, `check [SPEC...]`, `fuzz [CAMPAIGN...]`, `replay TRACE.json`,
 * `graph SPEC --out FILE`.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yargs from 'yargs';
import { check } from '../core/explore.js';
import { formatAction } from '../core/spec.js';
import { defaultWorkers, WorkerPool } from '../core/parallel.js';
import { replaySteps, StepNotEnabledError } from '../core/trace.js';
import { VERSION } from '../version.js';
import type { Catalog } from './catalog.js';
import { EXIT, listOf, UsageError } from './errors.js';
import { dotToSvg, stateGraphDot } from './graph.js';
import { plan, parseSets, planEntry, type Overrides } from './plan.js';
import { progressLine, renderDetails, renderJson, renderTable } from './render.js';
import { describeExpectation, runCheck, type RunRecord } from './run.js';
import { parseTraceFile } from './tracefile.js';
import { writeReport } from '../report/report.js';
import { fuzz } from '../fuzz/fuzz.js';

/** Where the CLI writes; tests pass buffers. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The terminal for progress, when stdout and stderr are terminals. */
  readonly tty?: NodeJS.WriteStream;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  ...(process.stdout.isTTY && process.stderr.isTTY ? { tty: process.stderr } : {}),
};

interface CheckArgs {
  specs: string[];
  suite?: string;
  set: string[];
  mutant?: string;
  invariant: string[];
  'max-states'?: number;
  'max-depth'?: number;
  'time-limit'?: number;
  symmetry?: boolean;
  workers?: number;
  'report-dir'?: string;
  json: boolean;
  quiet: boolean;
  continue: boolean;
  levels: boolean;
  deadlock: boolean;
  details: boolean;
}

const positive = (name: string, v: number | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--${name} must be a positive number (got ${v}).`);
  return v;
};

async function cmdCheck(catalog: Catalog, a: CheckArgs, io: Io): Promise<number> {
  const overrides: Overrides = { set: a.set, mutant: a.mutant, invariants: a.invariant };
  const checks = await plan(catalog, a.specs, a.suite, overrides);
  const maxStates = positive('max-states', a['max-states']);
  const maxDepth = positive('max-depth', a['max-depth']);
  const timeLimit = positive('time-limit', a['time-limit']);
  const workers = a.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError(`--workers must be an integer from 1 to 64 (got ${a.workers}).`);
  const records: RunRecord[] = [];
  const meta = {
    tool: { name: catalog.tool, version: VERSION },
    options: {
      maxStates: maxStates ?? null,
      maxDepth: maxDepth ?? null,
      timeLimitSeconds: timeLimit ?? null,
      symmetry: a.symmetry ?? 'default',
      continue: a.continue,
      deadlock: a.deadlock,
      workers,
    },
  };
  // One set of worker threads for every check of this run: each thread compiles the engine and
  // the model once, not once a check.
  const pool = workers > 1 ? new WorkerPool() : undefined;
  try {
    for (const c of checks) {
      if (!a.json && !a.quiet) io.err(`checking ${c.name} (${describeExpectation(c)})...\n`);
      const r = await runCheck(c, {
        workers,
        ...(pool ? { pool } : {}),
        ...(maxStates !== undefined ? { maxStates } : {}),
        ...(maxDepth !== undefined ? { maxDepth } : {}),
        ...(timeLimit !== undefined ? { timeLimitMs: timeLimit * 1000 } : {}),
        ...(a.symmetry !== undefined ? { symmetry: a.symmetry } : {}),
        continueAfterViolation: a.continue,
        checkDeadlock: a.deadlock,
        ...(a['report-dir'] ? { reportDir: a['report-dir'] } : {}),
        ...(io.tty && !a.json && !a.quiet ? { onEvent: progressLine(io.tty, c.name) } : {}),
      });
      records.push(r);
      if (a.json) io.out(renderJson(r, meta) + '\n');
      else if (!a.quiet && (a.details || a.levels || checks.length === 1)) io.out(renderDetails(r, a.levels) + '\n');
    }
  } finally {
    await pool?.close();
  }
  if (!a.json) io.out(renderTable(records) + '\n');
  // A spec whose function threw fails its expectation (exit 1): the spec is at fault, not the tool.
  return records.every((r) => r.met) ? EXIT.ok : EXIT.failed;
}

function cmdList(catalog: Catalog, json: boolean, io: Io): number {
  if (json) {
    for (const s of catalog.specs) {
      io.out(
        JSON.stringify({ spec: s.name, description: s.description, constants: s.constants, mutant: s.variant, invariants: s.invariants, expect: s.expect, sometimes: s.sometimes }) + '\n',
      );
    }
    return EXIT.ok;
  }
  const lines: string[] = [];
  for (const s of catalog.specs) {
    const consts = Object.entries(s.constants)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const e = s.expect;
    const exp = e.kind === 'holds'
      ? `holds${e.distinctStates !== undefined ? ` (${e.distinctStates.toLocaleString('en-US')} states, depth ${e.depth})` : ''}`
      : `violates ${e.invariant}${e.traceLength !== undefined ? ` in ${e.traceLength} states` : ''}`;
    lines.push(`${s.name}\n    ${s.description}\n    ${consts}${s.variant ? ` mutant=${s.variant}` : ''}${s.invariants ? ` invariants=${s.invariants.join(',')}` : ''}\n    expects: ${exp}`);
  }
  lines.push('', ...Object.entries(catalog.suites).map(([k, v]) => `suite ${k}: ${v.join(', ')}`));
  lines.push('', 'fuzzing campaigns (leasecheck fuzz NAME):');
  for (const f of catalog.fuzz) {
    const e = f.expect;
    lines.push(`  ${f.name}: ${f.spec} with ${Object.entries(f.set).map(([k, v]) => `${k}=${v}`).join(' ')}; ${f.runs} runs of up to ${f.depth} steps, seed ${f.seed}; expects ${e.kind === 'holds' ? 'nothing found' : `${e.invariant} violated`}`);
  }
  for (const f of catalog.families) {
    lines.push('', `constants of ${f.name} (--set NAME=VALUE):`);
    for (const c of f.constants) lines.push(`  ${c.name.padEnd(13)} ${c.kind === 'int' ? `${c.min}..${c.max}` : 'true|false'}  ${c.doc}`);
    lines.push(`mutants (--mutant NAME): ${listOf(f.variants)}`, `invariants (--invariant NAME): ${listOf(f.invariants)}`);
  }
  io.out(lines.join('\n') + '\n');
  return EXIT.ok;
}

function cmdReplay(catalog: Catalog, path: string, json: boolean, io: Io): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  const t = parseTraceFile(text, path);
  const family = catalog.families.find((f) => f.name === t.model);
  if (!family) throw new UsageError(`${path} is a trace of model '${t.model}'; this leasecheck knows: ${listOf(catalog.families.map((f) => f.name))}.`);
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
  if (t.states.length > 0 && spec.toJSON) {
    for (let i = 0; i < trace.states.length; i++) {
      if (JSON.stringify(spec.toJSON(trace.states[i])) !== JSON.stringify(t.states[i])) {
        throw new UsageError(`${path} does not replay: state ${i + 1} differs from the one recorded (the file was edited, or the model changed).`);
      }
    }
  }
  const last = trace.states.at(-1);
  let violated: boolean | null = null;
  if (t.invariant !== null) {
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
    steps: trace.actions.length,
    traceLength: trace.states.length,
    invariant: t.invariant,
    replays: true,
    violated,
  };
  if (json) io.out(JSON.stringify(summary) + '\n');
  else {
    io.out(`${path}: all ${trace.actions.length} steps replay (${trace.states.length} states).\n`);
    if (t.invariant === null) io.out('it claims no violation.\n');
    else io.out(violated ? `the final state violates ${t.invariant}, as claimed.\n` : `the final state does NOT violate ${t.invariant}, which the trace claims.\n`);
  }
  return violated === false ? EXIT.failed : EXIT.ok;
}

interface FuzzArgs {
  names: string[];
  set: string[];
  mutant?: string;
  invariant: string[];
  runs?: number;
  depth?: number;
  seed?: number;
  path?: string;
  json: boolean;
  'report-dir'?: string;
}

async function cmdFuzz(catalog: Catalog, a: FuzzArgs, io: Io): Promise<number> {
  const names = a.names.length > 0 ? a.names : catalog.fuzz.map((f) => f.name);
  let allMet = true;
  const rows: string[][] = [['campaign', 'expected', 'result', 'length (first)', 'runs', 'steps', 'distinct', 'met']];
  const notes: string[] = [];
  for (const name of names) {
    const campaign = catalog.fuzz.find((f) => f.name === name);
    const entryName = campaign?.spec ?? name;
    const entry = catalog.specs.find((s) => s.name === entryName);
    if (!entry) {
      throw new UsageError(`unknown campaign or spec '${name}'; campaigns: ${listOf(catalog.fuzz.map((f) => f.name))}; specs: ${listOf(catalog.specs.map((s) => s.name))}.`);
    }
    const campaignSets = campaign ? Object.entries(campaign.set).map(([k, v]) => `${k}=${v}`) : [];
    const planned = planEntry(entry, { set: [...campaignSets, ...a.set], mutant: a.mutant, invariants: a.invariant }, catalog.module);
    // A campaign keeps its own expectation unless the user changed what it checks.
    const expect = campaign && a.set.length === 0 && a.mutant === undefined && a.invariant.length === 0 ? campaign.expect : planned.expect;
    const runs = a.runs ?? campaign?.runs ?? 1000;
    const depth = a.depth ?? campaign?.depth ?? 100;
    const seed = a.seed ?? campaign?.seed ?? 1;
    for (const [flag, v] of [['runs', runs], ['depth', depth]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new UsageError(`--${flag} must be a positive integer (got ${v}).`);
    }
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer (got ${seed}).`);
    const r = fuzz(planned.spec, { runs, depth, seed, ...(a.path !== undefined ? { path: a.path } : {}), ...(planned.invariants ? { invariants: planned.invariants } : {}) });
    const met = expect.kind === 'holds' ? r.result === 'ok' : r.result === 'violation' && r.invariant === expect.invariant;
    allMet &&= met;
    let tracePath: string | null = null;
    if (r.trace && a['report-dir']) {
      const dir = join(a['report-dir'], name);
      tracePath = join(dir, 'trace.json');
      const report = await writeReport(dir, planned.spec, r.trace, {
        spec: name,
        model: entry.family.name,
        constants: planned.constants,
        mutant: planned.mutant,
        symmetry: false,
        invariant: r.invariant,
        kind: 'invariant',
        result: 'violation',
      });
      for (const e of report.errors) notes.push(`  ${name}: report not rendered: ${e}`);
    }
    const reproduce = `${catalog.tool} fuzz ${name} --seed ${seed} --runs ${runs} --depth ${depth}${r.path ? ` --path ${r.path}` : ''}${a.set.map((x) => ` --set ${x}`).join('')}${a.mutant ? ` --mutant ${a.mutant}` : ''}${a.invariant.map((x) => ` --invariant ${x}`).join('')}`;
    const expected = expect.kind === 'holds' ? 'holds' : `violates ${expect.invariant}`;
    if (a.json) {
      const { trace: _, ...rest } = r;
      io.out(JSON.stringify({ campaign: name, spec: entryName, constants: planned.constants, mutant: planned.mutant, expected, met, depth, ...rest, tracePath, reproduce, tool: { name: catalog.tool, version: VERSION } }) + '\n');
    }
    rows.push([
      name,
      expected,
      r.result === 'ok' ? 'ok' : `violates ${r.invariant}`,
      r.traceLength === null ? '-' : `${r.traceLength} (${r.originalLength})`,
      r.runs.toLocaleString('en-US'),
      r.steps.toLocaleString('en-US'),
      r.distinctStates.toLocaleString('en-US'),
      met ? 'yes' : 'NO',
    ]);
    if (r.neverTaken.length > 0) notes.push(`  ${name}: actions never taken: ${r.neverTaken.join(', ')}`);
    if (tracePath) notes.push(`  ${name}: shrunk counterexample of ${r.traceLength} states written to ${tracePath}`);
    if (!met) notes.push(`  ${name}: FAILED (seed ${seed}${r.path ? `, path ${r.path}` : ''}); reproduce with: ${reproduce}`);
  }
  if (!a.json) {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    io.out(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
    if (notes.length > 0) io.out(notes.join('\n') + '\n');
    io.out(allMet ? `${names.length} campaigns, every expectation met.\n` : 'some campaign did not meet its expectation.\n');
  }
  return allMet ? EXIT.ok : EXIT.failed;
}

interface GraphArgs {
  spec: string;
  out: string;
  set: string[];
  mutant?: string;
  invariant: string[];
  'max-states': number;
  'max-depth'?: number;
}

async function cmdGraph(catalog: Catalog, a: GraphArgs, io: Io): Promise<number> {
  if (!/\.(dot|svg)$/.test(a.out)) throw new UsageError(`--out must end in .dot or .svg (got ${a.out}).`);
  const entry = catalog.specs.find((s) => s.name === a.spec);
  if (!entry) throw new UsageError(`unknown spec '${a.spec}'; specs: ${listOf(catalog.specs.map((s) => s.name))}.`);
  const p = planEntry(entry, { set: a.set, mutant: a.mutant, invariants: a.invariant }, catalog.module);
  const maxStates = positive('max-states', a['max-states'])!;
  const maxDepth = positive('max-depth', a['max-depth']);
  const r = check(p.spec, {
    ...(p.invariants ? { invariants: p.invariants } : {}),
    maxStates: maxStates + 1,
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    symmetry: false,
  });
  const highlight = r.kind === 'violation' ? r.violations[0]!.trace : undefined;
  const dot = stateGraphDot(p.spec, maxStates, highlight, maxDepth);
  mkdirSync(dirname(a.out), { recursive: true });
  writeFileSync(a.out, a.out.endsWith('.svg') ? await dotToSvg(dot) : dot);
  io.out(
    `${a.out}: state graph of ${p.name}${highlight ? `, counterexample of ${highlight.states.length} states in red (${highlight.actions.map(formatAction).join(' -> ')})` : ''}.\n`,
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
      'list',
      'list the specs, suites, constants and mutants',
      (y) => y.option('json', { type: 'boolean', default: false }),
      (a) => {
        code = cmdList(catalog, a.json, io);
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
            'max-states': { type: 'number', describe: 'stop (incomplete) after this many distinct states' },
            'max-depth': { type: 'number', describe: 'do not expand states deeper than this (in states)' },
            'time-limit': { type: 'number', describe: 'stop (incomplete) after this many seconds' },
            symmetry: { type: 'boolean', describe: 'symmetry reduction (default: on for correct-protocol specs, where the spec has one)' },
            workers: { type: 'number', describe: 'workers (default: the number of cores); the first runs in the main thread, the others in worker threads' },
            'report-dir': { type: 'string', describe: 'write DIR/<spec>/trace.json for each counterexample' },
            json: { type: 'boolean', default: false, describe: 'print one JSON object per spec, nothing else' },
            quiet: { type: 'boolean', default: false, describe: 'print only the summary table' },
            continue: { type: 'boolean', default: false, describe: 'keep exploring after a violation; report each violated invariant' },
            levels: { type: 'boolean', default: false, describe: 'print the number of new states at each depth' },
            deadlock: { type: 'boolean', default: false, describe: 'report states with no enabled action' },
            details: { type: 'boolean', default: false, describe: 'print coverage and traces for every spec' },
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
            runs: { type: 'number', describe: 'behaviours to generate (default: the campaign\'s, or 1000)' },
            depth: { type: 'number', describe: 'steps per behaviour at most (default: the campaign\'s, or 100)' },
            seed: { type: 'number', describe: "fast-check's seed (default: the campaign's, or 1)" },
            path: { type: 'string', describe: "fast-check's path of a failing run, to replay it" },
            json: { type: 'boolean', default: false, describe: 'print one JSON object per campaign' },
            'report-dir': { type: 'string', describe: 'write DIR/<campaign>/trace.json for each counterexample' },
          }),
      async (a) => {
        code = await cmdFuzz(catalog, a as unknown as FuzzArgs, io);
      },
    )
    .command(
      'replay <trace>',
      're-execute a trace file; exit 0 when it violates what it claims',
      (y) => y.positional('trace', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }),
      (a) => {
        code = cmdReplay(catalog, a.trace, a.json, io);
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
            'max-states': { type: 'number', default: 2000, describe: 'refuse graphs larger than this' },
            'max-depth': { type: 'number', describe: 'draw only the states within this depth (in states)' },
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
    .help()
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

/** Runs the CLI and exits: the only `process.exit` of the program. */
export async function run(argv: readonly string[], catalog: Catalog): Promise<never> {
  process.exit(await main(argv, catalog));
}
