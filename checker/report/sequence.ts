/**
 * The message-sequence chart of a trace, as Graphviz DOT: one lane per node (from the
 * spec's `nodes` and `describeStep`), time flowing down, one row per step (numbered by the
 * state it leads to, as the SVG chart, the step list and `trace.txt` number it); a message is
 * an edge from the step that sent it to the step that received it (a lost one ends in a red
 * cross), local events sit on their lane, and the violating state is marked at the bottom
 * with the invariant's name. Written for Graphviz users: the report's own chart,
 * `sequence.svg`, is laid out by `swimlane.ts`. Generic: everything GFS-specific comes from
 * the spec's hooks.
 */
import type { Action, Spec, StepInfo } from '../core/spec.js';
import { formatAction } from '../core/spec.js';
import type { Trace } from '../core/trace.js';

const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** The step descriptions of a trace (without `describeStep`, every step is the spec's own, on one lane named after it). */
export function describeTrace<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>): StepInfo[] {
  return trace.actions.map((a, i) =>
    spec.describeStep ? spec.describeStep(trace.states[i]!, a as A, trace.states[i + 1]!) : { node: spec.name, sent: [], events: [] },
  );
}

/** Message deliveries of a trace: [send step, receive step, message label], and losses. */
export function deliveries(infos: readonly StepInfo[]): { delivered: [number, number, string][]; lost: [number, number, string][] } {
  const open = new Map<string, number[]>();
  const delivered: [number, number, string][] = [];
  const lost: [number, number, string][] = [];
  infos.forEach((info, i) => {
    const take = (id: string): number | undefined => {
      const q = open.get(id);
      return q && q.length > 0 ? q.pop() : undefined;
    };
    if (info.received) {
      const from = take(info.received.id);
      if (from !== undefined) delivered.push([from, i, info.received.label]);
    }
    for (const m of info.lost ?? []) {
      const from = take(m.id);
      if (from !== undefined) lost.push([from, i, m.label]);
    }
    for (const m of info.sent) {
      if (!open.has(m.id)) open.set(m.id, []);
      open.get(m.id)!.push(i);
    }
  });
  return { delivered, lost };
}

/** The DOT text of a trace's sequence chart. */
export function sequenceDot<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, invariant: string | null): string {
  const infos = describeTrace(spec, trace);
  const lanes = [...(spec.nodes ?? [])];
  for (const info of infos) if (!lanes.includes(info.node)) lanes.push(info.node);
  const L = lanes.length;
  const rows = infos.length;
  const id = (lane: number, row: number): string => `n${lane}_${row}`;
  const lines = [
    `digraph "sequence" {`,
    '  rankdir=TB; newrank=true; splines=true; nodesep=0.6; ranksep=0.25;',
    '  node [shape=point, width=0.05, color="#999999"]; edge [arrowhead=none, color="#cccccc"];',
  ];
  // Lane headers and the lanes themselves (invisible chains keep the columns straight).
  lines.push(`  { rank=same; ${lanes.map((l, i) => `h${i} [shape=box, style="rounded,filled", fillcolor="#e8eef7", label="${esc(l)}", width=1.2]`).join('; ')} }`);
  for (let i = 0; i + 1 < L; i++) lines.push(`  h${i} -> h${i + 1} [style=invis];`);
  for (let r = 0; r <= rows; r++) {
    const cells: string[] = [];
    for (let l = 0; l < L; l++) {
      const info = infos[r];
      const acting = info && lanes[l] === info.node;
      if (acting) {
        const text = [formatAction(trace.actions[r]!), ...info.events].map(esc).join('\\n');
        cells.push(`${id(l, r)} [shape=box, style="rounded", fontsize=9, color="#335599", label="${r + 2}. ${text}"]`);
      } else if (r === rows) {
        cells.push(`${id(l, r)} [shape=point, width=0.05]`);
      } else {
        cells.push(`${id(l, r)}`);
      }
    }
    lines.push(`  { rank=same; ${cells.join('; ')} }`);
  }
  for (let l = 0; l < L; l++) {
    lines.push(`  h${l} -> ${id(l, 0)};`);
    for (let r = 0; r < rows; r++) lines.push(`  ${id(l, r)} -> ${id(l, r + 1)};`);
  }
  const { delivered, lost } = deliveries(infos);
  const lane = (r: number): number => lanes.indexOf(infos[r]!.node);
  for (const [from, to, label] of delivered) {
    lines.push(`  ${id(lane(from), from)} -> ${id(lane(to), to)} [constraint=false, arrowhead=normal, color="#1f5fbf", fontcolor="#1f5fbf", fontsize=8, label="${esc(label)}"];`);
  }
  for (const [from, at, label] of lost) {
    lines.push(`  lost${from}_${at} [shape=plaintext, fontcolor=red, label="✗ lost"];`);
    lines.push(`  { rank=same; ${id(lane(at), at)}; lost${from}_${at} }`);
    lines.push(`  ${id(lane(from), from)} -> lost${from}_${at} [constraint=false, arrowhead=normal, style=dashed, color=red, fontcolor=red, fontsize=8, label="${esc(label)}"];`);
  }
  if (invariant) {
    lines.push(`  violation [shape=box, style=filled, fillcolor="#ffdddd", color=red, fontcolor="#aa0000", label="state ${trace.states.length}: ${esc(invariant)} violated"];`);
    lines.push(`  ${id(0, rows)} -> violation [style=invis];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
