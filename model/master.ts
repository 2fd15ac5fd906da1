/**
 * The master's role: lease grants with version bumps, lookups, extensions, stale-replica
 * reports, crash and restart.
 *
 * Models GFS paper §3.1 (the master grants a chunk lease to one replica, the primary, and
 * extends it on request) and §4.5 (each grant increases the chunk version number; replicas
 * that miss it are stale and dropped). Abstracted: the operation log and checkpoints (only
 * `mLease` can be lost in a crash), heartbeats (the liveness view in `MGrant` and the chunk
 * report in `MReport`), and the master's choice of primary (any current, live replica).
 *
 * Re-replication (the design page's extension, GFS paper §4.3): `MReplicate` copies a current
 * replica's log and version onto a replica outside `mCurrent`. Reading 12 still holds: in the
 * correct protocol a replica re-enters `mCurrent` only through `MReplicate`, never through
 * `MReport`'s add-back branch.
 */
import { bump, consume, extendResp, grant, inFlightTo, lookupResp, Msg, mType, reply, send } from './network.js';
import { copy, csBit, leaseCurrent, logOf, logStart, msgsStart, Phase, type GfsState, type Params } from './state.js';

/**
 * `MGrant(h)` is enabled: `mUp`, a `LookupReq` in flight, `¬LeaseCurrent` (ignored under
 * `grantWhileLeased`), `clock[M] >= mGrace`, `h ∈ mCurrent`, `up[h]`, `grants < MaxGrants`.
 * The caller checks `mUp` and that a `LookupReq` is in flight.
 */
export function grantEnabled(s: GfsState, p: Params, h: number): boolean {
  return (
    (p.bug.grantWhileLeased || !leaseCurrent(s, p)) &&
    s[p.clock]! >= s[p.mGrace]! &&
    (s[p.mCurrent]! & csBit(h)) !== 0 &&
    s[p.up + h] === 1 &&
    s[p.grants]! < p.MaxGrants
  );
}

/**
 * `MGrant(h)`: bumps the version (kept under `noVersionBump`), drops replicas that are down
 * from `mCurrent`, records the lease `{h, clock[M] + L}`, sends `Grant` to `h` and `Bump` to
 * every other current replica. Reading 1: the `LookupReq` stays in flight.
 */
export function mGrant(s: GfsState, p: Params, h: number): GfsState {
  let t = copy(s);
  const v = p.bug.noVersionBump ? s[p.mVersion]! : s[p.mVersion]! + 1;
  let cur = 0;
  for (let r = 1; r <= p.N; r++) if (s[p.mCurrent]! & csBit(r) && s[p.up + r] === 1) cur |= csBit(r);
  const exp = s[p.clock]! + p.L;
  t[p.mVersion] = v;
  t[p.mCurrent] = cur;
  t[p.mLeaseHolder] = h;
  t[p.mLeaseExp] = exp;
  t[p.grants]!++;
  t = send(t, p, grant(h, v, exp));
  for (let r = 1; r <= p.N; r++) if (r !== h && cur & csBit(r)) t = send(t, p, bump(r, v));
  return t;
}

/** `MLookup(LookupReq(c))`, enabled while `mUp ∧ LeaseCurrent`: answers with the holder and the other current replicas. */
export function mLookup(s: GfsState, p: Params, m: number, c: number): GfsState {
  const h = s[p.mLeaseHolder]!;
  return reply(s, p, m, lookupResp(c, h, s[p.mCurrent]! & ~csBit(h)));
}

/** `MExtend(ExtendReq(cs, v))`: extends the lease if it is current, held by `cs` and of the current version; else drops the request. */
export function mExtend(s: GfsState, p: Params, m: number, cs: number, v: number): GfsState {
  if (!(leaseCurrent(s, p) && s[p.mLeaseHolder] === cs && v === s[p.mVersion])) return consume(s, p, m);
  const exp = s[p.clock]! + p.L;
  const t = reply(s, p, m, extendResp(cs, v, exp));
  t[p.mLeaseExp] = exp;
  return t;
}

/**
 * The `mCurrent` that `MReport(cs)` would produce, or -1 when it would not change it
 * (then the action is not enabled). Removes a stale replica (`ver[cs] < mVersion`, no
 * `Grant`/`Bump` to it in flight); adds back a replica whose `ver[cs] = mVersion`.
 */
export function reportedCurrent(s: GfsState, p: Params, cs: number): number {
  const bit = csBit(cs);
  const cur = s[p.mCurrent]!;
  if (cur & bit) {
    if (s[p.ver + cs]! < s[p.mVersion]! && !inFlightTo(s, p, Msg.Grant, cs) && !inFlightTo(s, p, Msg.Bump, cs)) {
      return cur & ~bit;
    }
  } else if (s[p.ver + cs] === s[p.mVersion]) {
    return cur | bit;
  }
  return -1;
}

