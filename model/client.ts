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
import { consume, lookupReq, writeReq } from './network.js';
import { csBit, dataIndex, Phase, setAdd, setAt, type GfsState, type Params } from './state.js';

/** The data index of the write client `c` is working on. */
export function currentData(s: GfsState, p: Params, c: number): number {
  return dataIndex(p, c, s.idx[c]!);
}

/** The replicas client `c` must push to: `{prim} ∪ secs`, as a bitmask. */
export function targets(s: GfsState, c: number): number {
  return csBit(s.prim[c]!) | s.secs[c]!;
}

/** `CLookup`: `phase = Idle`; sends `LookupReq(c)`. */
export function cLookup(s: GfsState, c: number): GfsState {
  return { ...s, msgs: setAdd(s.msgs, lookupReq(c)), phase: setAt(s.phase, c, Phase.Lookup) };
}

/** `CLearn(LookupResp(c, p, secs))`: in `Lookup`, learns the primary and secondaries and starts pushing; otherwise drops the response. */
export function cLearn(s: GfsState, m: number, c: number, prim: number, secs: number): GfsState {
  const msgs = consume(s.msgs, m);
  if (s.phase[c] !== Phase.Lookup) return { ...s, msgs };
  return {
    ...s,
    msgs,
    prim: setAt(s.prim, c, prim),
    secs: setAt(s.secs, c, secs),
    pushed: setAt(s.pushed, c, 0),
    phase: setAt(s.phase, c, Phase.Push),
  };
}

/** `CPush(r)`: `phase = Push`, `r ∈ ({prim} ∪ secs) \ pushed` (reading 5), `up[r]`; puts the data in `buf[r]`. */
export function cPush(s: GfsState, p: Params, c: number, r: number): GfsState {
  const d = currentData(s, p, c);
  return { ...s, buf: setAt(s.buf, r, s.buf[r]! | (1 << d)), pushed: setAt(s.pushed, c, s.pushed[c]! | csBit(r)) };
}

/** `CWrite`: `phase = Push ∧ pushed = {prim} ∪ secs`; sends `WriteReq(prim, c, d, secs)`. */
export function cWrite(s: GfsState, p: Params, c: number): GfsState {
  const m = writeReq(s.prim[c]!, c, currentData(s, p, c), s.secs[c]!);
  return { ...s, msgs: setAdd(s.msgs, m), phase: setAt(s.phase, c, Phase.Write) };
}

/** A failed attempt: retry while `tries < MaxRetries`, else give up on the write. */
function failed(s: GfsState, p: Params, c: number, msgs: readonly number[]): GfsState {
  if (s.tries[c]! < p.MaxRetries) {
    return { ...s, msgs, tries: setAt(s.tries, c, s.tries[c]! + 1), phase: setAt(s.phase, c, Phase.Idle) };
  }
  return {
    ...s,
    msgs,
    idx: setAt(s.idx, c, s.idx[c]! + 1),
    tries: setAt(s.tries, c, 0),
    phase: setAt(s.phase, c, Phase.Idle),
  };
}

/** `CResult(WriteResp(c, d', ok))`: in `Write` with `d' = d`, success is acked and moves on; failure retries or gives up. Any other response is dropped. */
export function cResult(s: GfsState, p: Params, m: number, c: number, d: number, ok: boolean): GfsState {
  const msgs = consume(s.msgs, m);
  if (!(s.phase[c] === Phase.Write && d === currentData(s, p, c))) return { ...s, msgs };
  if (!ok) return failed(s, p, c, msgs);
  return {
    ...s,
    msgs,
    acked: s.acked | (1 << d),
    idx: setAt(s.idx, c, s.idx[c]! + 1),
    tries: setAt(s.tries, c, 0),
    phase: setAt(s.phase, c, Phase.Idle),
  };
}

/** `CTimeout`: `phase ∈ {Lookup, Push, Write}`; as a failed `CResult`. */
export function cTimeout(s: GfsState, p: Params, c: number): GfsState {
  return failed(s, p, c, s.msgs);
}
