/**
 * The master's role: lease grants with version bumps, lookups, extensions, stale-replica
 * reports, re-replication, crash and restart.
 *
 * Models GFS paper §3.1 (the master grants a chunk lease to one replica, the primary, and
 * extends it on request), §4.5 (each grant increases the chunk version number; replicas
 * that miss it are stale and dropped) and §4.3 (re-replication: the master clones a chunk
 * from a current replica). Abstracted: the operation log (only `mLease` can be lost in a
 * crash), heartbeats (the liveness view in `MGrant`, the chunk report in `MReport`) and the
 * choice of primary (any current, live replica).
 */
import { except } from '../../checker/core/schema.js';
import { consume, inFlight, inFlightTo, reply, send } from './network.js';
import { leaseCurrent, type G, type M, type S } from './state.js';

/**
 * `MGrant(h)`: `mUp`, a `LookupReq` in flight, `¬LeaseCurrent` (not under
 * `grantWhileLeased`), `clock[M] >= mGrace`, `h ∈ mCurrent`, `up[h]`, `grants < MaxGrants`.
 * Bumps the version (kept under `noVersionBump`), drops replicas that are down from
 * `mCurrent`, records the lease `{h, clock[M] + L}`, sends `Grant` to `h` and `Bump` to every
 * other current replica. Reading 1: the `LookupReq` stays in flight.
 */
export function mGrant(g: G, s: S, h: number): S | false {
  if (!(s.mUp && s.msgs.variant('LookupReq').length > 0)) return false;
  if (!((g.bug.grantWhileLeased || !leaseCurrent(s)) && s.mClock >= s.mGrace && s.mCurrent.has(h) && s.up[h] && s.grants < g.MaxGrants)) return false;
  const v = g.bug.noVersionBump ? s.mVersion : s.mVersion + 1;
  const current = s.mCurrent.filter((r) => s.up[r]!);
  const exp = s.mClock + g.L;
  let msgs = s.msgs.add({ type: 'Grant', to: h, v, exp });
  for (const r of current) if (r !== h) msgs = msgs.add({ type: 'Bump', to: r, v });
  return g.State.with(s, { mVersion: v, mCurrent: current, mLease: { holder: h, exp }, grants: s.grants + 1, msgs });
}

/** `MLookup(LookupReq(c))`: `mUp ∧ LeaseCurrent`; answers with the holder and the other current replicas. */
export function mLookup(g: G, s: S, m: M<'LookupReq'>): S | false {
  if (!(s.mUp && leaseCurrent(s))) return false;
  const holder = s.mLease!.holder;
  return g.State.with(s, { msgs: reply(s, m, { type: 'LookupResp', c: m.c, p: holder, secs: s.mCurrent.delete(holder) }) });
}

/** `MExtend(ExtendReq(cs, v))`: `mUp`; extends a current lease held by `cs` at the current version, else drops the request. */
export function mExtend(g: G, s: S, m: M<'ExtendReq'>): S | false {
  if (!s.mUp) return false;
  if (!(leaseCurrent(s) && s.mLease!.holder === m.from && m.v === s.mVersion)) return g.State.with(s, { msgs: consume(s, m) });
  const exp = s.mClock + g.L;
  return g.State.with(s, { mLease: { holder: m.from, exp }, msgs: reply(s, m, { type: 'ExtendResp', to: m.from, v: m.v, exp }) });
}

/**
 * `MReport(cs)`, a heartbeat's chunk report (`mUp`, `up[cs]`): removes a stale replica from
 * `mCurrent` (`ver[cs] < mVersion`, no `Grant`/`Bump` to it in flight) or adds back one with
 * `ver[cs] = mVersion`; enabled only when it changes `mCurrent`.
 */
export function mReport(g: G, s: S, cs: number): S | false {
  if (!(s.mUp && s.up[cs])) return false;
  if (s.mCurrent.has(cs)) {
    const stale = s.ver[cs]! < s.mVersion && !inFlightTo(s, 'Grant', cs) && !inFlightTo(s, 'Bump', cs);
    return stale && g.State.with(s, { mCurrent: s.mCurrent.delete(cs) });
  }
  return s.ver[cs] === s.mVersion && g.State.with(s, { mCurrent: s.mCurrent.add(cs) });
}

/** What quiescence excludes in flight. */
const QUIET_TRAFFIC = ['WriteReq', 'Apply', 'ApplyAck', 'LookupResp'] as const;

/**
 * Quiescence, `MReplicate`'s last guard: no `WriteReq`, `Apply`, `ApplyAck` or `LookupResp`
 * in flight, every `pend` empty, every client `Idle`, in `Lookup` or finished.
 */
export function quiescent(g: G, s: S): boolean {
  return (
    s.pend.every((p) => p.size === 0) &&
    g.Client.members.every((c) => s.idx[c]! > g.W || s.phase[c] === 'Idle' || s.phase[c] === 'Lookup') &&
    !inFlight(s, QUIET_TRAFFIC)
  );
}

/**
 * `MReplicate(src, dst)` (§4.3): `mUp`, `clones < MaxClones`, `src ∈ mCurrent`, `up[src]`,
 * `ver[src] = mVersion`, `dst ∉ mCurrent`, `up[dst]`, `dst ≠ src`; `¬LeaseCurrent` and
 * `clock[M] >= mGrace` (not under `cloneWhileLeased`); quiescent (not under
 * `cloneWhileLeased` or `cloneDuringWrite`). Then `dst` gets `src`'s log and version and
 * joins `mCurrent`; its `buf`, `pend` and lease fields stay as they are.
 */
export function mReplicate(g: G, s: S, src: number, dst: number): S | false {
  if (!(s.mUp && s.clones < g.MaxClones && src !== dst)) return false;
  if (!(s.mCurrent.has(src) && s.up[src] && s.ver[src] === s.mVersion && !s.mCurrent.has(dst) && s.up[dst])) return false;
  if (!g.bug.cloneWhileLeased) {
    if (leaseCurrent(s) || s.mClock < s.mGrace) return false;
    if (!g.bug.cloneDuringWrite && !quiescent(g, s)) return false;
  }
  return g.State.with(s, {
    log: except(s.log, dst, s.log[src]!),
    ver: except(s.ver, dst, s.ver[src]!),
    mCurrent: s.mCurrent.add(dst),
    clones: s.clones + 1,
  });
}

/** `MCrash`: `mUp ∧ crashes < MaxCrashes`; loses `mLease` unless `PersistLease`. Reading 2: `mGrace` stays. */
export function mCrash(g: G, s: S): S | false {
  return s.mUp && s.crashes < g.MaxCrashes && g.State.with(s, { mUp: false, crashes: s.crashes + 1, mLease: g.PersistLease ? s.mLease : null });
}

/** `MRestart`: `¬mUp`; sets `mGrace = clock[M] + L` unless `PersistLease` or the `noGraceAfterRestart` bug. */
export function mRestart(g: G, s: S): S | false {
  if (s.mUp) return false;
  return g.State.with(s, { mUp: true, mGrace: g.PersistLease || g.bug.noGraceAfterRestart ? s.mGrace : s.mClock + g.L });
}
