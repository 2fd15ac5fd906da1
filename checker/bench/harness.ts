/**
 * The benchmark harness: runs each case several times, each in a fresh child process
 * (so that peak RSS and JIT state belong to that run alone), and reports medians: distinct
 * and generated states per second, peak RSS, and visited-set bytes per distinct state.
 * `--save FILE` writes the medians as JSON; `--compare FILE` prints ratios against such a
 * file. `--against DIR` measures another build (a `dist` folder, e.g. of the commit before a
 * change) in the same run: each round runs the case from this build and from that one, in
 * alternating order, and the `vs against` column is the median of the rounds' ratios, so a
 * before/after comparison never rests on rates from different hours of a shared machine.
 * The machines are shared and noisy: read medians and ratios, not single runs.
 *
 * The runs of one case are interleaved (one worker, two workers, ..., then again), and the
 * speed-up column is the median of each round's ratio to the one-worker run of the same
 * round, so that a slow spell of the machine weighs on both sides of a ratio. The `1+1` row
 * runs two independent one-worker processes at the same time: their summed rate over one
 * worker's is how far this machine itself scales on the workload, the ceiling a parallel
 * checker can be measured against; the `vs 1+1` column holds each worker row against it.
 *
 * Each bench run starts and ends with {@link probeCores}: whether this machine's logical cores are
 * separate cores or hyperthreads sharing one, which bounds what two workers can gain.
 *
 * `--instructions N` counts instead of timing: each case runs one worker under valgrind's
 * cachegrind (`node --single-threaded`, so that no background thread compiles or collects)
 * to N and to 2N distinct states, and the table gives the instructions of the states between,
 * per state: the one measure of speed that the load of a shared machine does not move (runs of
 * the same build agree to a fraction of a percent), for changes too small to see in seconds.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { check } from '../core/explore.js';
import { checkParallel, type SpecRef } from '../parallel/index.js';
import type { AnySpec } from '../cli/catalog.js';

/** One benchmark: a name and a spec to explore completely. */
export interface BenchCase {
  readonly name: string;
  /** The spec, built in the measuring process. */
  readonly spec: () => AnySpec;
  /** How worker threads build the same spec (for runs with several workers). */
  readonly ref: SpecRef;
  /** Symmetry reduction on (default off: raw throughput). */
  readonly symmetry?: boolean;
  /** Run only when asked for (`--only NAME` or `--all`). */
  readonly extra?: boolean;
  /** TLC 1.8's distinct states per second on the same model, one worker, same machine kind: a reference column. */
  readonly tlcRate?: number;
  /** The counts every run must reproduce (TLC's): a run that differs fails the bench. */
  readonly expect?: { readonly distinct: number; readonly depth: number };
}

/** One run's measurements. */
export interface BenchSample {
  readonly distinct: number;
  readonly generated: number;
  readonly seconds: number;
  readonly distinctPerSecond: number;
  readonly generatedPerSecond: number;
  readonly peakRssMB: number;
  readonly visitedBytesPerState: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs one case in this process and returns its sample (the child's side). */
export async function runOnce(c: BenchCase, workers: number, maxStates?: number): Promise<BenchSample> {
  const options = { symmetry: c.symmetry ?? false, ...(maxStates !== undefined ? { maxStates } : {}) };
  const r = workers > 1 ? await checkParallel(c.ref, c.spec(), workers, options) : check(c.spec(), options);
  // A run cut at `maxStates` (--instructions) is as good as a whole one.
  const cut = maxStates !== undefined && r.kind === 'incomplete' && r.reason === 'maxStates' && r.violations.length === 0;
  if (r.kind !== 'ok' && !cut) throw new Error(`bench case ${c.name} ended ${r.kind}${r.kind === 'error' ? `: ${r.where}: ${r.message}` : ''}`);
  const s = r.stats;
  if (c.expect && !cut && (s.distinctStates !== c.expect.distinct || s.depth !== c.expect.depth)) {
    throw new Error(`bench case ${c.name} with ${workers} workers: ${s.distinctStates} distinct states, depth ${s.depth}; pinned ${c.expect.distinct}, depth ${c.expect.depth}`);
  }
  // A run whose levels stay small is a one-worker run (gfs-n1, gfs-base); a fallback with a reason is not.
  const note = (s as { workersNote?: string }).workersNote;
  if (note !== undefined) throw new Error(`bench case ${c.name}: ${note}`);
  return {
    distinct: s.distinctStates,
    generated: s.generatedStates,
    seconds: s.seconds,
    distinctPerSecond: s.distinctStates / s.seconds,
    generatedPerSecond: s.generatedStates / s.seconds,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    visitedBytesPerState: s.visitedBytes / s.distinctStates,
  };
}

/** Runs `node ARGS` in a fresh process; resolves with its standard output (rejects with its errors). */
async function nodeOutput(args: readonly string[]): Promise<string> {
  return (await programOutput(process.execPath, args)).out;
}

/** Runs `program ARGS`; resolves with its standard output and error (rejects with its errors when it fails). */
function programOutput(program: string, args: readonly string[]): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d));
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve({ out, err }) : reject(new Error(err || `${basename(program)} exited ${code}`))));
  });
}

