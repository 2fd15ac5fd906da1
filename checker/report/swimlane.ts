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
  const { laneW, left, headH, lineH, pad, gap, tlColW } = LAYOUT;
  const infos = describeTrace(spec, trace);
  const lanes = [...(spec.nodes ?? [])];
  for (const info of infos) if (!lanes.includes(info.node)) lanes.push(info.node);
  if (lanes.length === 0) lanes.push('spec');
  const laneOf = (node: string): number => Math.max(0, lanes.indexOf(node));
  const laneX = (l: number): number => left + laneW * l + laneW / 2;
  const boxW = laneW - 22;
  const clipTo = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const clip = (s: string): string => clipTo(s, Math.floor((boxW - 8) / 5.9));
  const clipEvent = (s: string): string => clipTo(s, Math.floor((boxW - 6) / 5.1));
  const flows = messageFlows(infos);
  const pending = flows.filter((f) => f.fate === 'in flight');
  const timeline = traceTimeline(spec, trace);

  // Rows: state k (1-based) spans [stateTop[k-1], stateTop[k]); step i (to state i + 2) is a box in state i + 1's span.
  const rowTop: number[] = [];
  const rowH: number[] = [];
  let y = headH + gap + 6;
  const stateTop: number[] = [headH + 4];
  infos.forEach((info, i) => {
    const lines = 1 + info.events.length;
    rowTop.push(y);
    rowH.push(lines * lineH + 2 * pad);
    y += rowH[i]! + gap;
    stateTop.push(y - gap / 2);
  });
  const endY = y + 10 + pending.length * 20;
  stateTop.push(endY);
  const lanesW = left + laneW * lanes.length;

  // Timeline columns: the nodes with a clock or a claim, in lane order.
  const tlNodes: string[] = [];
  if (timeline) {
    const seen = new Set<string>();
    for (const t of timeline) {
      for (const n of Object.keys(t.clocks)) seen.add(n);
      for (const c of t.claims) seen.add(c.node);
    }
    tlNodes.push(...lanes.filter((l) => seen.has(l)), ...[...seen].filter((n) => !lanes.includes(n)).sort());
  }
  const tlX = lanesW + 28;
  const width = timeline ? tlX + tlColW * tlNodes.length + 8 : lanesW + 8;
  const violH = invariant ? 34 : 0;
  const height = endY + violH + 12;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="10.5">`,
    `<defs><marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f5fbf"/></marker>` +
      `<marker id="ahp" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10" fill="none" stroke="#7b3fb5" stroke-width="1.6"/></marker>` +
      `<pattern id="down" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#f4f4f4"/><line x1="0" y1="0" x2="0" y2="8" stroke="#d9d9d9" stroke-width="3"/></pattern></defs>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  );

  // Overlap bands first, under everything: one per run of overlapping states.
  const overlapLabels: string[] = [];
  if (timeline) {
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
      // Its label goes on top of everything, at the end.
      overlapLabels.push(
        `<text class="overlap-label" x="${width - 10}" y="${y1 - 5}" text-anchor="end" fill="#b71c1c" font-weight="600" stroke="#fff" stroke-width="3" paint-order="stroke">overlap: ${x(timeline[k]!.overlap.join(' and '))} hold the lease at once (state${e > k ? `s ${k + 1}–${e + 1}` : ` ${k + 1}`})</text>`,
      );
      k = e + 1;
    }
  }

  // Headers, step numbers, lanes (down segments hatched and dashed).
  lanes.forEach((l, i) => {
    const cx = laneX(i);
    out.push(`<g class="lane" data-lane="${x(l)}"><rect class="lane-head" x="${cx - 40}" y="6" width="80" height="22" rx="5" fill="#e8eef7" stroke="#8aa4cc"/><text x="${cx}" y="21" text-anchor="middle" font-weight="600" font-size="12">${x(l)}</text>`);
    for (let k = 0; k < trace.states.length; k++) {
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
  out.push(`<text x="${left - 8}" y="${stateTop[0]! + 10}" text-anchor="end" fill="#888">1</text>`);

  // Step boxes.
  infos.forEach((info, i) => {
    const cx = laneX(laneOf(info.node));
    const a = trace.actions[i]!;
    const head = info.received ? a.name : formatAction(a);
    // A step of a node that is down (a restart) is greyed: the lane is down until it.
    const wasDown = timeline?.[i]?.down.includes(info.node) ?? false;
    const title = [`${i + 2}. ${formatAction(a)}`, ...info.events].join('\n');
    out.push(
      `<g class="step" data-step="${i + 2}" data-lane="${x(info.node)}" style="cursor:pointer"><title>${x(title)}</title>` +
        `<text class="step-n" x="${left - 8}" y="${rowTop[i]! + pad + 9}" text-anchor="end" fill="#555" font-weight="600">${i + 2}</text>` +
        `<rect x="${cx - boxW / 2}" y="${rowTop[i]}" width="${boxW}" height="${rowH[i]}" rx="4" fill="${wasDown ? '#eeeeee' : '#ffffff'}" stroke="${wasDown ? '#c62828' : '#335599'}"${wasDown ? ' stroke-dasharray="3 2"' : ''}/>` +
        `<text x="${cx}" y="${rowTop[i]! + pad + 9}" text-anchor="middle" font-weight="600">${x(clip(head))}</text>` +
        info.events.map((e, j) => `<text x="${cx}" y="${rowTop[i]! + pad + 9 + (j + 1) * lineH}" text-anchor="middle" fill="#444" font-size="9.5">${x(clipEvent(e))}</text>`).join('') +
        '</g>',
    );
  });

  // Messages: straight arrows between box edges.
  const edge = (lane: number, toward: number): number => laneX(lane) + (toward > lane ? boxW / 2 : toward < lane ? -boxW / 2 : 0);
  // A label sits just above its arrow's head, in the gap above the receiving row, running
  // back toward the sender: a step receives at most one message, so labels never collide.
  const label = (x1: number, x2: number, y2: number, text: string, colour: string, cls: string): string => {
    const right = x2 > x1;
    return `<text class="${cls}" x="${right ? x2 - 6 : x2 + 6}" y="${y2 - 7}" text-anchor="${right ? 'end' : 'start'}" fill="${colour}" stroke="#fff" stroke-width="3" paint-order="stroke" font-size="10">${x(text)}</text>`;
  };
  let p = 0;
  const overtaken = overtakenBy(flows, infos);
  for (const [fi, f] of flows.entries()) {
    const over = overtaken[fi] ?? null;
    // The earlier messages between the same two nodes that this one overtook.
    const overtook = f.fate === 'delivered' ? flows.filter((h, hi) => overtaken[hi] === f.from && h.msg.to === f.msg.to && infos[h.from]!.node === infos[f.from]!.node) : [];
    const fl = laneOf(infos[f.from]!.node);
    const tl = f.fate === 'lost' ? laneOf(infos[f.to!]!.node) : laneOf(f.msg.to);
    const x1 = edge(fl, tl);
    const y1 = rowTop[f.from]! + rowH[f.from]! - 3;
    if (f.fate === 'in flight') {
      const x2 = laneX(tl) + (tl > fl ? -3 : 3);
      const y2 = endY - 8 - (pending.length - 1 - p++) * 20;
      out.push(
        `<g class="msg pending" data-from="${f.from + 2}"><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#7b3fb5" stroke-width="1.6" stroke-dasharray="6 4" marker-end="url(#ahp)"/>` +
          label(x1, x2, y2, `in flight${over !== null ? `, overtaken by step ${over + 2}'s` : ''}: ${f.msg.label}`, '#7b3fb5', 'msg-label') +
          '</g>',
      );
      continue;
    }
    const x2 = edge(tl, fl);
    const y2 = rowTop[f.to!]! + 4;
    if (f.fate === 'lost') {
      out.push(
        `<g class="msg lost" data-from="${f.from + 2}" data-to="${f.to! + 2}"><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#d32f2f" stroke-width="1.3" stroke-dasharray="4 3"/>` +
          `<text x="${x2}" y="${y2 + 4}" text-anchor="middle" fill="#d32f2f" font-size="13" font-weight="700">✗</text>` +
          label(x1, x2, y2, `lost: ${f.msg.label}`, '#d32f2f', 'msg-label') +
          '</g>',
      );
    } else {
      out.push(
        `<g class="msg delivered" data-from="${f.from + 2}" data-to="${f.to! + 2}"><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#1f5fbf" stroke-width="1.3" marker-end="url(#ah)"/>` +
          label(x1, x2, y2, `${f.msg.label}${over !== null ? ` (overtaken by step ${over + 2}'s)` : ''}${overtook.length ? `, overtook step ${overtook.map((h) => h.from + 2).join(', ')}'s` : ''}`, overtook.length ? '#b3261e' : '#1f5fbf', 'msg-label') +
          '</g>',
      );
    }
  }

  // The lease timeline: per node, its elapsed clock where it changes and a bar per belief.
  if (timeline) {
    out.push(`<line x1="${tlX - 14}" y1="4" x2="${tlX - 14}" y2="${endY}" stroke="#ddd"/>`);
    tlNodes.forEach((n, j) => {
      const cx = tlX + j * tlColW;
      out.push(`<g class="tl-col" data-node="${x(n)}"><text x="${cx + tlColW / 2 - 6}" y="13" text-anchor="middle" font-weight="600">${x(n)}</text><text x="${cx + tlColW / 2 - 6}" y="26" text-anchor="middle" fill="#777" font-size="9">clock · lease belief</text>`);
      let lastClock: number | undefined;
      for (let k = 0; k < timeline.length; k++) {
        const t = timeline[k]!;
        const y0 = stateTop[k]!;
        const y1 = stateTop[k + 1]!;
        const c = t.clocks[n];
        if (c !== undefined && (c !== lastClock || k === timeline.length - 1)) {
          out.push(`<text class="tl-clock" data-state="${k + 1}" x="${cx + 20}" y="${y0 + 10}" text-anchor="end" fill="#555" font-size="9.5">t${c}</text>`);
          lastClock = c;
        }
        if (t.down.includes(n)) {
          out.push(`<rect class="tl-down" data-state="${k + 1}" x="${cx + 24}" y="${y0}" width="${tlColW - 32}" height="${y1 - y0}" fill="url(#down)" stroke="#c62828" stroke-dasharray="2 2"/>`);
          if (k === 0 || !timeline[k - 1]!.down.includes(n)) out.push(`<text x="${cx + 30}" y="${y0 + 11}" fill="#c62828" font-weight="700" font-size="10">${x(n)} down</text>`);
        }
        const claims = t.claims.filter((cl) => cl.node === n);
        claims.forEach((cl, q) => {
          const colour = HOLDER_COLOURS[Math.max(0, lanes.indexOf(cl.holder)) % HOLDER_COLOURS.length]!;
          const bx = cx + 26 + q * 10;
          out.push(`<rect class="tl-bar" data-state="${k + 1}" data-holder="${x(cl.holder)}" x="${bx}" y="${y0}" width="8" height="${y1 - y0}" fill="${colour}"><title>${x(`state ${k + 1}: ${n}: ${cl.label}${cl.until !== undefined ? ` until t${cl.until}` : ''}`)}</title></rect>`);
          const prev = k > 0 ? timeline[k - 1]!.claims.find((o) => o.node === n && o.holder === cl.holder) : undefined;
          if (!prev || prev.label !== cl.label || prev.until !== cl.until) {
            out.push(`<text x="${cx + 26 + claims.length * 10 + 2}" y="${y0 + 10}" fill="${colour}" font-size="9.5" font-weight="600">${x(clipTo(`${cl.label}${cl.until !== undefined ? ` →t${cl.until}` : ''}`, 17))}</text>`);
          }
        });
      }
      out.push('</g>');
    });
  }

  // A lasso (a liveness counterexample): the last state steps back to state `loopStart + 1`.
  const loopStart = (trace as { readonly loopStart?: number }).loopStart;
  if (loopStart !== undefined && loopStart >= 0 && loopStart < trace.states.length) {
    const lx = lanesW - 6;
    const ly = stateTop[loopStart]! + 6;
    out.push(
      `<g class="loop" data-to-state="${loopStart + 1}"><path d="M${lx - 10},${endY - 4} H${lx} V${ly} H${lx - 10}" fill="none" stroke="#00796b" stroke-width="1.6" stroke-dasharray="5 3" marker-end="url(#ah)"/>` +
        `<text x="${lx - 4}" y="${ly - 3}" text-anchor="end" fill="#00796b" font-weight="600">back to state ${loopStart + 1} (the behaviour repeats from here)</text></g>`,
    );
  }
  out.push(...overlapLabels);
  if (invariant) {
    out.push(
      `<g class="violation" data-step="${trace.states.length}"><rect x="${left}" y="${endY + 4}" width="${lanesW - left}" height="26" rx="4" fill="#ffdddd" stroke="#c00"/>` +
        `<text x="${left + (lanesW - left) / 2}" y="${endY + 21}" text-anchor="middle" fill="#a00" font-weight="700" font-size="12">state ${trace.states.length}: ${x(invariant)} violated${pending.length ? ` (${pending.length} message${pending.length > 1 ? 's' : ''} still in flight)` : ''}</text></g>`,
    );
  }
  out.push('</svg>');
  return { svg: out.join('\n') + '\n', width, height, lanes, flows, timeline };
}
