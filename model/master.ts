/**
 * The master's role: lease grants with version bumps, lookups, extensions, stale-replica
 * reports, crash and restart.
 *
 * Models GFS paper §3.1 (the master grants a chunk lease to one replica, the primary, and
 * extends it on request) and §4.5 (each grant increases the chunk version number; replicas
 * that miss it are stale and dropped). Abstracted: the operation log and checkpoints (only
 * `mLease` can be lost in a crash), heartbeats (the liveness view in `MGrant` and the chunk
 * report in `MReport`), and the master's choice of primary (any current, live replica).
 */
import { bump, consume, extendResp, grant, lookupResp, Msg, inFlightTo } from './network.js';
import { csBit, leaseCurrent, setAdd, type GfsState, type Params } from './state.js';

/**
 * `MGrant(h)` is enabled: `mUp`, a `LookupReq` in flight, `¬LeaseCurrent` (ignored under
 * `grantWhileLeased`), `clock[M] >= mGrace`, `h ∈ mCurrent`, `up[h]`, `grants < MaxGrants`.
 * The caller checks that a `LookupReq` is in flight.
 */
export function grantEnabled(s: GfsState, p: Params, h: number): boolean {
  return (
    s.mUp &&
    (p.bug.grantWhileLeased || !leaseCurrent(s)) &&
    s.clock[0]! >= s.mGrace &&
    (s.mCurrent & csBit(h)) !== 0 &&
    s.up[h]! &&
    s.grants < p.MaxGrants
  );
}

/**
 * `MGrant(h)`: bumps the version (kept under `noVersionBump`), drops replicas that are down
 * from `mCurrent`, records the lease `{h, clock[M] + L}`, sends `Grant` to `h` and `Bump` to
 * every other current replica. Reading 1: the `LookupReq` stays in flight.
 */
export function mGrant(s: GfsState, p: Params, h: number): GfsState {
  const v = p.bug.noVersionBump ? s.mVersion : s.mVersion + 1;
  let cur = 0;
  for (let r = 1; r <= p.N; r++) if (s.mCurrent & csBit(r) && s.up[r]) cur |= csBit(r);
  const exp = s.clock[0]! + p.L;
  let msgs = setAdd(s.msgs, grant(h, v, exp));
  for (let r = 1; r <= p.N; r++) if (r !== h && cur & csBit(r)) msgs = setAdd(msgs, bump(r, v));
  return { ...s, mVersion: v, mCurrent: cur, mLeaseHolder: h, mLeaseExp: exp, grants: s.grants + 1, msgs };
}

/** `MLookup(LookupReq(c))`, enabled while `mUp ∧ LeaseCurrent`: answers with the holder and the other current replicas. */
export function mLookup(s: GfsState, m: number, c: number): GfsState {
  const h = s.mLeaseHolder;
  return { ...s, msgs: setAdd(consume(s.msgs, m), lookupResp(c, h, s.mCurrent & ~csBit(h))) };
}

/** `MExtend(ExtendReq(cs, v))`: extends the lease if it is current, held by `cs` and of the current version; else drops the request. */
export function mExtend(s: GfsState, p: Params, m: number, cs: number, v: number): GfsState {
  const msgs = consume(s.msgs, m);
  if (leaseCurrent(s) && s.mLeaseHolder === cs && v === s.mVersion) {
    const exp = s.clock[0]! + p.L;
    return { ...s, mLeaseExp: exp, msgs: setAdd(msgs, extendResp(cs, v, exp)) };
  }
  return { ...s, msgs };
}

/**
 * The `mCurrent` that `MReport(cs)` would produce, or -1 when it would not change it
 * (then the action is not enabled). Removes a stale replica (`ver[cs] < mVersion`, no
 * `Grant`/`Bump` to it in flight); adds back a replica whose `ver[cs] = mVersion`.
 */
export function reportedCurrent(s: GfsState, cs: number): number {
  const bit = csBit(cs);
  if (s.mCurrent & bit) {
    if (s.ver[cs]! < s.mVersion && !inFlightTo(s.msgs, Msg.Grant, cs) && !inFlightTo(s.msgs, Msg.Bump, cs)) {
      return s.mCurrent & ~bit;
    }
  } else if (s.ver[cs] === s.mVersion) {
    return s.mCurrent | bit;
  }
  return -1;
}

/** `MReport(cs)`: applies {@link reportedCurrent}; enabled when `mUp ∧ up[cs]` and it changes `mCurrent`. */
export function mReport(s: GfsState, cs: number): GfsState {
  return { ...s, mCurrent: reportedCurrent(s, cs) };
}

/** `MCrash`: `mUp ∧ crashes < MaxCrashes`; loses `mLease` unless `PersistLease`. Reading 2: `mGrace` is left as it is. */
export function mCrash(s: GfsState, p: Params): GfsState {
  return p.PersistLease
    ? { ...s, mUp: false, crashes: s.crashes + 1 }
    : { ...s, mUp: false, crashes: s.crashes + 1, mLeaseHolder: 0, mLeaseExp: 0 };
}

/** `MRestart`: `¬mUp`; sets `mGrace = clock[M] + L` unless `PersistLease` or the `noGraceAfterRestart` bug. */
export function mRestart(s: GfsState, p: Params): GfsState {
  return p.PersistLease || p.bug.noGraceAfterRestart
    ? { ...s, mUp: true }
    : { ...s, mUp: true, mGrace: s.clock[0]! + p.L };
}
