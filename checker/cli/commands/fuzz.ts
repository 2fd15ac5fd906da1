/**
 * `fuzz [CAMPAIGN...]`: random behaviours of checks, shrunk to short counterexamples
 * (`checker/fuzz`); each campaign (or check named directly) judged against its expectation.
 * With `--shard i/K` it runs one shard of one campaign and prints (or writes) the shard file
 * that `merge` reads (`swarm.ts`).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fuzz, type FuzzResult } from '../../fuzz/fuzz.js';
import { writeReport } from '../../report/report.js';
import { VERSION } from '../../version.js';
import type { Campaign, Check, Expectation } from '../catalog.js';
import { defineCommand, type Context } from '../command.js';
import { EXIT, listOf, UsageError } from '../errors.js';
import { checkWritableDir, removeStaleReport, replaceDir, tempDirFor } from '../files.js';
import { numberOption, overrideOptions, overridesOf } from '../options.js';
import { changesCheck, findCheck, planCheck, type Overrides, type PlannedCheck } from '../plan.js';
import { reportFolder } from '../run.js';
import { planShard, runShard, writeShardResult, type ShardOptions, type ShardResult } from '../swarm.js';

/** One campaign of a `fuzz` command, planned: its check built, its budget and expectation settled. */
interface PlannedRun {
  readonly name: string;
  readonly campaign: Campaign | undefined;
  readonly check: Check;
  readonly planned: PlannedCheck;
  readonly expect: Expectation;
  readonly runs: number;
  readonly depth: number;
  readonly seed: number;
}

/** A `fuzz` command planned: its campaigns and the flags they share. */
interface FuzzPlan {
  readonly kind: 'campaigns';
  readonly runs: readonly PlannedRun[];
  readonly overrides: Overrides;
  readonly adHoc: boolean;
  readonly path: string | undefined;
  readonly json: boolean;
  readonly reportDir: string | undefined;
}

/** What the campaigns found, for the summary. */
interface FuzzOutcome {
  readonly plan: FuzzPlan;
  readonly rows: string[][];
  readonly notes: string[];
  readonly allMet: boolean;
  readonly found: boolean;
  readonly pathProblem: string | null;
}

/** Resolves a campaign's name (or a check's, or a spec module's path) into a planned run. */
async function planRun(name: string, a: { readonly runs: number | undefined; readonly depth: number | undefined; readonly seed: number | undefined }, o: Overrides, { tool, catalog }: Context): Promise<PlannedRun> {
  const campaign = catalog.campaigns.find((f) => f.name === name);
  const check = await findCheck(catalog, campaign?.check ?? name, tool);
  if (!check) {
    throw new UsageError(`unknown campaign or spec '${name}'; campaigns: ${listOf(catalog.campaigns.map((f) => f.name))}; specs: ${listOf(catalog.checks.map((s) => s.name))}; or the path of a spec module.`);
  }
  const campaignSets = campaign ? Object.entries(campaign.set).map(([k, v]) => `${k}=${v}`) : [];
  const planned = planCheck(check, { ...o, set: [...campaignSets, ...o.set] }, catalog.module);
  return {
    name,
    campaign,
    check,
    planned,
    // A campaign keeps its own expectation unless the user changed what it checks.
    expect: campaign && !changesCheck(o) ? campaign.expect : planned.expect,
    runs: a.runs ?? campaign?.runs ?? 1000,
    depth: a.depth ?? campaign?.depth ?? 100,
    seed: a.seed ?? campaign?.seed ?? 1,
  };
}

