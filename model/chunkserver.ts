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
import { apply, applyAck, consume, extendReq, reply, send, writeResp } from './network.js';
import {
  addPend,
  appendLog,
  copy,
  csBit,
  isPrimary,
  nextSn,
  packEntry,
  packPend,
  pendC,
  pendD,
  pendOf,
  pendOk,
  pendSn,
  pendV,
  pendWaiting,
  removePend,
  type GfsState,
  type Params,
} from './state.js';

/** Whether a `Grant`/`Bump` of version `v` is accepted by `cs`: `ver = v - 1` (`ver = v` under `noVersionBump`). */
function acceptsVersion(s: GfsState, p: Params, cs: number, v: number): boolean {
  return p.bug.noVersionBump ? s[p.ver + cs] === v : s[p.ver + cs] === v - 1;
}

/** `CGrant(Grant(cs, v, exp))`: takes the lease and the new version, or ignores a grant it cannot accept (a stale replica refuses to lead). */
export function cGrant(s: GfsState, p: Params, m: number, cs: number, v: number, exp: number): GfsState {
  const t = consume(s, p, m);
  if (!acceptsVersion(s, p, cs, v)) return t;
  t[p.ver + cs] = v;
  t[p.leaseVer + cs] = v;
  t[p.leaseExp + cs] = p.bug.expiryFromReceipt ? s[p.clock + cs]! + p.L : exp;
  return t;
}

/** `CBump(Bump(cs, v))`: moves to version `v` if it is the next one; otherwise ignores it. */
export function cBump(s: GfsState, p: Params, m: number, cs: number, v: number): GfsState {
  const t = consume(s, p, m);
  if (acceptsVersion(s, p, cs, v)) t[p.ver + cs] = v;
  return t;
}

/** `CRequestExtend(cs)`, enabled when `IsPrimary(cs)` and no `ExtendReq(cs, ·)` is in flight: asks the master to extend. */
export function cRequestExtend(s: GfsState, p: Params, cs: number): GfsState {
  return send(copy(s), p, extendReq(cs, s[p.leaseVer + cs]!));
}

/** `CExtended(ExtendResp(cs, v, exp))`: if `leaseVer = v = ver`, `leaseExp = max(leaseExp, exp)` (`clock[cs] + L` under `expiryFromReceipt`). */
export function cExtended(s: GfsState, p: Params, m: number, cs: number, v: number, exp: number): GfsState {
  const t = consume(s, p, m);
  if (s[p.leaseVer + cs] === v && s[p.ver + cs] === v) {
    t[p.leaseExp + cs] = p.bug.expiryFromReceipt ? s[p.clock + cs]! + p.L : Math.max(s[p.leaseExp + cs]!, exp);
  }
  return t;
}

/**
 * `PWrite(WriteReq(cs, c, d, secs))`: as primary with `d` buffered, assigns `sn = nextSn`,
 * applies locally, records a `pend` entry waiting for `secs`, and forwards `Apply` to each
 * secondary; otherwise answers failure. Under `ackBeforeReplicas` it answers success at once
 * and records no `pend` entry (reading 10).
 */
export function pWrite(s: GfsState, p: Params, m: number, cs: number, c: number, d: number, secs: number): GfsState {
  const bit = 1 << d;
  if (!(isPrimary(s, p, cs) && s[p.buf + cs]! & bit)) return reply(s, p, m, writeResp(c, d, false));
  let t = consume(s, p, m);
  const v = s[p.ver + cs]!;
  const sn = nextSn(s, p, cs);
  t[p.buf + cs] = s[p.buf + cs]! & ~bit;
  t = appendLog(t, p, cs, packEntry(v, sn, d));
  for (let r = 1; r <= p.N; r++) if (secs & csBit(r)) t = send(t, p, apply(r, cs, v, sn, d));
  if (p.bug.ackBeforeReplicas) return send(t, p, writeResp(c, d, true));
  return addPend(t, p, cs, packPend(v, sn, c, d, secs, true));
}