/** `MReport(cs)`: applies {@link reportedCurrent}; enabled when `mUp ∧ up[cs]` and it changes `mCurrent`. */
export function mReport(s: GfsState, p: Params, cs: number): GfsState {
  const t = copy(s);
  t[p.mCurrent] = reportedCurrent(s, p, cs);
  return t;
}

/** `MCrash`: `mUp ∧ crashes < MaxCrashes`; loses `mLease` unless `PersistLease`. Reading 2: `mGrace` is left as it is. */
export function mCrash(s: GfsState, p: Params): GfsState {
  const t = copy(s);
  t[p.mUp] = 0;
  t[p.crashes]!++;
  if (!p.PersistLease) {
    t[p.mLeaseHolder] = 0;
    t[p.mLeaseExp] = 0;
  }
  return t;
}

/** `MRestart`: `¬mUp`; sets `mGrace = clock[M] + L` unless `PersistLease` or the `noGraceAfterRestart` bug. */
export function mRestart(s: GfsState, p: Params): GfsState {
  const t = copy(s);
  t[p.mUp] = 1;
  if (!p.PersistLease && !p.bug.noGraceAfterRestart) t[p.mGrace] = s[p.clock]! + p.L;
  return t;
}

/**
 * Whether no write can be in progress, the quiescence guard of `MReplicate`: no `WriteReq`,
 * `Apply`, `ApplyAck` or `LookupResp` in flight, every `pend` empty, and every client `Idle`,
 * in `Lookup`, or finished (`idx > W`), so that no client holds a replica list from before
 * a clone.
 */
export function quiescent(s: GfsState, p: Params): boolean {
  for (let cs = 1; cs <= p.N; cs++) if (s[p.pendLen + cs] !== 0) return false;
  for (let c = 1; c <= p.C; c++) {
    const ph = s[p.phase + c];
    if (s[p.idx + c]! <= p.W && ph !== Phase.Idle && ph !== Phase.Lookup) return false;
  }
  for (let i = msgsStart(s, p); i < s.length; i++) {
    const t = mType(s[i]!);
    if (t === Msg.WriteReq || t === Msg.Apply || t === Msg.ApplyAck || t === Msg.LookupResp) return false;
  }
  return true;
}

/**
 * `MReplicate(src, dst)` is enabled (the design page's extension "re-replication", GFS paper
 * §4.3: the master clones a chunk from a current replica): `mUp`, `clones < MaxClones`,
 * `src ∈ mCurrent`, `up[src]`, `ver[src] = mVersion`, `dst ∉ mCurrent`, `up[dst]`,
 * `dst ≠ src`; `¬LeaseCurrent` and `clock[M] >= mGrace` (dropped under `cloneWhileLeased`);
 * and {@link quiescent} (dropped under `cloneWhileLeased` and `cloneDuringWrite`).
 * The caller checks `mUp`.
 */
export function replicateEnabled(s: GfsState, p: Params, src: number, dst: number): boolean {
  const cur = s[p.mCurrent]!;
  if (!(s[p.clones]! < p.MaxClones && src !== dst)) return false;
  if (!((cur & csBit(src)) !== 0 && s[p.up + src] === 1 && s[p.ver + src] === s[p.mVersion])) return false;
  if (!((cur & csBit(dst)) === 0 && s[p.up + dst] === 1)) return false;
  if (p.bug.cloneWhileLeased) return true;
  if (leaseCurrent(s, p) || s[p.clock]! < s[p.mGrace]!) return false;
  return p.bug.cloneDuringWrite || quiescent(s, p);
}

/**
 * `MReplicate(src, dst)`: `log[dst] = log[src]`, `ver[dst] = ver[src]`, `dst` joins
 * `mCurrent`, `clones += 1`; `dst`'s `buf`, `pend` and lease fields stay as they are.
 */
export function mReplicate(s: GfsState, p: Params, src: number, dst: number): GfsState {
  const srcLog = logOf(s, p, src);
  const a = logStart(s, p, dst);
  const oldLen = s[p.logLen + dst]!;
  const t = [...s.slice(0, a), ...srcLog, ...s.slice(a + oldLen)];
  t[p.logLen + dst] = srcLog.length;
  t[p.ver + dst] = s[p.ver + src]!;
  t[p.mCurrent] = s[p.mCurrent]! | csBit(dst);
  t[p.clones]!++;
  return t;
}
