/**
 * The swimlane chart of a trace as a self-contained SVG, laid out here rather than by
 * Graphviz so that it stays a swimlane chart: one straight vertical lane per node at a fixed
 * x, one row per step (numbered by the state it leads to, as `trace.txt` and the step list
 * number it), messages as straight arrows from the sending step to the receiving one, lost
 * messages as red dashed arrows ending in a cross, messages still in flight at the end as
 * dashed arrows to the bottom of their addressee's lane, and a crashed node's lane drawn
 * down while it is. With the spec's `timeline` hook, a lease timeline on the same rows: each
 * node's elapsed clock, bars for who it believes holds the lease, and the overlaps (two
 * holders believed at once) shaded across the whole chart and labelled.
 */
import type { Action, Spec, StepInfo, StepMessage } from '../core/spec.js';
import { formatAction } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import { describeTrace } from './sequence.js';
import { traceTimeline, type TimelineState } from './timeline.js';

const x = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Geometry, in px. */
export const LAYOUT = { laneW: 190, left: 44, headH: 34, lineH: 12, pad: 4, gap: 13, tlColW: 122 } as const;

/** A message's path through the trace: sent at step `from`, then delivered, lost, or still in flight. */
export interface MessageFlow {
  readonly msg: StepMessage;
  readonly from: number;
  readonly to: number | null;
  readonly fate: 'delivered' | 'lost' | 'in flight';
}

/** Every message of a trace with its fate (a message sent twice with the same id is matched last in, first out). */
export function messageFlows(infos: readonly StepInfo[]): MessageFlow[] {
  const open = new Map<string, { msg: StepMessage; from: number }[]>();
  const flows: MessageFlow[] = [];
  infos.forEach((info, i) => {
    const take = (id: string): { msg: StepMessage; from: number } | undefined => open.get(id)?.pop();
    if (info.received) {
      const m = take(info.received.id);
      if (m) flows.push({ msg: m.msg, from: m.from, to: i, fate: 'delivered' });
    }
    for (const l of info.lost ?? []) {
      const m = take(l.id);
      if (m) flows.push({ msg: m.msg, from: m.from, to: i, fate: 'lost' });
    }
    for (const m of info.sent) {
      if (!open.has(m.id)) open.set(m.id, []);
      open.get(m.id)!.push({ msg: m, from: i });
    }
  });
  for (const q of open.values()) for (const m of q) flows.push({ msg: m.msg, from: m.from, to: null, fate: 'in flight' });
  return flows.sort((a, b) => a.from - b.from || (a.to ?? 1e9) - (b.to ?? 1e9));
}

/**
 * For each flow, the send step of a later message between the same two nodes that was
 * delivered before it (it overtook this one: the network reordered them), if any.
 */
export function overtakenBy(flows: readonly MessageFlow[], infos: readonly StepInfo[]): (number | null)[] {
  return flows.map((f) => {
    if (f.fate === 'lost') return null;
    const by = flows.find(
      (g) => g !== f && g.fate === 'delivered' && g.from > f.from && infos[g.from]!.node === infos[f.from]!.node && g.msg.to === f.msg.to && (f.to === null || g.to! < f.to),
    );
    return by ? by.from : null;
  });
}

const HOLDER_COLOURS = ['#2b7bd6', '#e08a00', '#2a9d4b', '#8e44ad', '#c0392b', '#16a085'];

/** What the chart needs besides the SVG text: geometry that tests and the HTML page use. */
export interface Swimlane {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
  readonly lanes: readonly string[];
  readonly flows: readonly MessageFlow[];
  readonly timeline: readonly TimelineState[] | null;
}

/** Lays out and draws the chart of `trace`; `invariant` names the violated property, if any. */
export function swimlane<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>, invariant: string | null): Swimlane {
  const c = new SwimlaneChart(spec, trace, invariant);
  c.drawHead();
  // Overlap bands first, under everything; their labels go on top of everything, at the end.
  const overlapLabels = c.drawOverlaps();
  c.drawLanes();
  c.drawSteps();
  c.drawMessages();
  c.drawTimeline();
  c.drawLoop();
  c.out.push(...overlapLabels);
  c.drawViolation();
  c.out.push('</svg>');
  return { svg: c.out.join('\n') + '\n', width: c.width, height: c.height, lanes: c.lanes, flows: c.flows, timeline: c.timeline };
}