/** The loop of {@link probeCores}: six independent multiply chains, bound by multiplier throughput. */
const PROBE_LOOP =
  'const t=performance.now();let a=1,b=2,c=3,d=4,e=5,f=6;' +
  'for(let i=0;i<2e8;i++){a=Math.imul(a,0x5bd1e995)+i|0;b=Math.imul(b,0x1b873593)+i|0;c=Math.imul(c,0x85ebca6b)+i|0;' +
  'd=Math.imul(d,0xcc9e2d51)+i|0;e=Math.imul(e,0x27d4eb2f)+i|0;f=Math.imul(f,0x9e3779b1)+i|0}' +
  // The checksum is printed so that the loop cannot be optimised away.
  "process.stdout.write((performance.now()-t)+' '+(a^b^c^d^e^f))";

/**
 * How two busy processes share this machine: the time of a multiply-bound loop alone over
 * its time when two copies run at once (medians of three rounds). About 1.0 means two
 * separate cores; about 0.5 means two hyperthreads of one core, which share execution units
 * and the L1 and L2 caches, so two workers can gain only what the core has spare.
 */
export async function probeCores(): Promise<number> {
  const one = async (): Promise<number> => Number((await nodeOutput(['-e', PROBE_LOOP])).split(' ')[0]);
  const ratios: number[] = [];
  for (let i = 0; i < 3; i++) {
    const alone = await one();
    const [a, b] = await Promise.all([one(), one()]);
    ratios.push(alone / Math.max(a, b));
  }
  return median(ratios);
}

/** What `npm run bench` prints for `--help` and after a bad argument. */
const USAGE =
  'usage: npm run bench -- [--runs N] [--workers 1,2] [--no-pair] [--no-probe] [--only NAME | --all] [--save FILE] [--compare FILE] [--against DIST]\n' +
  '       npm run bench -- --instructions N [--only NAME | --all] [--against DIST]   (counts instructions per state with valgrind)';

