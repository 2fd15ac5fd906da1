/**
 * The swimlane chart's layout on a hand-made two-node trace (not GFS): straight lanes, one
 * numbering, each message's fate (delivered, lost, in flight, overtaken), a node drawn down,
 * elapsed clocks that never run backwards under normalisation, an overlap of two lease
 * holders, and the loop arrow of a lasso.
 */
import { describe, expect, it } from 'vitest';
import type { Action, Spec, StepInfo } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import { messageFlows, overtakenBy, swimlane } from './swimlane.js';
import { traceTimeline } from './timeline.js';
import { counterexampleText } from './report.js';

/** A state is just its index; the hooks below describe each step by index. */
type S = number;
const m = (id: string, label: string, from: string, to: string) => ({ id, label, from, to });
const STEPS: StepInfo[] = [
  { node: 'a', sent: [m('1', 'One', 'a', 'b'), m('x', 'Lost', 'a', 'b')], events: ['sends'] },
  { node: 'a', sent: [m('2', 'Two', 'a', 'b')], events: [] },
  { node: 'b', sent: [], received: m('2', 'Two', 'a', 'b'), events: ['got two'] },
  { node: 'b', sent: [], lost: [m('x', 'Lost', 'a', 'b')], events: [] },
  { node: 'b', sent: [], events: ['crash'] },
];
// Clock readings as stored: normalised at step 2 (every clock shifted down by 1).
const CLOCKS = [{ a: 0, b: 0 }, { a: 1, b: 0 }, { a: 1, b: 1 }, { a: 0, b: 0 }, { a: 0, b: 0 }, { a: 0, b: 0 }];
const spec: Spec<S> = {
  name: 'Hand',
  initStates: () => [0],
  actions: () => [],
  next: (s) => s + 1,
  nodes: ['a', 'b'],
  describeStep: (before) => STEPS[before]!,
  timeline: (s) => ({
    clocks: CLOCKS[s]!,
    clockShift: s === 3 ? 1 : 0,
    claims: s >= 2 ? [{ node: 'a', holder: 'a', label: 'primary', until: 2 }, ...(s >= 4 ? [{ node: 'b', holder: 'b', label: 'primary' }] : [])] : [],
    down: s === 5 ? ['b'] : [],
  }),
};
const trace: Trace<S> & { loopStart: number } = {
  states: [0, 1, 2, 3, 4, 5],
  actions: STEPS.map((_, i): Action => ({ name: `Step${i}`, args: [] })),
  loopStart: 1,
};

describe('swimlane', () => {
  it('follows each message to its fate and marks the one overtaken', () => {
    const flows = messageFlows(STEPS);
    expect(flows.map((f) => [f.msg.label, f.from, f.to, f.fate])).toEqual([
      ['Lost', 0, 3, 'lost'],
      ['One', 0, null, 'in flight'],
      ['Two', 1, 2, 'delivered'],
    ]);
    expect(overtakenBy(flows, STEPS)).toEqual([null, 1, null]);
  });

  it('counts clocks as elapsed ticks and finds the overlap', () => {
    const t = traceTimeline(spec, trace)!;
    expect(t.map((s) => s.clocks.a)).toEqual([0, 1, 1, 1, 1, 1]);
    expect(t.map((s) => s.clocks.b)).toEqual([0, 0, 1, 1, 1, 1]);
    expect(t[3]!.claims[0]!.until).toBe(3);
    expect(t.map((s) => s.overlap.length)).toEqual([0, 0, 0, 0, 2, 2]);
  });

  it('draws straight lanes, one numbering, pending and lost arrows, a down lane, the overlap and the loop', () => {
    const { svg } = swimlane(spec, trace, 'Inv');
    const xs = (lane: string): Set<string> =>
      new Set([...new RegExp(`<g class="lane" data-lane="${lane}">([\\s\\S]*?)</g>`).exec(svg)![1]!.matchAll(/class="lane-line" x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"/g)].flatMap((r) => [r[1]!, r[2]!]));
    expect([...xs('a')]).toEqual(['139']);
    expect([...xs('b')]).toEqual(['329']);
    expect([...svg.matchAll(/<g class="step" data-step="(\d+)"/g)].map((r) => r[1])).toEqual(['2', '3', '4', '5', '6']);
    expect(svg).toContain("in flight, overtaken by step 3's: One");
    expect(svg).toContain("Two, overtook step 2's");
    expect(svg).toContain('lost: Lost');
    expect(svg).toMatch(/<rect class="down"/);
    expect(svg).toContain('<g class="overlap" data-states="5-6">');
    expect(svg).toContain('overlap: a and b hold the lease at once (states 5–6)');
    expect(svg).toContain('back to state 2');
    expect(svg).toContain('state 6: Inv violated (1 message still in flight)');
  });

  it('ends the text of a lasso as TLC does', () => {
    expect(counterexampleText(spec, trace, null)).toMatch(/State 6: <Step4>\n {2}\(state\) = 5\n\nBack to state 2\.$/);
  });
});
