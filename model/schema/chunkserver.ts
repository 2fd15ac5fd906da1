/**
 * A chunkserver's roles: replica (grant and version-bump receipt, crash, restart), primary
 * (lease extension, serial numbers for writes, acks and replies) and secondary (in-order
 * apply).
 *
 * Models GFS paper §3.1 (the primary assigns consecutive serial numbers to mutations and
 * every secondary applies them in serial-number order; the primary replies to the client
 * once the secondaries have answered), §4.5 (a replica only accepts the next version, so a
 * stale replica refuses to lead) and §2.7 (a failed mutation leaves an inconsistent region,
 * `⊥`). Abstracted: chunk data (a log of `(version, serial, data item)`), the data flow's
 * LRU buffer (a set of pushed items) and timeouts (`PTimeout` may fire at any time).
 */
import { except } from '../../checker/core/schema.js';
import { consume, reply, send } from './network.js';
import { isPrimary, nextSn, type G, type M, type Pend, type S } from './state.js';

/** Whether `cs` accepts version `v` from a `Grant`/`Bump`: `ver = v - 1` (`ver = v` under `noVersionBump`). */
const accepts = (g: G, s: S, cs: number, v: number): boolean => (g.bug.noVersionBump ? s.ver[cs] === v : s.ver[cs] === v - 1);

/** `CGrant(Grant(cs, v, exp))`: takes the lease and the new version, or ignores a grant it cannot accept (a stale replica refuses to lead). */
export function cGrant(g: G, s: S, m: M<'Grant'>): S | false {
  const cs = m.to;
  if (!s.up[cs]) return false;
  if (!accepts(g, s, cs, m.v)) return g.State.with(s, { msgs: consume(s, m) });
  const exp = g.bug.expiryFromReceipt ? s.clock[cs]! + g.L : m.exp;
  return g.State.with(s, { ver: except(s.ver, cs, m.v), leaseVer: except(s.leaseVer, cs, m.v), leaseExp: except(s.leaseExp, cs, exp), msgs: consume(s, m) });
}

/** `CBump(Bump(cs, v))`: moves to version `v` if it is the next one; otherwise ignores it. */
export function cBump(g: G, s: S, m: M<'Bump'>): S | false {
  const cs = m.to;
  if (!s.up[cs]) return false;
  return accepts(g, s, cs, m.v) ? g.State.with(s, { ver: except(s.ver, cs, m.v), msgs: consume(s, m) }) : g.State.with(s, { msgs: consume(s, m) });
}

/** `CRequestExtend(cs)`: `IsPrimary(cs)` and no `ExtendReq(cs, ·)` in flight; asks the master to extend. */
export function cRequestExtend(g: G, s: S, cs: number): S | false {
  if (!isPrimary(g, s, cs) || s.msgs.variant('ExtendReq').some((m) => m.from === cs)) return false;
  return g.State.with(s, { msgs: send(s, { type: 'ExtendReq', from: cs, v: s.leaseVer[cs]! }) });
}

/** `CExtended(ExtendResp(cs, v, exp))`: if `leaseVer = v = ver`, `leaseExp = max(leaseExp, exp)` (`clock[cs] + L` under `expiryFromReceipt`). */
export function cExtended(g: G, s: S, m: M<'ExtendResp'>): S | false {
  const cs = m.to;
  if (!s.up[cs]) return false;
  if (!(s.leaseVer[cs] === m.v && s.ver[cs] === m.v)) return g.State.with(s, { msgs: consume(s, m) });
  const exp = g.bug.expiryFromReceipt ? s.clock[cs]! + g.L : Math.max(s.leaseExp[cs]!, m.exp);
  return g.State.with(s, { leaseExp: except(s.leaseExp, cs, exp), msgs: consume(s, m) });
}

/**
 * `PWrite(WriteReq(cs, c, d, secs))`: as primary with `d` buffered, assigns `sn = nextSn`,
 * applies locally, records a `pend` entry waiting for `secs` and forwards `Apply` to each
 * secondary; otherwise answers failure. Under `ackBeforeReplicas` it answers success at once
 * and records no `pend` entry (reading 10).
 */