/** Writes a campaign's shrunk counterexample as a report folder (swapped in whole); returns the trace file's path. */
async function writeCampaignReport(final: string, run: PlannedRun, r: FuzzResult<unknown>, notes: string[]): Promise<string> {
  const { name, planned } = run;
  const tmp = tempDirFor(final);
  let report;
  try {
    report = await writeReport(tmp, planned.spec, r.trace!, {
      spec: name,
      model: run.check.model.name,
      constants: planned.constants,
      mutant: planned.mutant,
      symmetry: false,
      invariant: r.invariant,
      kind: 'invariant',
      result: 'violation',
      ...(planned.model.module ? { module: planned.model.module } : {}),
    });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  replaceDir(tmp, final);
  for (const e of report.errors) notes.push(`  ${name}: report not rendered: ${e}`);
  return join(final, 'trace.json');
}

/** Runs the campaigns in order; with `--json`, prints each one's object as it ends. */
async function runCampaigns(p: FuzzPlan, { tool, io }: Context): Promise<FuzzOutcome> {
  const rows: string[][] = [['campaign', 'expected', 'result', 'length (first)', 'runs', 'steps', 'distinct', 'met']];
  const notes: string[] = [];
  let allMet = true;
  let found = false;
  let pathProblem: string | null = null;
  const o = p.overrides;
  for (const run of p.runs) {
    const { name, planned, expect, runs, depth, seed } = run;
    let r: FuzzResult<unknown>;
    try {
      r = fuzz(planned.spec, { runs, depth, seed, ...(p.path !== undefined ? { path: p.path } : {}), ...(planned.invariants ? { invariants: planned.invariants } : {}) });
    } catch (e) {
      if (p.path === undefined) throw e;
      throw new UsageError(`--path ${p.path} is not a run of ${name} with seed ${seed}, ${runs} runs of up to ${depth} steps (fast-check: ${(e as Error).message.split('\n')[0]}); give the seed, runs, depth and path that the failing run printed.`);
    }
    const met = expect.kind === 'violates' ? r.result === 'violation' && r.invariant === expect.invariant : r.result === 'ok';
    if (p.path !== undefined && r.result === 'ok' && pathProblem === null) {
      pathProblem = `--path ${p.path} replays no failing run of ${name} (seed ${seed}, ${runs} runs of up to ${depth} steps); give the seed, runs, depth and path that the failing run printed.`;
    }
    allMet &&= met;
    found ||= r.result === 'violation';
    let tracePath: string | null = null;
    const final = p.reportDir ? join(p.reportDir, planned.adHoc ? reportFolder({ ...planned, label: planned.label.replace(run.check.name, name) }) : name) : null;
    if (final && !r.trace && removeStaleReport(final)) notes.push(`  ${name}: removed the report of an earlier run, ${final} (this run found no counterexample)`);
    if (r.trace && final) tracePath = await writeCampaignReport(final, run, r, notes);
    const reproduce = `${tool} fuzz ${name} --seed ${seed} --runs ${runs} --depth ${depth}${r.path ? ` --path ${r.path}` : ''}${o.set.map((x) => ` --set ${x}`).join('')}${o.mutant ? ` --mutant ${o.mutant}` : ''}${o.invariants.map((x) => ` --invariant ${x}`).join('')}`;
    const expected = p.adHoc ? 'ad hoc' : expect.kind === 'violates' ? `violates ${expect.invariant}` : 'holds';
    // Actions the configuration rules out (e.g. Lose with MaxLoss=0) are not news.
    const impossible = new Set(run.check.model.impossibleActions?.(planned.constants) ?? []);
    const neverTaken = r.neverTaken.filter((n) => !impossible.has(n));
    if (p.json) {
      const { trace: _, ...rest } = r;
      io.out(
        JSON.stringify({ campaign: name, spec: run.campaign?.check ?? name, constants: planned.constants, mutant: planned.mutant, expected, met, depth, ...rest, neverTaken, impossible: r.neverTaken.filter((n) => impossible.has(n)), tracePath, reproduce, tool: { name: tool, version: VERSION } }) + '\n',
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
      p.adHoc ? '-' : met ? 'yes' : 'NO',
    ]);
    if (neverTaken.length > 0) notes.push(`  ${name}: actions never taken: ${neverTaken.join(', ')}`);
    if (tracePath) notes.push(`  ${name}: shrunk counterexample of ${r.traceLength} states written to ${tracePath}`);
    if (p.adHoc && r.result === 'violation') notes.push(`  ${name}: ${r.invariant} violated; reproduce with: ${reproduce}`);
    else if (!met && !p.adHoc) notes.push(`  ${name}: FAILED (seed ${seed}${r.path ? `, path ${r.path}` : ''}); reproduce with: ${reproduce}`);
  }
  return { plan: p, rows, notes, allMet, found, pathProblem };
}

/** The table, the notes and the verdict line; the exit code. */
function renderCampaigns({ plan: p, rows, notes, allMet, found, pathProblem }: FuzzOutcome, { io }: Context): number {
  if (!p.json) {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    io.out(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n');
    if (notes.length > 0) io.out(notes.join('\n') + '\n');
    const n = `${p.runs.length} campaign${p.runs.length === 1 ? '' : 's'}`;
    if (!pathProblem) io.out(p.adHoc ? `${n} ad hoc (no expectation), ${found ? 'a violation found' : 'nothing found'}.\n` : allMet ? `${n}, every expectation met.\n` : `${n}: some campaign did not meet its expectation.\n`);
  }
  // The results are printed; a --path that replays nothing is the user's mistake.
  if (pathProblem) throw new UsageError(pathProblem);
  // As `check`: an ad hoc run's code says what it found.
  if (p.adHoc) return found ? EXIT.violation : EXIT.ok;
  return allMet ? EXIT.ok : EXIT.failed;
}

/** A `fuzz --shard i/K` command, planned: the campaign, the shard's options, and where its result goes. */
interface ShardPlan {
  readonly kind: 'shard';
  readonly name: string;
  readonly options: ShardOptions;
  readonly out: string | undefined;
}

/** `fuzz [CAMPAIGN...]`. */
export const fuzzCommand = defineCommand({
  command: 'fuzz [names..]',
  describe: 'random behaviours, shrunk to short counterexamples (campaigns from `list`, or spec names)',
  positionals: { names: { type: 'string', array: true, default: [] as string[] } },
  options: {
    ...overrideOptions,
    runs: { type: 'string', describe: "behaviours to generate (default: the campaign's, or 1000)" },
    depth: { type: 'string', describe: "steps per behaviour at most (default: the campaign's, or 100)" },
    seed: { type: 'string', describe: "fast-check's seed (default: the campaign's, or 1)" },
    path: { type: 'string', describe: "fast-check's path of a failing run, to replay it" },
    json: { type: 'boolean', default: false, describe: 'print one JSON object per campaign' },
    'report-dir': { type: 'string', describe: 'write DIR/<campaign>/trace.json for each counterexample' },
    shard: { type: 'string', describe: 'run shard i of K of one campaign (i/K, from 0): its own seed and strategy mix; one JSON result for `merge`' },
    out: { type: 'string', describe: 'with --shard: write the shard result to FILE (default: print it)' },
    'time-limit': { type: 'number', describe: 'with --shard: stop generating after this many seconds' },
  },
  async load(a, ctx): Promise<FuzzPlan | ShardPlan> {
    const o = overridesOf(a);
    if (a.shard !== undefined) {
      const shard = a.shard;
      // Options arrive as words (numberOption checks them as every command does).
      const runs = numberOption('runs', a.runs);
      const depth = numberOption('depth', a.depth);
      const seed = numberOption('seed', a.seed, { min: -(2 ** 31) });
      const { name, options } = planShard(ctx.catalog, { names: a.names, shard, overrides: o, runs, depth, seed, path: a.path, timeLimit: a['time-limit'] });
      return { kind: 'shard', name, options, out: a.out };
    }
    const names = a.names.length > 0 ? a.names : ctx.catalog.campaigns.map((f) => f.name);
    if (a.path !== undefined && !/^\d+(:\d+)*$/.test(a.path)) {
      throw new UsageError(`--path takes the path a failing fuzz run printed, numbers separated by ':' such as 12:0:3 (got '${a.path}').`);
    }
    const budget = {
      runs: numberOption('runs', a.runs),
      depth: numberOption('depth', a.depth),
      seed: numberOption('seed', a.seed, { min: -(2 ** 31) }),
    };
    if (a['report-dir']) checkWritableDir(a['report-dir']);
    const runs: PlannedRun[] = [];
    for (const name of names) runs.push(await planRun(name, budget, o, ctx));
    return { kind: 'campaigns', runs, overrides: o, adHoc: changesCheck(o), path: a.path, json: a.json, reportDir: a['report-dir'] };
  },
  async run(p, ctx): Promise<FuzzOutcome | { readonly shard: ShardResult; readonly out: string | undefined }> {
    return p.kind === 'shard' ? { shard: runShard(ctx.catalog, ctx.tool, p.name, p.options), out: p.out } : runCampaigns(p, ctx);
  },
  render: (r, ctx) => ('shard' in r ? writeShardResult(r.shard, r.out, ctx.io) : renderCampaigns(r, ctx)),
});
