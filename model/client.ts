/**
 * A client: looks up the primary, pushes its data to every replica, asks the primary to
 * write, and retries or gives up on failure.
 *
 * Models GFS paper §3.1's write control flow (steps 1–7: ask the master, push data to all
 * replicas, send the write request to the primary, get the primary's reply; a failed write
 * is retried) and §2.7 (a client told "success" expects its data everywhere: `acked`).
 * Abstracted: the data itself, the cached lookup (every write asks the master again) and
 * real timeouts (`CTimeout` may fire at any time).
 *
 * Every client action requires `idx[c] <= W` (reading 4): a finished client receives
 * nothing. Moving on to the next write leaves `prim`, `secs` and `pushed` as they are (the
 * design page resets only `idx`, `tries` and `phase`; `CLearn` overwrites the rest).
 */
import { consume, lookupReq, send, writeReq } from './network.js';
import { copy, csBit, dataIndex, Phase, type GfsState, type Owned, type Params } from './state.js';

/** The data index of the write client `c` is working on. */
export function currentData(s: GfsState, p: Params, c: number): number {
  return dataIndex(p, c, s[p.idx + c]!);
}

/** The replicas client `c` must push to: `{prim} ∪ secs`, as a bitmask. */
export function targets(s: GfsState, p: Params, c: number): number {
  return csBit(s[p.prim + c]!) | s[p.secs + c]!;
}

/** `CLookup`: `phase = Idle`; sends `LookupReq(c)`. */
export function cLookup(s: GfsState, p: Params, c: number): GfsState {
  const t = copy(s);
  t[p.phase + c] = Phase.Lookup;
  return send(t, p, lookupReq(c));
}

/** `CLearn(LookupResp(c, p, secs))`: in `Lookup`, learns the primary and secondaries and starts pushing; otherwise drops the response. */
export function cLearn(s: GfsState, p: Params, m: number, c: number, prim: number, secs: number): GfsState {
  const t = consume(s, p, m);
  if (s[p.phase + c] !== Phase.Lookup) return t;
  t[p.prim + c] = prim;
  t[p.secs + c] = secs;
  t[p.pushed + c] = 0;
  t[p.phase + c] = Phase.Push;
  return t;
}

/** `CPush(r)`: `phase = Push`, `r ∈ ({prim} ∪ secs) \ pushed` (reading 5), `up[r]`; puts the data in `buf[r]`. */
export function cPush(s: GfsState, p: Params, c: number, r: number): GfsState {
  const t = copy(s);
  t[p.buf + r] = s[p.buf + r]! | (1 << currentData(s, p, c));
  t[p.pushed + c] = s[p.pushed + c]! | csBit(r);
  return t;
}

/** `CWrite`: `phase = Push ∧ pushed = {prim} ∪ secs`; sends `WriteReq(prim, c, d, secs)`. */
export function cWrite(s: GfsState, p: Params, c: number): GfsState {
  const t = copy(s);
  t[p.phase + c] = Phase.Write;
  return send(t, p, writeReq(s[p.prim + c]!, c, currentData(s, p, c), s[p.secs + c]!));
}

/** Moves client `c` on to its next write (writes the owned state `t`). */
function moveOn(t: Owned, p: Params, c: number): Owned {
  t[p.idx + c]!++;
  t[p.tries + c] = 0;
  t[p.phase + c] = Phase.Idle;
  return t;
}

/** A failed attempt: retry while `tries < MaxRetries`, else give up on the write (writes the owned state `t`). */
function failed(t: Owned, p: Params, c: number): Owned {
  if (t[p.tries + c]! < p.MaxRetries) {
    t[p.tries + c]!++;
    t[p.phase + c] = Phase.Idle;
    return t;
  }
  return moveOn(t, p, c);
}

/** `CResult(WriteResp(c, d', ok))`: in `Write` with `d' = d`, success is acked and moves on; failure retries or gives up. Any other response is dropped. */
export function cResult(s: GfsState, p: Params, m: number, c: number, d: number, ok: boolean): GfsState {
  const t = consume(s, p, m);
  if (!(s[p.phase + c] === Phase.Write && d === currentData(s, p, c))) return t;
  if (!ok) return failed(t, p, c);
  t[p.acked] = s[p.acked]! | (1 << d);
  return moveOn(t, p, c);
}

/** `CTimeout`: `phase ∈ {Lookup, Push, Write}`; as a failed `CResult`. */
export function cTimeout(s: GfsState, p: Params, c: number): GfsState {
  return failed(copy(s), p, c);
}
