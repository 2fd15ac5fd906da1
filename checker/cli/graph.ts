/**
 * The whole state graph of a small spec as Graphviz DOT (and SVG through graphviz-cli):
 * one node per distinct state, one edge per transition labelled with its action, the
 * initial states double-circled, and a counterexample path, when given, drawn in red. With
 * a depth bound it draws only the states within that many (in states, initial = 1).
 */
import { Fingerprinter } from '../core/hash.js';
import { formatAction } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import type { AnySpec } from './catalog.js';
import { UsageError } from './errors.js';

const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Builds the DOT text of the state graph; refuses (UsageError) above `maxStates` states. */
export function stateGraphDot(spec: AnySpec, maxStates: number, highlight?: Trace<unknown>, maxDepth = Infinity, symmetry = false): string {
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
        throw new UsageError(
          `the state graph of ${spec.name} has more than ${maxStates} states; graphs are for small configurations (raise --max-states, or pick a smaller one).`,
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
  const lines = [`digraph "${esc(spec.name)}" {`, '  rankdir=TB;', '  node [shape=circle, fontsize=10];', '  edge [fontsize=8];'];
  states.forEach((s, i) => {
    const attrs = [`label="${i}"`, `tooltip="${esc(view(s))}"`];
    if (inits.includes(i)) attrs.push('shape=doublecircle');
    if (pathNodes.has(i)) attrs.push('color=red', 'fontcolor=red');
    if (highlight && i === [...pathNodes].at(-1)) attrs.push('style=filled', 'fillcolor="#ffdddd"');
    lines.push(`  s${i} [${attrs.join(', ')}];`);
  });
  for (const [a, b, label] of edges) {
    const hot = onPath.has(`${a}>${b}>${label}`);
    lines.push(`  s${a} -> s${b} [label="${esc(label)}"${hot ? ', color=red, fontcolor=red, penwidth=2' : ''}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Renders DOT to SVG with graphviz-cli (Graphviz compiled to WebAssembly). */
export async function dotToSvg(dot: string): Promise<string> {
  const { renderGraphFromSource } = (await import('graphviz-cli')) as {
    renderGraphFromSource: (input: { input: string }, output: { format: string }) => Promise<string>;
  };
  return renderGraphFromSource({ input: dot }, { format: 'svg' });
}
