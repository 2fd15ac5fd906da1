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
import type { Constants, GfsState } from './state.js';

/** The smallest clock of the state (always 0 in a normalised state). */
export function minClock(s: GfsState): number {
  let m = Infinity;
  for (const c of s.clock) if (c < m) m = c;
  return m;
}

/** `Tick(n)` is enabled when `clock[n] + 1 - min(clock) <= S`; `n = 0` is the master. */
export function tickEnabled(s: GfsState, cfg: Constants, n: number): boolean {
  return s.clock[n]! + 1 - minClock(s) <= cfg.S;
}

const dec = (ts: number): number => (ts > 0 ? ts - 1 : 0);

/**
 * `Tick(n)`: `clock[n] += 1`, then normalise. Clocks tick for crashed nodes too.
 */
export function tick(s: GfsState, n: number): GfsState {
  const clock = s.clock.slice();
  clock[n]! += 1;
  let min = Infinity;
  for (const c of clock) if (c < min) min = c;
  if (min < 1) return { ...s, clock };
  return normalise({ ...s, clock });
}

/**
 * Subtracts 1 from every clock and every timestamp (master lease expiry, grace deadline,
 * each chunkserver's lease expiry, the `exp` of every `Grant`/`ExtendResp` in flight),
 * clamping timestamps at 0. Shifted messages are re-sorted, and two that become equal merge,
 * since `msgs` is a set.
 */
export function normalise(s: GfsState): GfsState {
  let msgs = s.msgs;
  let touched = false;
  for (const m of msgs) {
    const t = mType(m);
    if ((t === Msg.Grant || t === Msg.ExtendResp) && (m & 31) > 0) {
      touched = true;
      break;
    }
  }
  if (touched) {
    const shifted = msgs.map((m) => {
      const t = mType(m);
      return (t === Msg.Grant || t === Msg.ExtendResp) && (m & 31) > 0 ? m - 1 : m;
    });
    shifted.sort((a, b) => a - b);
    msgs = shifted.filter((m, i) => i === 0 || shifted[i - 1] !== m);
  }
  return {
    ...s,
    clock: s.clock.map((c) => c - 1),
    mLeaseExp: dec(s.mLeaseExp),
    mGrace: dec(s.mGrace),
    leaseExp: s.leaseExp.map(dec),
    msgs,
  };
}
