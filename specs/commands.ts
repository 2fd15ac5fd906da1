/**
 * The GFS catalog's own commands: `measure` (the lease-length trade-off, `specs/measure.ts`)
 * and `scenario` (the seed's example, `specs/scenarios.ts`). The generic CLI registers them
 * from the program (`specs/program.ts`) and runs them through the same stages as its own (`checker/cli/command.ts`);
 * the logic lives here and in those modules.
 */
import { join } from 'node:path';
import { defineCommand } from '../checker/cli/command.js';
import { UsageError } from '../checker/cli/errors.js';
import { writeReport } from '../checker/report/report.js';
import { formatAction } from '../checker/core/spec.js';
import type { SweepPoint } from './measure.js';

// The commands' modules load when a command runs: vega is large, and every other command
// (and test) that imports the program would load it for nothing.
const measureModule = () => import('./measure.js');
const scenarioModule = () => import('./scenarios.js');

const ints = (v: readonly number[] | undefined, name: string, lo: number, hi: number, dflt: readonly number[]): number[] => {
  const xs = v === undefined ? [...dflt] : v.map(Number);
  for (const x of xs) {
    if (!Number.isInteger(x) || x < lo || x > hi) throw new UsageError(`--${name} takes integers from ${lo} to ${hi} (got ${String(x)}).`);
  }
  return [...new Set(xs)].sort((a, b) => a - b);
};

/** `leasecheck measure`: the sweep of L and S, as a table, and with `--out` the plot and witnesses. */
export const measureCommand = defineCommand({
  command: 'measure',
  describe: 'measure the lease-length trade-off (recovery delay and master load) over L and S',
  positionals: {},
  options: {
    L: { type: 'number', array: true, describe: 'lease durations to sweep (default 1..6)' },
    S: { type: 'number', array: true, describe: 'skew bounds to sweep (default 1..3)' },
    'max-states': { type: 'number', describe: 'states per model before a point is left out (default 3,000,000)' },
    out: { type: 'string', describe: 'write table.md, tradeoff.svg, points.json and witness traces to DIR' },
    json: { type: 'boolean', default: false, describe: 'print the points as JSON lines' },
  },
  async load(a) {
    const m = await measureModule();
    const Ls = ints(a.L, 'L', 1, 15, m.LS);
    const Ss = ints(a.S, 'S', 1, 15, m.SS);
    const max = a['max-states'] === undefined ? m.MAX_STATES : Number(a['max-states']);
    if (!Number.isInteger(max) || max < 1) throw new UsageError(`--max-states takes a positive integer (got ${String(a['max-states'])}).`);
    for (const S of Ss) for (const L of Ls) if (L + S > 31) throw new UsageError(`S + L must be at most 31 (got S=${S}, L=${L}).`);
    return { m, Ls, Ss, max, json: a.json, out: a.out };
  },
  async run({ m, Ls, Ss, max, json, out }, { io }) {
    const points: SweepPoint[] = [];
    for (const S of Ss) {
      for (const L of Ls) {
        const q = m.measurePoint(L, S, max);
        points.push(q);
        // Each point as it is measured: a sweep takes minutes.
        if (json) {
          const { witnesses: _, ...rest } = q;
          io.out(JSON.stringify(rest) + '\n');
        }
      }
    }
    const at = points.find((q) => q.L === 3 && q.S === 1) ?? points[0]!;
    const files = out !== undefined ? await m.writeSweep(out, points, { L: at.L, S: at.S }) : null;
    return { m, points, files, json };
  },
  render({ m, points, files, json }, { io }) {
    if (!json) io.out(m.sweepTable(points));
    if (files && !json) io.out(`wrote ${files.join(', ')}\n`);
    return 0;
  },
});

/** What a scenario search found: the text to print, and the report written (when asked for). */
type ScenarioOutcome =
  | { readonly found: false; readonly text: string }
  | { readonly found: true; readonly text: string; readonly report: { readonly dir: string; readonly errors: readonly string[] } | null };