/** The value after `name` in `argv`, if any. */
const argOf = (argv: readonly string[], name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

/**
 * The bench command: `[--runs N] [--workers 1,2] [--no-pair] [--no-probe] [--only NAME[,NAME...] | --all]
 * [--save FILE] [--compare FILE]`, or `--child NAME --workers W` (internal: run one case, print its sample).
 */
export async function benchMain(cases: readonly BenchCase[], script: string, argv: readonly string[]): Promise<number> {
  // Every word is checked before anything runs: `--help` and a typo must not start a
  // benchmark of minutes.
  const refused = checkWords(cases, argv);
  if (refused !== undefined) return refused;
  const child = argOf(argv, '--child');
  if (child !== undefined) return runChildCase(cases, child, argv);
  const plan = planBench(cases, script, argv);
  if (typeof plan === 'number') return plan;
  if (argOf(argv, '--instructions') !== undefined) return instructionsMain(plan, argv);
  const probe = argv.includes('--no-probe') ? async (): Promise<void> => undefined : reportCores;
  await probe('start');
  process.stdout.write(`${tableHeader(plan)}\n`);
  const results: Record<string, BenchSample> = {};
  for (const c of plan.selected) {
    let rounds: Rounds;
    try {
      rounds = await sampleRounds(plan, c);
    } catch (e) {
      process.stderr.write(e instanceof Error ? e.message : String(e));
      return 3;
    }
    for (const k of plan.configs) {
      const { m, line } = tableRow(plan, c, k, rounds);
      results[`${c.name}/${k}`] = m;
      process.stdout.write(line);
    }
  }
  process.stdout.write(
    `(medians of ${plan.runs} interleaved runs, each in a fresh process; 1+1: two one-worker runs at once, rates summed` +
      (plan.againstScript ? `; against: ${plan.againstScript}, run in the same rounds` : '') +
      ')\n',
  );
  // The host may move this machine's cores between runs: a second probe brackets the table.
  await probe('end');
  const save = argOf(argv, '--save');
  if (save) writeFileSync(save, JSON.stringify(results, null, 2) + '\n');
  return 0;
}

/** `--help` (exit 0), or a word that is not an option or lacks its value (exit 2); undefined when all are good. */
function checkWords(cases: readonly BenchCase[], argv: readonly string[]): number | undefined {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\ncases: ${cases.map((c) => c.name).join(', ')}\n`);
    return 0;
  }
  const valued = ['--runs', '--workers', '--only', '--save', '--compare', '--against', '--child', '--instructions', '--max-states'];
  const flags = ['--no-pair', '--no-probe', '--all'];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (valued.includes(w)) {
      if (argv[i + 1] === undefined) {
        process.stderr.write(`bench: ${w} needs a value\n${USAGE}\n`);
        return 2;
      }
      i++;
    } else if (!flags.includes(w)) {
      process.stderr.write(`bench: unknown argument '${w}'\n${USAGE}\n`);
      return 2;
    }
  }
  return undefined;
}

/** The child's side: one run of case `name`, its sample printed as JSON. */
async function runChildCase(cases: readonly BenchCase[], name: string, argv: readonly string[]): Promise<number> {
  const c = cases.find((x) => x.name === name);
  if (!c) {
    // Most often a build given to `--against` that predates the case.
    process.stderr.write(`bench: ${process.argv[1]} has no case '${name}' (cases: ${cases.map((x) => x.name).join(', ')})\n`);
    return 2;
  }
  const maxStates = argOf(argv, '--max-states');
  process.stdout.write(JSON.stringify(await runOnce(c, Number(argOf(argv, '--workers') ?? 1), maxStates === undefined ? undefined : Number(maxStates))) + '\n');
  return 0;
}

/** One build's count for one case: instructions per state between `n` and `2n` distinct states. */
interface InstructionCount {
  readonly perState: number;
  readonly from: number;
  readonly to: number;
}

/** The instructions valgrind counted in a run of case `name` of `script` to `maxStates` distinct states, and the states it reached. */
async function countRun(script: string, name: string, maxStates: number): Promise<{ instructions: number; distinct: number }> {
  const { out, err } = await programOutput('valgrind', [
    '--tool=cachegrind',
    '--cache-sim=no',
    '--cachegrind-out-file=/dev/null',
    process.execPath,
    '--single-threaded',
    script,
    '--child',
    name,
    '--workers',
    '1',
    '--max-states',
    String(maxStates),
  ]);
  const m = /I\s+refs:\s+([\d,]+)/.exec(err);
  if (!m) throw new Error(`bench: no instruction count in valgrind's output for ${name}:\n${err}`);
  return { instructions: Number(m[1]!.replace(/,/g, '')), distinct: (JSON.parse(out) as BenchSample).distinct };
}

/** Instructions per state of case `name` between `n` and `2n` distinct states (what start-up and warm-up cost cancels out). */
async function countCase(script: string, name: string, n: number): Promise<InstructionCount> {
  const a = await countRun(script, name, n);
  const b = await countRun(script, name, 2 * n);
  if (b.distinct <= a.distinct) return { perState: NaN, from: a.distinct, to: b.distinct };
  return { perState: (b.instructions - a.instructions) / (b.distinct - a.distinct), from: a.distinct, to: b.distinct };
}

/** `--instructions N`: one line a case, this build's instructions per state (and the other build's, with `--against`). */
async function instructionsMain(plan: BenchPlan, argv: readonly string[]): Promise<number> {
  const n = Number(argOf(argv, '--instructions'));
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench: --instructions must be a whole number of states of at least 1 (got '${argOf(argv, '--instructions')}')\n`);
    return 2;
  }
  try {
    await programOutput('valgrind', ['--version']);
  } catch {
    process.stderr.write('bench: --instructions needs valgrind on the PATH (Debian: apt-get install valgrind)\n');
    return 2;
  }
  process.stdout.write(
    'case'.padEnd(22) + 'states counted'.padStart(22) + '  instructions/state' + (plan.againstScript ? '  against  vs against (speed: their instructions over ours)' : '') + '\n',
  );
  for (const c of plan.selected) {
    let ours: InstructionCount;
    let theirs: InstructionCount | undefined;
    try {
      ours = await countCase(plan.script, c.name, n);
      if (Number.isNaN(ours.perState)) {
        process.stdout.write(`${c.name.padEnd(22)}  (${ours.from.toLocaleString('en-US')} states in all: too few for --instructions ${n}; at most half of them)\n`);
        continue;
      }
      theirs = plan.againstScript ? await countCase(plan.againstScript, c.name, n) : undefined;
    } catch (e) {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      return 3;
    }
    const range = `${ours.from.toLocaleString('en-US')} to ${ours.to.toLocaleString('en-US')}`;
    process.stdout.write(
      c.name.padEnd(22) +
        range.padStart(22) +
        Math.round(ours.perState).toLocaleString('en-US').padStart(20) +
        (theirs ? Math.round(theirs.perState).toLocaleString('en-US').padStart(9) + `${(theirs.perState / ours.perState).toFixed(3)}x`.padStart(11) : '') +
        '\n',
    );
  }
  process.stdout.write(`(valgrind cachegrind, one worker, node --single-threaded; instructions between the runs to ${n.toLocaleString('en-US')} and ${(2 * n).toLocaleString('en-US')} distinct states, per state)\n`);
  return 0;
}

/** What a bench run measures, from its arguments. */
interface BenchPlan {
  readonly script: string;
  readonly runs: number;
  readonly selected: readonly BenchCase[];
  /** Worker counts as strings, and `1+1` after the one-worker run when 1 and 2 are asked for. */
  readonly configs: readonly string[];
  readonly baseline: Record<string, BenchSample> | undefined;
  readonly againstScript: string | undefined;
}

/** The plan, or the exit status (2) after a clear message for a bad value. */
function planBench(cases: readonly BenchCase[], script: string, argv: readonly string[]): BenchPlan | number {
  const arg = (name: string): string | undefined => argOf(argv, name);
  const runs = Number(arg('--runs') ?? 3);
  // A comma-separated list of cases.
  const only = arg('--only');
  const names = only?.split(',');
  const workerCounts = (arg('--workers') ?? '1,2').split(',').map(Number);
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`bench: --runs must be a whole number of at least 1 (got '${arg('--runs')}')\n`);
    return 2;
  }
  if (workerCounts.some((w) => !Number.isInteger(w) || w < 1)) {
    process.stderr.write(`bench: --workers must be a comma-separated list of whole numbers of at least 1 (got '${arg('--workers')}')\n`);
    return 2;
  }
  const unknown = names?.filter((n) => !cases.some((c) => c.name === n)) ?? [];
  if (unknown.length > 0 || names?.length === 0) {
    process.stderr.write(`bench: unknown case '${unknown.join(', ') || only}'; cases: ${cases.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  const selected = names ? cases.filter((c) => names.includes(c.name)) : argv.includes('--all') ? cases : cases.filter((c) => !c.extra);
  const baseline = arg('--compare') ? (JSON.parse(readFileSync(arg('--compare')!, 'utf8')) as Record<string, BenchSample>) : undefined;
  const againstDir = arg('--against');
  const againstScript = againstDir === undefined ? undefined : resolve(againstDir, 'specs', basename(script));
  if (againstScript !== undefined && !existsSync(againstScript)) {
    process.stderr.write(`bench: --against needs a built dist folder holding specs/${basename(script)} (no ${againstScript}; build the other commit with npm run build)\n`);
    return 2;
  }
  const configs: string[] = workerCounts.map(String);
  if (workerCounts.includes(1) && workerCounts.includes(2) && !argv.includes('--no-pair')) configs.splice(configs.indexOf('1') + 1, 0, '1+1');
  return { script, runs, selected, configs, baseline, againstScript };
}

/** Prints {@link probeCores}'s ratio, `when` being `start` or `end`. */
async function reportCores(when: string): Promise<void> {
  const r = await probeCores();
  process.stdout.write(
    `machine (${when}): ${availableParallelism()} logical cores; with two busy processes each runs a multiply-bound ` +
      `loop at ${r.toFixed(2)}x its speed alone (1.0: separate cores; about 0.5: hyperthreads of one core)\n`,
  );
}

function tableHeader(plan: BenchPlan): string {
  return (
    'case'.padEnd(22) + 'workers'.padStart(8) + 'distinct'.padStart(11) +
    '  distinct/s  generated/s  peak RSS MiB  visited B/state  seconds  vs 1 worker  vs 1+1  TLC distinct/s  vs TLC' +
    (plan.baseline ? '  vs baseline (distinct/s)' : '') +
    (plan.againstScript ? '  vs against (distinct/s, median of rounds)' : '')
  );
}

/** One case's samples by configuration: from this build, and (with `--against`) from the other, round by round. */
interface Rounds {
  readonly samples: Map<string, BenchSample[]>;
  readonly other: Map<string, BenchSample[]>;
}

const runChild = async (script: string, name: string, workers: number): Promise<BenchSample> =>
  JSON.parse(await nodeOutput([script, '--child', name, '--workers', String(workers)])) as BenchSample;

/** Two one-worker runs at once, as one sample: summed rates, the longer time, the larger RSS. */
async function pair(script: string, name: string): Promise<BenchSample> {
  const [a, b] = await Promise.all([runChild(script, name, 1), runChild(script, name, 1)]);
  return {
    distinct: a.distinct,
    generated: a.generated,
    seconds: Math.max(a.seconds, b.seconds),
    distinctPerSecond: a.distinctPerSecond + b.distinctPerSecond,
    generatedPerSecond: a.generatedPerSecond + b.generatedPerSecond,
    peakRssMB: Math.max(a.peakRssMB, b.peakRssMB),
    visitedBytesPerState: a.visitedBytesPerState,
  };
}

/** The runs of one case, interleaved: each round runs every configuration (and each build) once. */
async function sampleRounds(plan: BenchPlan, c: BenchCase): Promise<Rounds> {
  const { script, againstScript, configs } = plan;
  const samples = new Map<string, BenchSample[]>(configs.map((k) => [k, []]));
  const other = new Map<string, BenchSample[]>(configs.map((k) => [k, []]));
  const sample = (k: string, from: string): Promise<BenchSample> => (k === '1+1' ? pair(from, c.name) : runChild(from, c.name, Number(k)));
  for (let i = 0; i < plan.runs; i++) {
    for (const k of configs) {
      if (againstScript === undefined) {
        samples.get(k)!.push(await sample(k, script));
        continue;
      }
      // Alternate which build goes first, so neither always meets a warmer or a colder machine.
      const first = i % 2 === 0;
      const a = await sample(k, first ? script : againstScript);
      const b = await sample(k, first ? againstScript : script);
      samples.get(k)!.push(first ? a : b);
      other.get(k)!.push(first ? b : a);
    }
  }
  return { samples, other };
}

/** The median of each measurement. */
function medianSample(ss: readonly BenchSample[]): BenchSample {
  const med = (f: keyof BenchSample): number => median(ss.map((s) => s[f]));
  return {
    distinct: med('distinct'),
    generated: med('generated'),
    seconds: med('seconds'),
    distinctPerSecond: med('distinctPerSecond'),
    generatedPerSecond: med('generatedPerSecond'),
    peakRssMB: med('peakRssMB'),
    visitedBytesPerState: med('visitedBytesPerState'),
  };
}

/** The medians of configuration `k` of case `c`, and its line of the table (the ratios are medians of rounds). */
function tableRow(plan: BenchPlan, c: BenchCase, k: string, rounds: Rounds): { m: BenchSample; line: string } {
  const ss = rounds.samples.get(k)!;
  const m = medianSample(ss);
  const ones = rounds.samples.get('1');
  const pairs = rounds.samples.get('1+1');
  const b = plan.baseline?.[`${c.name}/${k}`];
  const theirs = rounds.other.get(k)!;
  const ofRounds = (base: readonly BenchSample[]): number => median(ss.map((s, i) => s.distinctPerSecond / base[i]!.distinctPerSecond));
  const vsAgainst = theirs.length > 0 ? ofRounds(theirs) : undefined;
  const speedup = ones && k !== '1' ? ofRounds(ones) : undefined;
  // Several workers against two independent one-worker processes of the same round.
  const ofPair = pairs && k !== '1' && k !== '1+1' ? ofRounds(pairs) : undefined;
  const line =
    c.name.padEnd(22) +
    k.padStart(8) +
    m.distinct.toLocaleString('en-US').padStart(11) +
    Math.round(m.distinctPerSecond).toLocaleString('en-US').padStart(12) +
    Math.round(m.generatedPerSecond).toLocaleString('en-US').padStart(13) +
    m.peakRssMB.toFixed(0).padStart(14) +
    m.visitedBytesPerState.toFixed(1).padStart(17) +
    m.seconds.toFixed(2).padStart(9) +
    (speedup !== undefined ? `${speedup.toFixed(2)}x`.padStart(13) : ''.padStart(13)) +
    (ofPair !== undefined ? `${ofPair.toFixed(2)}x`.padStart(8) : ''.padStart(8)) +
    // TLC's rate is one worker's: the ratio is for the one-worker row only.
    (c.tlcRate !== undefined && k === '1' ? c.tlcRate.toLocaleString('en-US').padStart(16) + `${(m.distinctPerSecond / c.tlcRate).toFixed(1)}x`.padStart(8) : ''.padStart(24)) +
    (b ? `  ${(m.distinctPerSecond / b.distinctPerSecond).toFixed(2)}x` : '') +
    (vsAgainst !== undefined ? `  ${vsAgainst.toFixed(3)}x (against: ${Math.round(median(theirs.map((t) => t.distinctPerSecond))).toLocaleString('en-US')}/s)` : '') +
    '\n';
  return { m, line };
}