/** The chart's layout (computed once, in the constructor) and its parts, drawn in order into `out`. */
class SwimlaneChart<S, A extends Action> {
  readonly out: string[] = [];
  readonly infos: StepInfo[];
  readonly lanes: string[];
  readonly boxW = LAYOUT.laneW - 22;
  readonly flows: MessageFlow[];
  readonly pending: MessageFlow[];
  readonly timeline: TimelineState[] | null;
  // Rows: state k (1-based) spans [stateTop[k-1], stateTop[k]); step i (to state i + 2) is a box in state i + 1's span.
  readonly rowTop: number[] = [];
  readonly rowH: number[] = [];
  readonly stateTop: number[] = [LAYOUT.headH + 4];
  readonly endY: number;
  readonly lanesW: number;
  /** Timeline columns: the nodes with a clock or a claim, in lane order. */
  readonly tlNodes: string[];
  readonly tlX: number;
  readonly width: number;
  readonly height: number;

  constructor(
    spec: Spec<S, A>,
    readonly trace: Trace<S>,
    readonly invariant: string | null,
  ) {
    const { laneW, left, headH, lineH, pad, gap, tlColW } = LAYOUT;
    this.infos = describeTrace(spec, trace);
    const lanes = [...(spec.nodes ?? [])];
    for (const info of this.infos) if (!lanes.includes(info.node)) lanes.push(info.node);
    if (lanes.length === 0) lanes.push('spec');
    this.lanes = lanes;
    this.flows = messageFlows(this.infos);
    this.pending = this.flows.filter((f) => f.fate === 'in flight');
    this.timeline = traceTimeline(spec, trace);
    let y = headH + gap + 6;
    this.infos.forEach((info, i) => {
      const lines = 1 + info.events.length;
      this.rowTop.push(y);
      this.rowH.push(lines * lineH + 2 * pad);
      y += this.rowH[i]! + gap;
      this.stateTop.push(y - gap / 2);
    });
    this.endY = y + 10 + this.pending.length * 20;
    this.stateTop.push(this.endY);
    this.lanesW = left + laneW * lanes.length;
    this.tlNodes = this.timeline ? timelineNodes(this.timeline, lanes) : [];
    this.tlX = this.lanesW + 28;
    this.width = this.timeline ? this.tlX + tlColW * this.tlNodes.length + 8 : this.lanesW + 8;
    const violH = invariant ? 34 : 0;
    this.height = this.endY + violH + 12;
  }

  laneOf(node: string): number {
    return Math.max(0, this.lanes.indexOf(node));
  }

  laneX(l: number): number {
    return LAYOUT.left + LAYOUT.laneW * l + LAYOUT.laneW / 2;
  }

  clip(s: string): string {
    return clipTo(s, Math.floor((this.boxW - 8) / 5.9));
  }

  clipEvent(s: string): string {
    return clipTo(s, Math.floor((this.boxW - 6) / 5.1));
  }

  drawHead(): void {
    const { width, height } = this;
    this.out.push(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="10.5">`,
      `<defs><marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f5fbf"/></marker>` +
        `<marker id="ahp" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10" fill="none" stroke="#7b3fb5" stroke-width="1.6"/></marker>` +
        `<pattern id="down" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#f4f4f4"/><line x1="0" y1="0" x2="0" y2="8" stroke="#d9d9d9" stroke-width="3"/></pattern></defs>`,
      `<rect width="${width}" height="${height}" fill="#fff"/>`,
    );
  }

  /** One band per run of overlapping states; returns their labels (drawn last, on top). */
  drawOverlaps(): string[] {
    const { timeline, stateTop, width, out } = this;
    const overlapLabels: string[] = [];
    if (!timeline) return overlapLabels;
    for (let k = 0; k < timeline.length; ) {
      if (timeline[k]!.overlap.length === 0) {
        k++;
        continue;
      }
      let e = k;
      while (e + 1 < timeline.length && timeline[e + 1]!.overlap.join() === timeline[k]!.overlap.join()) e++;
      const y0 = stateTop[k]!;
      const y1 = stateTop[e + 1]!;
      out.push(
        `<g class="overlap" data-states="${k + 1}-${e + 1}"><rect x="4" y="${y0}" width="${width - 8}" height="${y1 - y0}" fill="#e53935" fill-opacity="0.10" stroke="#e53935" stroke-opacity="0.5" stroke-dasharray="3 2"/>` +
          '</g>',
      );
      overlapLabels.push(
        `<text class="overlap-label" x="${width - 10}" y="${y1 - 5}" text-anchor="end" fill="#b71c1c" font-weight="600" stroke="#fff" stroke-width="3" paint-order="stroke">overlap: ${x(timeline[k]!.overlap.join(' and '))} hold the lease at once (state${e > k ? `s ${k + 1}–${e + 1}` : ` ${k + 1}`})</text>`,
      );
      k = e + 1;
    }
    return overlapLabels;
  }