/** `leasecheck scenario seed-example`: the seed's example as a behaviour, with a report. */
export const scenarioCommand = defineCommand({
  command: 'scenario <name>',
  describe: "find a behaviour through a scenario's milestones (seed-example: the seed's worked example)",
  positionals: { name: { type: 'string', demandOption: true, describe: 'the scenario (seed-example)' } },
  options: {
    exact: { type: 'boolean', default: false, describe: 'search the whole product for the shortest behaviour (large: bound it with --time-limit)' },
    'time-limit': { type: 'number', describe: 'stop the exact search after this many seconds' },
    'report-dir': { type: 'string', describe: 'write DIR/<scenario>/ (trace, chart, HTML)' },
  },
  load(a) {
    if (a.name !== 'seed-example') throw new UsageError(`unknown scenario '${String(a.name)}'; scenarios: seed-example.`);
    return { exact: a.exact, timeLimit: a['time-limit'], reportDir: a['report-dir'] };
  },
  async run({ exact, timeLimit, reportDir }): Promise<ScenarioOutcome> {
    const { findSeedExample, findSeedExampleStaged, SEED_CONSTANTS, seedMilestones, seedSpec } = await scenarioModule();
    const spec = seedSpec();
    const names = seedMilestones(spec.params).map((m) => m.name);
    let trace;
    let reachedAt: readonly number[];
    let how: string;
    if (exact) {
      const limit = timeLimit === undefined ? undefined : Number(timeLimit) * 1000;
      const r = findSeedExample(limit === undefined ? {} : { timeLimitMs: limit });
      if (r.kind === 'none') return { found: false, text: `no behaviour passes every milestone (at most ${r.mostPassed} of ${names.length}); ${r.stats.distinctStates} product states.\n` };
      if (r.kind !== 'found') {
        return { found: false, text: `exact search ${r.kind}${'reason' in r ? ` (${r.reason})` : ''}: no behaviour of fewer than ${r.stats.depth} states passes every milestone; ${r.stats.distinctStates} product states explored.\n` };
      }
      ({ trace, reachedAt } = r);
      how = 'shortest';
    } else {
      const r = findSeedExampleStaged();
      if (r.kind !== 'found') return { found: false, text: `staged search ${r.kind} at milestone ${names[r.stage]}.\n` };
      ({ trace, reachedAt } = r);
      how = 'staged (each milestone reached by a shortest path from the previous one)';
    }
    const steps = names.map((n, i) => `  ${n}: state ${reachedAt[i]! + 1}, after ${formatAction(trace.actions[reachedAt[i]! - 1]!)}\n`);
    const text = `seed-example: a behaviour of ${trace.states.length} states through all ${names.length} milestones, ${how}.\n${steps.join('')}`;
    if (reportDir === undefined) return { found: true, text, report: null };
    // Each milestone is marked on the chart, at the step that passes it.
    const marks = new Map<unknown, string[]>();
    names.forEach((n, i) => {
      const at = trace.states[reachedAt[i]!];
      marks.set(at, [...(marks.get(at) ?? []), `milestone ${i + 1}: ${n}`]);
    });
    const describe = spec.describeStep!;
    const marked = {
      ...spec,
      describeStep: (b: (typeof trace.states)[number], act: Parameters<typeof describe>[1], t: (typeof trace.states)[number]) => {
        const info = describe(b, act, t);
        return { ...info, events: [...info.events, ...(marks.get(t) ?? [])] };
      },
    };
    const report = await writeReport(join(reportDir, 'seed-example'), marked, trace, {
      spec: 'seed-example',
      model: 'gfs-lease',
      constants: { ...SEED_CONSTANTS } as unknown as Record<string, number | boolean>,
      mutant: null,
      symmetry: false,
      invariant: null,
      kind: null,
      result: `scenario: ${names.join(' -> ')}`,
    });
    return { found: true, text, report: { dir: report.dir, errors: report.errors } };
  },
  render(r, { io }) {
    io.out(r.text);
    if (!r.found) return 1;
    if (r.report) {
      for (const e of r.report.errors) io.err(`${e}\n`);
      io.out(`wrote ${r.report.dir}/\n`);
    }
    return 0;
  },
});
