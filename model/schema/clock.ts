/**
 * Clocks with bounded skew and no global clock (GFS paper §3.1: lease timing, and the
 * "wide margin" a primary keeps against clock drift). Only the mutual skew bound `S`
 * between any two nodes' clocks is modelled.
 *
 * Normalisation keeps the space finite: after a tick, if every clock is at least 1, every
 * clock and every timestamp in the state drops by 1, clamped at 0, so `min(clock) = 0` in
 * every state. Guards compare clocks with timestamps only as `clock < ts` or
 * `clock + S < ts`, which the shift preserves.
 */
import { except } from '../../checker/core/schema.js';
import type { G, Msg, S } from './state.js';

/** The least clock of the state, the master's included (0 in a normalised state). */
export function minClock(s: S): number {
  let min = s.mClock;
  for (const c of s.clock) if (c < min) min = c;
  return min;
}

/** A timestamp one tick earlier, clamped at 0. */
const earlier = (ts: number): number => (ts > 0 ? ts - 1 : 0);

/** A message one tick earlier: `Grant` and `ExtendResp` carry a timestamp. */
const shifted = (m: Msg): Msg => (m.type === 'Grant' || m.type === 'ExtendResp' ? { type: m.type, to: m.to, v: m.v, exp: earlier(m.exp) } : m);

/**
 * `s` with the clocks `mClock` and `clock` (a tick's), normalised: when every clock is at
 * least 1, every clock and every timestamp drops by 1, clamped at 0: the lease's expiry, the
 * grace deadline, each chunkserver's lease expiry, the `exp` of every message. One
 * `State.with` either way.
 */
function withClocks(g: G, s: S, mClock: number, clock: S['clock']): S {
  if (mClock === 0 || clock.includes(0)) return g.State.with(s, { mClock, clock });
  return g.State.with(s, {
    mClock: mClock - 1,
    clock: clock.map((c) => c - 1),
    mLease: s.mLease && { holder: s.mLease.holder, exp: earlier(s.mLease.exp) },
    mGrace: earlier(s.mGrace),
    leaseExp: s.leaseExp.map(earlier),
    // Only `Grant` and `ExtendResp` carry a timestamp: the set is rebuilt only when one is in flight.
    msgs: s.msgs.variant('Grant').length + s.msgs.variant('ExtendResp').length > 0 ? s.msgs.map(shifted) : s.msgs,
  });
}

/**
 * `Tick(n)`, `n` the master (`'M'`) or a chunkserver: enabled when
 * `clock[n] + 1 - min(clock) <= S`; `clock[n] += 1`, then normalise. Clocks tick for crashed
 * nodes too.
 */
export function tick(g: G, s: S, n: 'M' | number): S | false {
  const now = n === 'M' ? s.mClock : s.clock[n]!;
  if (now + 1 - minClock(s) > g.S) return false;
  return n === 'M' ? withClocks(g, s, now + 1, s.clock) : withClocks(g, s, s.mClock, except(s.clock, n, now + 1));
}