  /** Headers, step numbers, lanes (down segments hatched and dashed). */
  drawLanes(): void {
    const { timeline, stateTop, boxW, out } = this;
    this.lanes.forEach((l, i) => {
      const cx = this.laneX(i);
      out.push(`<g class="lane" data-lane="${x(l)}"><rect class="lane-head" x="${cx - 40}" y="6" width="80" height="22" rx="5" fill="#e8eef7" stroke="#8aa4cc"/><text x="${cx}" y="21" text-anchor="middle" font-weight="600" font-size="12">${x(l)}</text>`);
      for (let k = 0; k < this.trace.states.length; k++) {
        const y0 = stateTop[k]!;
        const y1 = stateTop[k + 1]!;
        const down = timeline?.[k]?.down.includes(l) ?? false;
        if (down) {
          out.push(`<rect class="down" x="${cx - boxW / 2}" y="${y0}" width="${boxW}" height="${y1 - y0}" fill="url(#down)"/>`);
          out.push(`<line class="lane-line" x1="${cx}" y1="${y0}" x2="${cx}" y2="${y1}" stroke="#c62828" stroke-width="2" stroke-dasharray="2 4"/>`);
          if (k === 0 || !timeline![k - 1]!.down.includes(l)) out.push(`<text x="${cx + 4}" y="${y0 + 11}" fill="#c62828" font-weight="600">down</text>`);
        } else {
          out.push(`<line class="lane-line" x1="${cx}" y1="${y0}" x2="${cx}" y2="${y1}" stroke="#9e9e9e" stroke-width="1.4"/>`);
        }
      }
      out.push('</g>');
    });
    out.push(`<text x="${LAYOUT.left - 8}" y="${stateTop[0]! + 10}" text-anchor="end" fill="#888">1</text>`);
  }

  drawSteps(): void {
    const { left, pad, lineH } = LAYOUT;
    const { rowTop, rowH, boxW } = this;
    this.infos.forEach((info, i) => {
      const cx = this.laneX(this.laneOf(info.node));
      const a = this.trace.actions[i]!;
      const head = info.received ? a.name : formatAction(a);
      // A step of a node that is down (a restart) is greyed: the lane is down until it.
      const wasDown = this.timeline?.[i]?.down.includes(info.node) ?? false;
      const title = [`${i + 2}. ${formatAction(a)}`, ...info.events].join('\n');
      this.out.push(
        `<g class="step" data-step="${i + 2}" data-lane="${x(info.node)}" style="cursor:pointer"><title>${x(title)}</title>` +
          `<text class="step-n" x="${left - 8}" y="${rowTop[i]! + pad + 9}" text-anchor="end" fill="#555" font-weight="600">${i + 2}</text>` +
          `<rect x="${cx - boxW / 2}" y="${rowTop[i]}" width="${boxW}" height="${rowH[i]}" rx="4" fill="${wasDown ? '#eeeeee' : '#ffffff'}" stroke="${wasDown ? '#c62828' : '#335599'}"${wasDown ? ' stroke-dasharray="3 2"' : ''}/>` +
          `<text x="${cx}" y="${rowTop[i]! + pad + 9}" text-anchor="middle" font-weight="600">${x(this.clip(head))}</text>` +
          info.events.map((e, j) => `<text x="${cx}" y="${rowTop[i]! + pad + 9 + (j + 1) * lineH}" text-anchor="middle" fill="#444" font-size="9.5">${x(this.clipEvent(e))}</text>`).join('') +
          '</g>',
      );
    });
  }

  /** Where an arrow leaves or enters a box: its edge toward the other lane. */
  edge(lane: number, toward: number): number {
    return this.laneX(lane) + (toward > lane ? this.boxW / 2 : toward < lane ? -this.boxW / 2 : 0);
  }

  /** Messages: straight arrows between box edges. */
  drawMessages(): void {
    const { flows, infos, rowTop, rowH } = this;
    let p = 0;
    const overtaken = overtakenBy(flows, infos);
    for (const [fi, f] of flows.entries()) {
      const over = overtaken[fi] ?? null;
      // The earlier messages between the same two nodes that this one overtook.
      const overtook = f.fate === 'delivered' ? flows.filter((h, hi) => overtaken[hi] === f.from && h.msg.to === f.msg.to && infos[h.from]!.node === infos[f.from]!.node) : [];
      const fl = this.laneOf(infos[f.from]!.node);
      const tl = f.fate === 'lost' ? this.laneOf(infos[f.to!]!.node) : this.laneOf(f.msg.to);
      const x1 = this.edge(fl, tl);
      const y1 = rowTop[f.from]! + rowH[f.from]! - 3;
      if (f.fate === 'in flight') this.drawPending(f, x1, y1, fl, tl, p++, over);
      else this.drawArrived(f, x1, y1, fl, tl, over, overtook);
    }
  }

