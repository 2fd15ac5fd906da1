/**
 * The whole state graph of a small spec as Graphviz DOT (and SVG through graphviz-cli):
 * one node per distinct state, one edge per transition labelled with its action, the
 * initial states double-circled, and a counterexample path, when given, drawn in red. With
 * a depth bound it draws only the states within that many (in states, initial = 1).
 */
import { Fingerprinter } from '../core/hash.js';
import { formatAction } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import type { AnySpec } from '../core/spec.js';

const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * The most states `graph` draws: an SVG beyond a few hundred states takes graphviz minutes to
 * lay out and cannot be read (docs/performance.md has the timings); DOT text is for other tools.
 */
export const GRAPH_LIMITS = { svg: 400, dot: 5000 } as const;

/** Above this many transitions, edge labels move into tooltips (the red path keeps its labels). */
const EDGE_LABELS_UP_TO = 200;

/**
 * A state graph larger than the bound it was given: the caller's input was too large (the
 * CLI reports it as a usage error).
 */
export class GraphTooLarge extends Error {
  override readonly name = 'GraphTooLarge';
}

/** Builds the DOT text of the state graph; refuses ({@link GraphTooLarge}) above `maxStates` states. */
export function stateGraphDot(spec: AnySpec, maxStates: number, highlight?: Trace<unknown>, maxDepth = Infinity, symmetry = false): string {
  return stateGraph(spec, maxStates, highlight, maxDepth, symmetry).dot;
}

/** The state graph as DOT with its size; refuses ({@link GraphTooLarge}) above `maxStates` states. */
export function stateGraph(
  spec: AnySpec,
  maxStates: number,
  highlight?: Trace<unknown>,
  maxDepth = Infinity,
  symmetry = false,
  name = spec.name,
): { dot: string; states: number; edges: number } {
  const fp = new Fingerprinter();
  const canon = symmetry && spec.canonicalize ? spec.canonicalize.bind(spec) : (s: unknown) => s;
  const key = (s: unknown): string => {
    fp.state(spec, canon(s));
    return `${fp.hi}:${fp.lo}`;
  };
  const ids = new Map<string, number>();
  const states: unknown[] = [];
  const depth: number[] = [];
  const edges: [number, number, string][] = [];
  const visit = (s: unknown, d: number): number => {
    const k = key(s);
    let id = ids.get(k);
    if (id === undefined) {
      if (ids.size >= maxStates) {
        throw new GraphTooLarge(
          `the state graph of ${name} has more than ${maxStates} states; graphs are for small configurations: lower --max-depth or pick a smaller configuration (at most ${GRAPH_LIMITS.svg} states as SVG, ${GRAPH_LIMITS.dot} as DOT, with --max-states).`,
        );
      }
      id = ids.size;
      ids.set(k, id);
      states.push(s);
      depth.push(d);
    }
    return id;
  };
  const inits = spec.initStates().map((s) => visit(s, 1));
  for (let i = 0; i < states.length; i++) {
    if (depth[i]! >= maxDepth) continue;
    const s = states[i];
    for (const a of spec.actions(s)) edges.push([i, visit(spec.next(s, a), depth[i]! + 1), formatAction(a)]);
  }
  const onPath = new Set<string>();
  const pathNodes = new Set<number>();
  if (highlight) {
    const pathIds = highlight.states.map((s) => ids.get(key(s)));
    pathIds.forEach((id) => id !== undefined && pathNodes.add(id));
    for (let i = 0; i + 1 < pathIds.length; i++) onPath.add(`${pathIds[i]}>${pathIds[i + 1]}>${formatAction(highlight.actions[i]!)}`);
  }
  const view = (s: unknown): string => JSON.stringify(spec.toJSON ? spec.toJSON(s) : s);
  // One rank per depth, small fixed-size nodes, and edge labels only where they fit: the
  // layout stays a picture of the search's levels at the sizes GRAPH_LIMITS allows.
  const labels = edges.length <= EDGE_LABELS_UP_TO;
  const lines = [
    `digraph "${esc(spec.name)}" {`,
    '  rankdir=TB; nodesep=0.12; ranksep=0.5; newrank=true;',
    '  node [shape=circle, fixedsize=true, width=0.32, fontsize=8];',
    '  edge [fontsize=7, arrowsize=0.5, color="#00000080"];',
  ];
  states.forEach((s, i) => {
    const attrs = [`label="${i}"`, `tooltip="${esc(view(s))}"`];
    if (inits.includes(i)) attrs.push('shape=doublecircle');
    if (pathNodes.has(i)) attrs.push('color=red', 'fontcolor=red');
    if (highlight && i === [...pathNodes].at(-1)) attrs.push('style=filled', 'fillcolor="#ffdddd"');
    lines.push(`  s${i} [${attrs.join(', ')}];`);
  });
  const byDepth = new Map<number, number[]>();
  depth.forEach((d, i) => byDepth.set(d, [...(byDepth.get(d) ?? []), i]));
  for (const [, ids] of [...byDepth].sort((x, y) => x[0] - y[0])) lines.push(`  { rank=same; ${ids.map((i) => `s${i};`).join(' ')} }`);
  for (const [a, b, label] of edges) {
    const hot = onPath.has(`${a}>${b}>${label}`);
    const text = labels || hot ? `label="${esc(label)}"` : `tooltip="${esc(label)}"`;
    lines.push(`  s${a} -> s${b} [${text}${hot ? ', color=red, fontcolor=red, penwidth=2' : ''}];`);
  }
  lines.push('}');
  return { dot: lines.join('\n') + '\n', states: states.length, edges: edges.length };
}

/** Renders DOT to SVG with graphviz-cli (Graphviz compiled to WebAssembly). */
export async function dotToSvg(dot: string): Promise<string> {
  const { renderGraphFromSource } = (await import('graphviz-cli')) as {
    renderGraphFromSource: (input: { input: string }, output: { format: string }) => Promise<string>;
  };
  return renderGraphFromSource({ input: dot }, { format: 'svg' });
}