export function pWrite(g: G, s: S, m: M<'WriteReq'>): S | false {
  const { to: cs, c, d, secs } = m;
  if (!s.up[cs]) return false;
  if (!(isPrimary(g, s, cs) && s.buf[cs]!.has(d))) return g.State.with(s, { msgs: reply(s, m, { type: 'WriteResp', c, d, ok: false }) });
  const v = s.ver[cs]!;
  const sn = nextSn(s, cs);
  let msgs = consume(s, m);
  for (const r of secs) msgs = msgs.add({ type: 'Apply', to: r, from: cs, v, sn, d });
  const buf = except(s.buf, cs, s.buf[cs]!.delete(d));
  const log = except(s.log, cs, [...s.log[cs]!, { v, sn, d }]);
  if (g.bug.ackBeforeReplicas) return g.State.with(s, { buf, log, msgs: msgs.add({ type: 'WriteResp', c, d, ok: true }) });
  return g.State.with(s, { buf, log, msgs, pend: except(s.pend, cs, s.pend[cs]!.add({ v, sn, c, d, waiting: secs, ok: true })) });
}

/**
 * `SApply(Apply(cs, p, v, sn, d))`: a same-version mutation is appended at `nextSn` with
 * `d`, or `⊥` when `d` was never pushed here, and acknowledged with `ok = d ∈ buf`; it waits
 * until `sn = nextSn` (reading 6; under `arrivalOrder` it is taken on arrival). A mutation of
 * another version is refused (`ok = false`).
 */
export function sApply(g: G, s: S, m: M<'Apply'>): S | false {
  const { to: cs, from, v, sn, d } = m;
  if (!s.up[cs]) return false;
  if (v !== s.ver[cs]) return g.State.with(s, { msgs: reply(s, m, { type: 'ApplyAck', to: from, from: cs, v, sn, ok: false }) });
  const next = nextSn(s, cs);
  if (!g.bug.arrivalOrder && sn !== next) return false;
  const has = s.buf[cs]!.has(d);
  return g.State.with(s, {
    log: except(s.log, cs, [...s.log[cs]!, { v, sn: next, d: has ? d : null }]),
    buf: has ? except(s.buf, cs, s.buf[cs]!.delete(d)) : s.buf,
    msgs: reply(s, m, { type: 'ApplyAck', to: from, from: cs, v, sn, ok: has }),
  });
}

/**
 * `PAck(ApplyAck(cs, sec, v, sn, ok))`: every `pend` entry with the message's `(v, sn)` stops
 * waiting for `sec` and ANDs in `ok` (the page's "Reading 9, made precise"); without one the
 * ack is dropped. Two entries that become equal merge (`pend` is a set).
 */
export function pAck(g: G, s: S, m: M<'ApplyAck'>): S | false {
  const { to: cs, from: sec, v, sn, ok } = m;
  if (!s.up[cs]) return false;
  const pend = s.pend[cs]!;
  const hit = (e: Pend): boolean => e.v === v && e.sn === sn;
  if (!pend.some(hit)) return g.State.with(s, { msgs: consume(s, m) });
  const updated = pend.map((e) => (hit(e) ? { ...e, waiting: e.waiting.delete(sec), ok: e.ok && ok } : e));
  return g.State.with(s, { pend: except(s.pend, cs, updated), msgs: consume(s, m) });
}

/** `PReply(cs, e)`: `up[cs]`, a `pend` entry no longer waiting; answers the client with `e.ok` and drops `e`. */
export function pReply(g: G, s: S, cs: number, e: Pend): S {
  return g.State.with(s, { pend: except(s.pend, cs, s.pend[cs]!.delete(e)), msgs: send(s, { type: 'WriteResp', c: e.c, d: e.d, ok: e.ok }) });
}

/** `PTimeout(cs, e)`: `up[cs]`, a `pend` entry still waiting; answers the client with failure and drops `e`. */
export function pTimeout(g: G, s: S, cs: number, e: Pend): S {
  return g.State.with(s, { pend: except(s.pend, cs, s.pend[cs]!.delete(e)), msgs: send(s, { type: 'WriteResp', c: e.c, d: e.d, ok: false }) });
}

/** `CCrash(cs)`: `up[cs] ∧ crashes < MaxCrashes`; loses the lease, the buffer and `pend` (`ver` and `log` persist). */
export function cCrash(g: G, s: S, cs: number): S | false {
  if (!(s.up[cs] && s.crashes < g.MaxCrashes)) return false;
  return g.State.with(s, {
    up: except(s.up, cs, false),
    crashes: s.crashes + 1,
    leaseVer: except(s.leaseVer, cs, 0),
    leaseExp: except(s.leaseExp, cs, 0),
    buf: except(s.buf, cs, g.noData),
    pend: except(s.pend, cs, g.noPend),
  });
}

/** `CRestart(cs)`: `¬up[cs]`; comes back up. */
export function cRestart(g: G, s: S, cs: number): S | false {
  return !s.up[cs] && g.State.with(s, { up: except(s.up, cs, true) });
}