  /** A message still in flight: a dashed arrow to the bottom of its addressee's lane (the `p`-th of them). */
  drawPending(f: MessageFlow, x1: number, y1: number, fl: number, tl: number, p: number, over: number | null): void {
    const x2 = this.laneX(tl) + (tl > fl ? -3 : 3);
    const y2 = this.endY - 8 - (this.pending.length - 1 - p) * 20;
    this.out.push(
      `<g class="msg pending" data-from="${f.from + 2}"><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#7b3fb5" stroke-width="1.6" stroke-dasharray="6 4" marker-end="url(#ahp)"/>` +
        msgLabel(x1, x2, y2, `in flight${over !== null ? `, overtaken by step ${over + 2}'s` : ''}: ${f.msg.label}`, '#7b3fb5', 'msg-label') +
        '</g>',
    );
  }

  /** A delivered message (an arrow), or a lost one (red, dashed, ending in a cross). */
  drawArrived(f: MessageFlow, x1: number, y1: number, fl: number, tl: number, over: number | null, overtook: readonly MessageFlow[]): void {
    const x2 = this.edge(tl, fl);
    const y2 = this.rowTop[f.to!]! + 4;
    if (f.fate === 'lost') {
      this.out.push(
        `<g class="msg lost" data-from="${f.from + 2}" data-to="${f.to! + 2}"><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#d32f2f" stroke-width="1.3" stroke-dasharray="4 3"/>` +
          `<text x="${x2}" y="${y2 + 4}" text-anchor="middle" fill="#d32f2f" font-size="13" font-weight="700">✗</text>` +
          msgLabel(x1, x2, y2, `lost: ${f.msg.label}`, '#d32f2f', 'msg-label') +
          '</g>',
      );
    } else {
      this.out.push(
        `<g class="msg delivered" data-from="${f.from + 2}" data-to="${f.to! + 2}"><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#1f5fbf" stroke-width="1.3" marker-end="url(#ah)"/>` +
          msgLabel(x1, x2, y2, `${f.msg.label}${over !== null ? ` (overtaken by step ${over + 2}'s)` : ''}${overtook.length ? `, overtook step ${overtook.map((h) => h.from + 2).join(', ')}'s` : ''}`, overtook.length ? '#b3261e' : '#1f5fbf', 'msg-label') +
          '</g>',
      );
    }
  }

  /** The lease timeline: per node, its elapsed clock where it changes and a bar per belief. */
  drawTimeline(): void {
    const { timeline, tlX, out } = this;
    if (!timeline) return;
    const { tlColW } = LAYOUT;
    out.push(`<line x1="${tlX - 14}" y1="4" x2="${tlX - 14}" y2="${this.endY}" stroke="#ddd"/>`);
    this.tlNodes.forEach((n, j) => {
      const cx = tlX + j * tlColW;
      out.push(`<g class="tl-col" data-node="${x(n)}"><text x="${cx + tlColW / 2 - 6}" y="13" text-anchor="middle" font-weight="600">${x(n)}</text><text x="${cx + tlColW / 2 - 6}" y="26" text-anchor="middle" fill="#777" font-size="9">clock · lease belief</text>`);
      let lastClock: number | undefined;
      for (let k = 0; k < timeline.length; k++) {
        const t = timeline[k]!;
        const y0 = this.stateTop[k]!;
        const c = t.clocks[n];
        if (c !== undefined && (c !== lastClock || k === timeline.length - 1)) {
          out.push(`<text class="tl-clock" data-state="${k + 1}" x="${cx + 20}" y="${y0 + 10}" text-anchor="end" fill="#555" font-size="9.5">t${c}</text>`);
          lastClock = c;
        }
        this.drawTimelineCell(timeline, n, cx, k);
      }
      out.push('</g>');
    });
  }

  /** Node `n`'s timeline in state `k + 1`: down, and a bar (with a label where it changes) per belief. */
  drawTimelineCell(timeline: readonly TimelineState[], n: string, cx: number, k: number): void {
    const { tlColW } = LAYOUT;
    const { out } = this;
    const t = timeline[k]!;
    const y0 = this.stateTop[k]!;
    const y1 = this.stateTop[k + 1]!;
    if (t.down.includes(n)) {
      out.push(`<rect class="tl-down" data-state="${k + 1}" x="${cx + 24}" y="${y0}" width="${tlColW - 32}" height="${y1 - y0}" fill="url(#down)" stroke="#c62828" stroke-dasharray="2 2"/>`);
      if (k === 0 || !timeline[k - 1]!.down.includes(n)) out.push(`<text x="${cx + 30}" y="${y0 + 11}" fill="#c62828" font-weight="700" font-size="10">${x(n)} down</text>`);
    }
    const claims = t.claims.filter((cl) => cl.node === n);
    claims.forEach((cl, q) => {
      const colour = HOLDER_COLOURS[Math.max(0, this.lanes.indexOf(cl.holder)) % HOLDER_COLOURS.length]!;
      const bx = cx + 26 + q * 10;
      out.push(`<rect class="tl-bar" data-state="${k + 1}" data-holder="${x(cl.holder)}" x="${bx}" y="${y0}" width="8" height="${y1 - y0}" fill="${colour}"><title>${x(`state ${k + 1}: ${n}: ${cl.label}${cl.until !== undefined ? ` until t${cl.until}` : ''}`)}</title></rect>`);
      const prev = k > 0 ? timeline[k - 1]!.claims.find((o) => o.node === n && o.holder === cl.holder) : undefined;
      if (!prev || prev.label !== cl.label || prev.until !== cl.until) {
        out.push(`<text x="${cx + 26 + claims.length * 10 + 2}" y="${y0 + 10}" fill="${colour}" font-size="9.5" font-weight="600">${x(clipTo(`${cl.label}${cl.until !== undefined ? ` →t${cl.until}` : ''}`, 17))}</text>`);
      }
    });
  }

  /** A lasso (a liveness counterexample): the last state steps back to state `loopStart + 1`. */
  drawLoop(): void {
    const { trace, lanesW, endY } = this;
    const loopStart = (trace as { readonly loopStart?: number }).loopStart;
    if (loopStart === undefined || loopStart < 0 || loopStart >= trace.states.length) return;
    const lx = lanesW - 6;
    const ly = this.stateTop[loopStart]! + 6;
    this.out.push(
      `<g class="loop" data-to-state="${loopStart + 1}"><path d="M${lx - 10},${endY - 4} H${lx} V${ly} H${lx - 10}" fill="none" stroke="#00796b" stroke-width="1.6" stroke-dasharray="5 3" marker-end="url(#ah)"/>` +
        `<text x="${lx - 4}" y="${ly - 3}" text-anchor="end" fill="#00796b" font-weight="600">back to state ${loopStart + 1} (the behaviour repeats from here)</text></g>`,
    );
  }

  drawViolation(): void {
    const { invariant, trace, lanesW, endY, pending } = this;
    if (!invariant) return;
    const { left } = LAYOUT;
    this.out.push(
      `<g class="violation" data-step="${trace.states.length}"><rect x="${left}" y="${endY + 4}" width="${lanesW - left}" height="26" rx="4" fill="#ffdddd" stroke="#c00"/>` +
        `<text x="${left + (lanesW - left) / 2}" y="${endY + 21}" text-anchor="middle" fill="#a00" font-weight="700" font-size="12">state ${trace.states.length}: ${x(invariant)} violated${pending.length ? ` (${pending.length} message${pending.length > 1 ? 's' : ''} still in flight)` : ''}</text></g>`,
    );
  }
}

const clipTo = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The timeline's columns: the nodes with a clock or a claim, lanes first in lane order, then the rest sorted. */
function timelineNodes(timeline: readonly TimelineState[], lanes: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const t of timeline) {
    for (const n of Object.keys(t.clocks)) seen.add(n);
    for (const c of t.claims) seen.add(c.node);
  }
  return [...lanes.filter((l) => seen.has(l)), ...[...seen].filter((n) => !lanes.includes(n)).sort()];
}

/**
 * A message's label, just above its arrow's head, in the gap above the receiving row, running
 * back toward the sender: a step receives at most one message, so labels never collide.
 */
function msgLabel(x1: number, x2: number, y2: number, text: string, colour: string, cls: string): string {
  const right = x2 > x1;
  return `<text class="${cls}" x="${right ? x2 - 6 : x2 + 6}" y="${y2 - 7}" text-anchor="${right ? 'end' : 'start'}" fill="${colour}" stroke="#fff" stroke-width="3" paint-order="stroke" font-size="10">${x(text)}</text>`;
}
