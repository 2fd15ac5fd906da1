/**
 * The network: messages as packed integers, the set of messages in flight, and `Lose`.
 *
 * Models the unreliable network under GFS paper §3.1's control and data flow: messages are
 * delayed, reordered or lost, never duplicated; `msgs` is a set, so sending a message that
 * is already in flight changes nothing. Abstracted: the data flow's pipelining (`CPush`
 * writes into a replica's buffer directly) and every message field the protocol never reads.
 *
 * A message is one integer: its type in bits 25..28 (so the sorted set groups messages by
 * type), then up to five 5-bit fields, most significant first. The `exp` field of `Grant`
 * and `ExtendResp` is always the last field (bits 0..4), so that clock normalisation can
 * shift it in place.
 */
import { insertWord, msgsStart, removeWord, sortedPos, type GfsState, type Owned, type Params } from './state.js';

/** Message types, in the order the design page lists them. */
export const Msg = {
  LookupReq: 1,
  LookupResp: 2,
  Grant: 3,
  Bump: 4,
  ExtendReq: 5,
  ExtendResp: 6,
  WriteReq: 7,
  Apply: 8,
  ApplyAck: 9,
  WriteResp: 10,
} as const;

/** A message type. */
export type MsgType = (typeof Msg)[keyof typeof Msg];

/** Names of message types, indexed by type. */
export const MSG_NAMES = [
  '',
  'LookupReq',
  'LookupResp',
  'Grant',
  'Bump',
  'ExtendReq',
  'ExtendResp',
  'WriteReq',
  'Apply',
  'ApplyAck',
  'WriteResp',
] as const;

/** Packs a message: type and five 5-bit fields (unused ones 0). */
export const pack = (t: MsgType, f1: number, f2 = 0, f3 = 0, f4 = 0, f5 = 0): number =>
  (t << 25) | (f1 << 20) | (f2 << 15) | (f3 << 10) | (f4 << 5) | f5;

/** The type of a packed message. */
export const mType = (m: number): MsgType => (m >>> 25) as MsgType;
/** Field 1 (the addressee for chunkserver messages, the client for client messages). */
export const f1 = (m: number): number => (m >>> 20) & 31;
/** Field 2. */
export const f2 = (m: number): number => (m >>> 15) & 31;
/** Field 3. */
export const f3 = (m: number): number => (m >>> 10) & 31;
/** Field 4. */
export const f4 = (m: number): number => (m >>> 5) & 31;
/** Field 5 (`exp` of `Grant` and `ExtendResp`). */
export const f5 = (m: number): number => m & 31;

/** `LookupReq(c)`. */
export const lookupReq = (c: number): number => pack(Msg.LookupReq, c);
/** `LookupResp(c, p, secs)`; `secs` a chunkserver bitmask. */
export const lookupResp = (c: number, p: number, secs: number): number => pack(Msg.LookupResp, c, p, secs);
/** `Grant(to, v, exp)`. */
export const grant = (to: number, v: number, exp: number): number => pack(Msg.Grant, to, v, 0, 0, exp);
/** `Bump(to, v)`. */
export const bump = (to: number, v: number): number => pack(Msg.Bump, to, v);
/** `ExtendReq(from, v)`. */
export const extendReq = (from: number, v: number): number => pack(Msg.ExtendReq, from, v);
/** `ExtendResp(to, v, exp)`. */
export const extendResp = (to: number, v: number, exp: number): number => pack(Msg.ExtendResp, to, v, 0, 0, exp);
/** `WriteReq(to, c, d, secs)`. */
export const writeReq = (to: number, c: number, d: number, secs: number): number => pack(Msg.WriteReq, to, c, d, secs);
/** `Apply(to, from, v, sn, d)`. */
export const apply = (to: number, from: number, v: number, sn: number, d: number): number =>
  pack(Msg.Apply, to, from, v, sn, d);
/** `ApplyAck(to, from, v, sn, ok)`. */
export const applyAck = (to: number, from: number, v: number, sn: number, ok: boolean): number =>
  pack(Msg.ApplyAck, to, from, v, sn, ok ? 1 : 0);
/** `WriteResp(c, d, ok)`. */
export const writeResp = (c: number, d: number, ok: boolean): number => pack(Msg.WriteResp, c, d, ok ? 1 : 0);

/** True when a message of type `t` addressed to `to` (field 1) is in flight. */
export function inFlightTo(s: GfsState, p: Params, t: MsgType, to: number): boolean {
  for (let i = msgsStart(s, p); i < s.length; i++) if (mType(s[i]!) === t && f1(s[i]!) === to) return true;
  return false;
}

/** True when some message of type `t` is in flight. */
export function anyInFlight(s: GfsState, p: Params, t: MsgType): boolean {
  for (let i = msgsStart(s, p); i < s.length; i++) if (mType(s[i]!) === t) return true;
  return false;
}

/** A new state without message `m` (a receive consumes its message; `m` must be in flight). */
export function consume(s: GfsState, p: Params, m: number): Owned {
  return removeWord(s, sortedPos(s, msgsStart(s, p), s.length, m));
}

/**
 * Puts `m` in flight. Returns `t` itself when `m` is already in flight (`msgs` is a set),
 * otherwise a new array; so call it only on a state the transition owns.
 */
export function send(t: Owned, p: Params, m: number): Owned {
  const i = sortedPos(t, msgsStart(t, p), t.length, m);
  return t[i] === m && i < t.length ? t : insertWord(t, i, m);
}

/**
 * Consumes `m` and puts `r` in flight, in one copy: what a receive that answers does
 * (same result as `send(consume(s, p, m), p, r)`).
 */
export function reply(s: GfsState, p: Params, m: number, r: number): Owned {
  const a = msgsStart(s, p);
  const n = s.length;
  let i = sortedPos(s, a, n, m);
  if (r === m) return s.slice();
  const j = sortedPos(s, a, n, r);
  // `r` already in flight: the set only loses `m`.
  if (j < n && s[j] === r) return removeWord(s, i);
  // One copy of the same length: `r` takes `m`'s place, then moves to its sorted position.
  const t = s.slice();
  while (i > a && t[i - 1]! > r) {
    t[i] = t[i - 1]!;
    i--;
  }
  while (i + 1 < n && t[i + 1]! < r) {
    t[i] = t[i + 1]!;
    i++;
  }
  t[i] = r;
  return t;
}

/** `Lose(m)`: `losses < MaxLoss`; removes `m` from the network. */
export function lose(s: GfsState, p: Params, m: number): Owned {
  const t = consume(s, p, m);
  t[p.losses]!++;
  return t;
}
