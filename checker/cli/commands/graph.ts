/**
 * `graph SPEC --out FILE.dot|FILE.svg`: draws the whole state graph of a small configuration
 * (the drawing is `checker/report/graph.ts`'s), with the first counterexample in red.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { check } from '../../core/explore.js';
import { formatAction } from '../../core/spec.js';
import { dotToSvg, GRAPH_LIMITS, GraphTooLarge, stateGraph } from '../../report/graph.js';
import { defineCommand } from '../command.js';
import { EXIT, UsageError } from '../errors.js';
import { makeDirs, writeFileAtomic } from '../files.js';
import { numberOption, overrideOptions, overridesOf } from '../options.js';
import { planCheck, requireCheck, type PlannedCheck } from '../plan.js';

/** `graph SPEC`. */
export const graphCommand = defineCommand({
  command: 'graph <spec>',
  describe: 'draw the whole state graph of a small configuration (DOT or SVG)',
  positionals: { spec: { type: 'string', demandOption: true } },
  options: {
    out: { type: 'string', demandOption: true, describe: 'FILE.dot or FILE.svg' },
    ...overrideOptions,
    'max-states': { type: 'string', describe: `refuse graphs larger than this (default and most: ${GRAPH_LIMITS.svg} for SVG, ${GRAPH_LIMITS.dot} for DOT)` },
    'max-depth': { type: 'string', describe: 'draw only the states within this depth (in states)' },
  },
  async load(a, { tool, catalog }): Promise<{ out: string; svg: boolean; p: PlannedCheck; maxStates: number; maxDepth: number | undefined }> {
    if (!/\.(dot|svg)$/.test(a.out)) throw new UsageError(`--out must end in .dot or .svg (got ${a.out}).`);
    const svg = a.out.endsWith('.svg');
    const p = planCheck(await requireCheck(catalog, a.spec, tool), overridesOf(a), catalog.module);
    const limit = svg ? GRAPH_LIMITS.svg : GRAPH_LIMITS.dot;
    const maxStates = numberOption('max-states', a['max-states'] ?? String(limit), { max: limit })!;
    const maxDepth = numberOption('max-depth', a['max-depth']);
    // The folder first: nothing is computed for a file that cannot be written.
    makeDirs(dirname(resolvePath(a.out)));
    return { out: a.out, svg, p, maxStates, maxDepth };
  },
  async run({ out, svg, p, maxStates, maxDepth }, { io }) {
    const r = check(p.spec, {
      ...(p.invariants ? { invariants: p.invariants } : {}),
      maxStates: maxStates + 1,
      ...(maxDepth !== undefined ? { maxDepth } : {}),
      symmetry: false,
    });
    const highlight = r.kind === 'violation' ? r.violations[0]!.trace : undefined;
    let g;
    try {
      g = stateGraph(p.spec, maxStates, highlight, maxDepth, false, p.label);
    } catch (e) {
      if (e instanceof GraphTooLarge) throw new UsageError(e.message);
      throw e;
    }
    if (svg && g.states > 100) io.err(`laying out ${g.states} states and ${g.edges} transitions with graphviz...\n`);
    const started = Date.now();
    writeFileAtomic(out, svg ? await dotToSvg(g.dot) : g.dot);
    if (svg && g.states > 100) io.err(`laid out in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    return { out, label: p.label, states: g.states, edges: g.edges, highlight };
  },
  render({ out, label, states, edges, highlight }, { io }) {
    io.out(
      `${out}: state graph of ${label}, ${states} states, ${edges} transitions${highlight ? `, counterexample of ${highlight.states.length} states in red (${highlight.actions.map(formatAction).join(' -> ')})` : ''}.\n`,
    );
    return EXIT.ok;
  },
});
