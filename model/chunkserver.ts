/**
 * A chunkserver's roles: replica (grant and version-bump receipt, crash, restart), primary
 * (lease extension, serial numbers for writes, acks and replies) and secondary (in-order
 * apply).
 *
 * Models GFS paper §3.1 (the primary assigns consecutive serial numbers to mutations and
 * every secondary applies them in serial-number order; the primary replies to the client
 * once secondaries have answered), §4.5 (a replica only accepts the next version, so a stale
 * replica refuses to lead) and §2.7 (a failed mutation leaves an inconsistent region, `⊥`).
 * Abstracted: chunk data (a log of `(version, serial, data item)`), the data flow's LRU
 * buffer (a set of pushed items), and timeouts (`PTimeout` may fire at any time).
 */
import { applyAck, apply, consume, extendReq, writeResp } from './network.js';
import {
  csBit,
  isPrimary,
  nextSn,
  packEntry,
  packPend,
  pendC,
  pendD,
  pendOk,
  pendSn,
  pendV,
  pendWaiting,
  setAdd,
  setAt,
  setRemove,
  type GfsState,
  type Params,
} from './state.js';

/** Whether a `Grant`/`Bump` of version `v` is accepted by `cs`: `ver = v - 1` (`ver = v` under `noVersionBump`). */
function acceptsVersion(s: GfsState, p: Params, cs: number, v: number): boolean {
  return p.bug.noVersionBump ? s.ver[cs] === v : s.ver[cs] === v - 1;
}

/** `CGrant(Grant(cs, v, exp))`: takes the lease and the new version, or ignores a grant it cannot accept (a stale replica refuses to lead). */
export function cGrant(s: GfsState, p: Params, m: number, cs: number, v: number, exp: number): GfsState {
  const msgs = consume(s.msgs, m);
  if (!acceptsVersion(s, p, cs, v)) return { ...s, msgs };
  const e = p.bug.expiryFromReceipt ? s.clock[cs]! + p.L : exp;
  return { ...s, msgs, ver: setAt(s.ver, cs, v), leaseVer: setAt(s.leaseVer, cs, v), leaseExp: setAt(s.leaseExp, cs, e) };
}

/** `CBump(Bump(cs, v))`: moves to version `v` if it is the next one; otherwise ignores it. */
export function cBump(s: GfsState, p: Params, m: number, cs: number, v: number): GfsState {
  const msgs = consume(s.msgs, m);
  if (!acceptsVersion(s, p, cs, v)) return { ...s, msgs };
  return { ...s, msgs, ver: setAt(s.ver, cs, v) };
}

/** `CRequestExtend(cs)`, enabled when `IsPrimary(cs)` and no `ExtendReq(cs, ·)` is in flight: asks the master to extend. */
export function cRequestExtend(s: GfsState, cs: number): GfsState {
  return { ...s, msgs: setAdd(s.msgs, extendReq(cs, s.leaseVer[cs]!)) };
}

/** `CExtended(ExtendResp(cs, v, exp))`: if `leaseVer = v = ver`, `leaseExp = max(leaseExp, exp)` (`clock[cs] + L` under `expiryFromReceipt`). */
export function cExtended(s: GfsState, p: Params, m: number, cs: number, v: number, exp: number): GfsState {
  const msgs = consume(s.msgs, m);
  if (!(s.leaseVer[cs] === v && s.ver[cs] === v)) return { ...s, msgs };
  const e = p.bug.expiryFromReceipt ? s.clock[cs]! + p.L : Math.max(s.leaseExp[cs]!, exp);
  return { ...s, msgs, leaseExp: setAt(s.leaseExp, cs, e) };
}

/**
 * `PWrite(WriteReq(cs, c, d, secs))`: as primary with `d` buffered, assigns `sn = nextSn`,
 * applies locally, records a `pend` entry waiting for `secs`, and forwards `Apply` to each
 * secondary; otherwise answers failure. Under `ackBeforeReplicas` it answers success at once
 * and records no `pend` entry (reading 10).
 */
export function pWrite(s: GfsState, p: Params, m: number, cs: number, c: number, d: number, secs: number): GfsState {
  let msgs = consume(s.msgs, m);
  const bit = 1 << d;
  if (!(isPrimary(s, p, cs) && s.buf[cs]! & bit)) return { ...s, msgs: setAdd(msgs, writeResp(c, d, false)) };
  const v = s.ver[cs]!;
  const sn = nextSn(s, cs);
  const log = setAt(s.log, cs, [...s.log[cs]!, packEntry(v, sn, d)]);
  const buf = setAt(s.buf, cs, s.buf[cs]! & ~bit);
  for (let r = 1; r <= p.N; r++) if (secs & csBit(r)) msgs = setAdd(msgs, apply(r, cs, v, sn, d));
  if (p.bug.ackBeforeReplicas) return { ...s, log, buf, msgs: setAdd(msgs, writeResp(c, d, true)) };
  const pend = setAt(s.pend, cs, setAdd(s.pend[cs]!, packPend(v, sn, c, d, secs, true)));
  return { ...s, log, buf, pend, msgs };
}

