/**
 * The lease timeline of a trace, from the spec's {@link Spec.timeline} hook: per state, each
 * node's clock as elapsed ticks (the stored reading plus every shift so far, so time never
 * runs backwards under normalisation), who believes whom holds the lease, who is down, and
 * the overlaps: states where two different holders are believed at once (two primaries, or a
 * primary and a different lease holder of the master). Generic: any spec with an
 * interval-valued belief can provide the hook.
 */
import type { Action, Spec, TimelineClaim } from '../core/spec.js';
import type { Trace } from '../core/trace.js';

/** One state of the timeline (index 0 is the initial state). */
export interface TimelineState {
  /** Elapsed ticks per node. */
  readonly clocks: Readonly<Record<string, number>>;
  /** The claims, with `until` converted to elapsed ticks. */
  readonly claims: readonly TimelineClaim[];
  readonly down: readonly string[];
  /** The different holders believed in this state, when more than one (an overlap); else empty. */
  readonly overlap: readonly string[];
}

/** The timeline of a trace, or null when the spec has no `timeline` hook. */
export function traceTimeline<S, A extends Action>(spec: Spec<S, A>, trace: Trace<S>): TimelineState[] | null {
  if (!spec.timeline) return null;
  let shift = 0;
  return trace.states.map((s, i) => {
    const t = i === 0 ? spec.timeline!(s) : spec.timeline!(s, trace.states[i - 1], trace.actions[i - 1] as A);
    shift += t.clockShift ?? 0;
    const clocks: Record<string, number> = {};
    for (const [n, c] of Object.entries(t.clocks ?? {})) clocks[n] = c + shift;
    const claims = t.claims.map((c) => (c.until === undefined ? c : { ...c, until: c.until + shift }));
    const holders = [...new Set(claims.map((c) => c.holder))].sort();
    return { clocks, claims, down: [...(t.down ?? [])], overlap: holders.length > 1 ? holders : [] };
  });
}

/** A sentence for an overlap: who believes what until when, and the clocks, e.g. `cs1 and cs2 at once: M: lease: cs2 v3 until t4; cs1: primary v2 until t2 (clocks M t2, cs1 t1, cs2 t1)`. */
export function describeOverlap(t: TimelineState): string {
  const clocks = Object.entries(t.clocks).map(([n, c]) => `${n} t${c}`).join(', ');
  return `${t.overlap.join(' and ')} at once: ${t.claims.map((c) => `${c.node}: ${c.label}${c.until !== undefined ? ` until t${c.until}` : ''}`).join('; ')}${clocks ? ` (clocks ${clocks})` : ''}`;
}