/**
 * Whether `SApply(Apply(cs, p, v, sn, d))` is enabled (given `up[cs]`): a same-version
 * `Apply` waits until `sn = nextSn(cs)` (reading 6; under `arrivalOrder` any same-version
 * `Apply` is taken); an `Apply` of another version is always taken (and refused).
 */
export function sApplyEnabled(s: GfsState, p: Params, cs: number, v: number, sn: number): boolean {
  return v !== s[p.ver + cs] || p.bug.arrivalOrder || sn === nextSn(s, p, cs);
}

/**
 * `SApply(Apply(cs, p, v, sn, d))`: a same-version mutation is appended at `nextSn` with
 * `d`, or `⊥` when `d` was never pushed here, and acknowledged with `ok = d ∈ buf`; a
 * mutation of another version is refused (`ok = false`).
 */
export function sApply(s: GfsState, p: Params, m: number, cs: number, prim: number, v: number, sn: number, d: number): GfsState {
  if (v !== s[p.ver + cs]) return reply(s, p, m, applyAck(prim, cs, v, sn, false));
  const bit = 1 << d;
  const has = (s[p.buf + cs]! & bit) !== 0;
  const t = appendLog(reply(s, p, m, applyAck(prim, cs, v, sn, has)), p, cs, packEntry(v, nextSn(s, p, cs), has ? d : -1));
  if (has) t[p.buf + cs] = s[p.buf + cs]! & ~bit;
  return t;
}

/**
 * `PAck(ApplyAck(cs, sec, v, sn, ok))`: every `pend` entry with the message's `(v, sn)`
 * stops waiting for `sec` and ANDs in `ok` (reading 9 as the design page now makes it
 * precise: in the correct protocol there is at most one such entry, a mutant may create
 * two); without such an entry the ack is dropped. Two entries that become equal merge
 * (`pend` is a set).
 */
export function pAck(s: GfsState, p: Params, m: number, cs: number, sec: number, v: number, sn: number, ok: boolean): GfsState {
  let t = consume(s, p, m);
  const hits = pendOf(s, p, cs).filter((x) => pendV(x) === v && pendSn(x) === sn);
  if (hits.length === 0) return t;
  for (const e of hits) t = removePend(t, p, cs, e);
  for (const e of hits) {
    const updated = packPend(v, sn, pendC(e), pendD(e), pendWaiting(e) & ~csBit(sec), pendOk(e) && ok);
    if (!pendOf(t, p, cs).includes(updated)) t = addPend(t, p, cs, updated);
  }
  return t;
}

/** `PReply(cs, e)`, for a `pend` entry no longer waiting: answers the client with `e.ok` and drops `e`. */
export function pReply(s: GfsState, p: Params, cs: number, e: number): GfsState {
  return send(removePend(s, p, cs, e), p, writeResp(pendC(e), pendD(e), pendOk(e)));
}

/** `PTimeout(cs, e)`, for a `pend` entry still waiting: answers the client with failure and drops `e`. */
export function pTimeout(s: GfsState, p: Params, cs: number, e: number): GfsState {
  return send(removePend(s, p, cs, e), p, writeResp(pendC(e), pendD(e), false));
}

/** `CCrash(cs)`: `up[cs] ∧ crashes < MaxCrashes`; loses the lease, the buffer and `pend` (`ver` and `log` persist). */
export function cCrash(s: GfsState, p: Params, cs: number): GfsState {
  let t = copy(s);
  t[p.up + cs] = 0;
  t[p.crashes]!++;
  t[p.leaseVer + cs] = 0;
  t[p.leaseExp + cs] = 0;
  t[p.buf + cs] = 0;
  if (s[p.pendLen + cs]! > 0) for (const e of pendOf(s, p, cs)) t = removePend(t, p, cs, e);
  return t;
}

/** `CRestart(cs)`: `¬up[cs]`; comes back up. */
export function cRestart(s: GfsState, p: Params, cs: number): GfsState {
  const t = copy(s);
  t[p.up + cs] = 1;
  return t;
}