/**
 * Whether `SApply(Apply(cs, p, v, sn, d))` is enabled (given `up[cs]`): a same-version
 * `Apply` waits until `sn = nextSn(cs)` (readings 6; under `arrivalOrder` any same-version
 * `Apply` is taken); an `Apply` of another version is always taken (and refused).
 */
export function sApplyEnabled(s: GfsState, p: Params, cs: number, v: number, sn: number): boolean {
  return v !== s.ver[cs] || p.bug.arrivalOrder || sn === nextSn(s, cs);
}

/**
 * `SApply(Apply(cs, p, v, sn, d))`: a same-version mutation is appended at `nextSn` with
 * `d`, or `⊥` when `d` was never pushed here, and acknowledged with `ok = d ∈ buf`; a
 * mutation of another version is refused (`ok = false`).
 */
export function sApply(s: GfsState, m: number, cs: number, prim: number, v: number, sn: number, d: number): GfsState {
  const msgs = consume(s.msgs, m);
  if (v !== s.ver[cs]) return { ...s, msgs: setAdd(msgs, applyAck(prim, cs, v, sn, false)) };
  const bit = 1 << d;
  const has = (s.buf[cs]! & bit) !== 0;
  const log = setAt(s.log, cs, [...s.log[cs]!, packEntry(v, nextSn(s, cs), has ? d : -1)]);
  const out = setAdd(msgs, applyAck(prim, cs, v, sn, has));
  return has ? { ...s, log, buf: setAt(s.buf, cs, s.buf[cs]! & ~bit), msgs: out } : { ...s, log, msgs: out };
}

/** `PAck(ApplyAck(cs, sec, v, sn, ok))`: the `pend` entry `(v, sn)` stops waiting for `sec` and ANDs in `ok`; without such an entry the ack is dropped. */
export function pAck(s: GfsState, m: number, cs: number, sec: number, v: number, sn: number, ok: boolean): GfsState {
  const msgs = consume(s.msgs, m);
  const pend = s.pend[cs]!;
  const e = pend.find((x) => pendV(x) === v && pendSn(x) === sn);
  if (e === undefined) return { ...s, msgs };
  const updated = packPend(v, sn, pendC(e), pendD(e), pendWaiting(e) & ~csBit(sec), pendOk(e) && ok);
  return { ...s, msgs, pend: setAt(s.pend, cs, setAdd(setRemove(pend, e), updated)) };
}

/** `PReply(cs, e)`, for a `pend` entry no longer waiting: answers the client with `e.ok` and drops `e`. */
export function pReply(s: GfsState, cs: number, e: number): GfsState {
  return {
    ...s,
    pend: setAt(s.pend, cs, setRemove(s.pend[cs]!, e)),
    msgs: setAdd(s.msgs, writeResp(pendC(e), pendD(e), pendOk(e))),
  };
}

/** `PTimeout(cs, e)`, for a `pend` entry still waiting: answers the client with failure and drops `e`. */
export function pTimeout(s: GfsState, cs: number, e: number): GfsState {
  return {
    ...s,
    pend: setAt(s.pend, cs, setRemove(s.pend[cs]!, e)),
    msgs: setAdd(s.msgs, writeResp(pendC(e), pendD(e), false)),
  };
}

/** `CCrash(cs)`: `up[cs] ∧ crashes < MaxCrashes`; loses the lease, the buffer and `pend` (`ver` and `log` persist). */
export function cCrash(s: GfsState, cs: number): GfsState {
  return {
    ...s,
    up: setAt(s.up, cs, false),
    crashes: s.crashes + 1,
    leaseVer: setAt(s.leaseVer, cs, 0),
    leaseExp: setAt(s.leaseExp, cs, 0),
    buf: setAt(s.buf, cs, 0),
    pend: setAt(s.pend, cs, []),
  };
}

/** `CRestart(cs)`: `¬up[cs]`; comes back up. */
export function cRestart(s: GfsState, cs: number): GfsState {
  return { ...s, up: setAt(s.up, cs, true) };
}
