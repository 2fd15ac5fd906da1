/**
 * Clocks with bounded skew and no global clock (GFS paper §3.1: lease timing, and the
 * "wide margin" a primary keeps against clock drift). Abstracted: real time; only the
 * mutual skew bound `S` between any two nodes' clocks is modelled.
 *
 * Normalisation keeps the space finite: after a tick, if every clock is at least 1, all
 * clocks and every timestamp in the state drop by 1, clamped at 0, so `min(clock) = 0` in
 * every state. Guards compare clocks with timestamps only as `clock < ts` or
 * `clock + S < ts`, which the shift preserves.
 */
import { Msg, mType } from './network.js';
import { copy, msgsStart, sortRun, type GfsState, type Owned, type Params } from './state.js';

/** The smallest clock of the state (always 0 in a normalised state). */
export function minClock(s: GfsState, p: Params): number {
  let m = s[p.clock]!;
  for (let n = 1; n <= p.N; n++) if (s[p.clock + n]! < m) m = s[p.clock + n]!;
  return m;
}

/**
 * `Tick(n)` is enabled when `clock[n] + 1 - min(clock) <= S`; `n = 0` is the master. A caller
 * that asks for every node passes `min`, the state's {@link minClock}, computed once.
 */
export function tickEnabled(s: GfsState, p: Params, n: number, min = minClock(s, p)): boolean {
  return s[p.clock + n]! + 1 - min <= p.S;
}

/** `Tick(n)`: `clock[n] += 1`, then normalise. Clocks tick for crashed nodes too. */
export function tick(s: GfsState, p: Params, n: number): GfsState {
  const t = copy(s);
  t[p.clock + n]!++;
  return minClock(t, p) >= 1 ? normalise(t, p) : t;
}

const hasExp = (m: number): boolean => {
  const t = mType(m);
  return t === Msg.Grant || t === Msg.ExtendResp;
};

/**
 * Subtracts 1 from every clock and every timestamp (master lease expiry, grace deadline,
 * each chunkserver's lease expiry, the `exp` of every `Grant`/`ExtendResp` in flight),
 * clamping timestamps at 0. Shifted messages are re-sorted, and two that become equal
 * merge, since `msgs` is a set. Writes `t`, which the caller owns; may return a shorter copy.
 */
export function normalise(t: Owned, p: Params): Owned {
  for (let n = 0; n <= p.N; n++) t[p.clock + n]!--;
  if (t[p.mLeaseExp]! > 0) t[p.mLeaseExp]!--;
  if (t[p.mGrace]! > 0) t[p.mGrace]!--;
  for (let cs = 1; cs <= p.N; cs++) if (t[p.leaseExp + cs]! > 0) t[p.leaseExp + cs]!--;
  const a = msgsStart(t, p);
  let shifted = false;
  for (let i = a; i < t.length; i++) {
    const m = t[i]!;
    if (hasExp(m) && (m & 31) > 0) {
      t[i] = m - 1;
      shifted = true;
    }
  }
  if (!shifted) return t;
  // Only the exp field moved, by one: re-sort the run and drop duplicates.
  sortRun(t, a);
  let w = a;
  for (let i = a; i < t.length; i++) if (i === a || t[i] !== t[w - 1]) t[w++] = t[i]!;
  t.length = w;
  return t;
}
