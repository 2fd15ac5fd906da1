/**
 * The design page's invariants, action properties and `sometimes` properties.
 *
 * Models what GFS paper §3.1 and §2.7 promise: at most one primary at a time (leases),
 * identical mutation order on every replica (serial numbers), and durability of every
 * acknowledged write on every current replica. They are about what the nodes believe, so
 * under `ignoreSkew` they use the mutated `IsPrimary` (reading 10).
 */
import type { ActionProperty, StateProperty } from '../checker/core/spec.js';
import { Msg, mType } from './network.js';
import { Phase, entryD, entrySn, entryV, isPrimary, leaseCurrent, maxEntriesPerVersion, type GfsState, type Params } from './state.js';

/** `SinglePrimary`: no two chunkservers are `IsPrimary` at once. */
export function singlePrimary(s: GfsState, p: Params): boolean {
  let n = 0;
  for (let cs = 1; cs <= p.N; cs++) if (isPrimary(s, p, cs)) n++;
  return n <= 1;
}

/** `LeaseAgreement`: if `IsPrimary(cs)`, `mUp` and `LeaseCurrent`, then `mLease.holder = cs`. */
export function leaseAgreement(s: GfsState, p: Params): boolean {
  if (!s.mUp || !leaseCurrent(s)) return true;
  for (let cs = 1; cs <= p.N; cs++) if (isPrimary(s, p, cs) && s.mLeaseHolder !== cs) return false;
  return true;
}

/** The entries of version `v` of a log, in order. */
function ofVersion(log: readonly number[], v: number): number[] {
  return log.filter((e) => entryV(e) === v);
}

/**
 * `MutationOrder`: for any two replicas and any version, the i-th entries of that version
 * (reading 8) carry the same data wherever neither is `⊥`; and every log's entries of a
 * version carry serial numbers 1, 2, 3, ... in order.
 */
export function mutationOrder(s: GfsState, p: Params): boolean {
  for (let a = 1; a <= p.N; a++) {
    const counts = new Map<number, number>();
    for (const e of s.log[a]!) {
      const v = entryV(e);
      const k = (counts.get(v) ?? 0) + 1;
      counts.set(v, k);
      if (entrySn(e) !== k) return false;
    }
  }
  for (let a = 1; a <= p.N; a++) {
    for (let b = a + 1; b <= p.N; b++) {
      const la = s.log[a]!;
      const lb = s.log[b]!;
      if (la.length === 0 || lb.length === 0) continue;
      const versions = new Set(la.map(entryV));
      for (const v of versions) {
        const ea = ofVersion(la, v);
        const eb = ofVersion(lb, v);
        const n = Math.min(ea.length, eb.length);
        for (let i = 0; i < n; i++) {
          const da = entryD(ea[i]!);
          const db = entryD(eb[i]!);
          if (da >= 0 && db >= 0 && da !== db) return false;
        }
      }
    }
  }
  return true;
}

/** `AckedDurable`: every acked item is in the log (not as `⊥`) of every replica whose `ver = mVersion`. */
export function ackedDurable(s: GfsState, p: Params): boolean {
  if (s.acked === 0) return true;
  for (let cs = 1; cs <= p.N; cs++) {
    if (s.ver[cs] !== s.mVersion) continue;
    let present = 0;
    for (const e of s.log[cs]!) {
      const d = entryD(e);
      if (d >= 0) present |= 1 << d;
    }
    if ((s.acked & present) !== s.acked) return false;
  }
  return true;
}

/**
 * `TypeOK` (a self-test of the encoding): clocks in `0..S` with `min = 0`; timestamps in
 * `0..S+L`; versions in `1..MaxGrants+1`; serial numbers, log lengths and set sizes within
 * what the constants allow.
 */
export function typeOK(s: GfsState, p: Params): boolean {
  const maxV = p.MaxGrants + 1;
  const maxTs = p.S + p.L;
  const inRange = (x: number, lo: number, hi: number): boolean => Number.isInteger(x) && x >= lo && x <= hi;
  if (s.clock.length !== p.N + 1 || !s.clock.every((c) => inRange(c, 0, p.S)) || Math.min(...s.clock) !== 0) return false;
  if (!inRange(s.mVersion, 1, maxV) || !inRange(s.grants, 0, p.MaxGrants)) return false;
  if (!inRange(s.mLeaseHolder, 0, p.N) || !inRange(s.mLeaseExp, 0, maxTs) || !inRange(s.mGrace, 0, maxTs)) return false;
  if (s.mLeaseHolder === 0 && s.mLeaseExp !== 0) return false;
  const allCs = (1 << p.N) - 1;
  const allD = p.C * p.W >= 31 ? -1 >>> 0 : (1 << (p.C * p.W)) - 1;
  if ((s.mCurrent & ~allCs) !== 0 || (s.acked & ~allD) !== 0) return false;
  if (!inRange(s.crashes, 0, p.MaxCrashes) || !inRange(s.losses, 0, p.MaxLoss)) return false;
  const maxSn = maxEntriesPerVersion(p);
  for (let cs = 1; cs <= p.N; cs++) {
    if (!inRange(s.ver[cs]!, 1, maxV) || !inRange(s.leaseVer[cs]!, 0, maxV) || !inRange(s.leaseExp[cs]!, 0, maxTs)) return false;
    if ((s.buf[cs]! & ~allD) !== 0 || s.log[cs]!.length > maxSn * maxV) return false;
    for (const e of s.log[cs]!) if (!inRange(entryV(e), 1, maxV) || !inRange(entrySn(e), 1, maxSn) || entryD(e) >= p.C * p.W) return false;
  }
  for (let c = 1; c <= p.C; c++) {
    if (!inRange(s.phase[c]!, Phase.Idle, Phase.Write) || !inRange(s.idx[c]!, 1, p.W + 1)) return false;
    if (!inRange(s.tries[c]!, 0, p.MaxRetries) || !inRange(s.prim[c]!, 0, p.N)) return false;
    if ((s.secs[c]! & ~allCs) !== 0 || (s.pushed[c]! & ~allCs) !== 0) return false;
  }
  for (const m of s.msgs) if (mType(m) < Msg.LookupReq || mType(m) > Msg.WriteResp) return false;
  return true;
}

/** The invariants by name, in the order they are checked (`LeaseAgreement` before `SinglePrimary`). */
export const INVARIANT_NAMES = ['TypeOK', 'LeaseAgreement', 'SinglePrimary', 'MutationOrder', 'AckedDurable'] as const;

/** The invariants of a configuration, in the order of {@link INVARIANT_NAMES}. */
export function invariants(p: Params): StateProperty<GfsState>[] {
  return [
    { name: 'TypeOK', check: (s) => typeOK(s, p) },
    { name: 'LeaseAgreement', check: (s) => leaseAgreement(s, p) },
    { name: 'SinglePrimary', check: (s) => singlePrimary(s, p) },
    { name: 'MutationOrder', check: (s) => mutationOrder(s, p) },
    { name: 'AckedDurable', check: (s) => ackedDurable(s, p) },
  ];
}

const extends_ = (after: readonly number[], before: readonly number[]): boolean =>
  after.length >= before.length && before.every((e, i) => after[i] === e);

/** The design page's action properties: `VersionMonotonic`, `LogAppendOnly`, `AckedStable`. */
export function actionProperties(p: Params): ActionProperty<GfsState>[] {
  return [
    {
      name: 'VersionMonotonic',
      check: (a, b) => {
        if (b.mVersion < a.mVersion) return false;
        for (let cs = 1; cs <= p.N; cs++) if (b.ver[cs]! < a.ver[cs]!) return false;
        return true;
      },
    },
    {
      name: 'LogAppendOnly',
      check: (a, b) => {
        for (let cs = 1; cs <= p.N; cs++) if (a.log[cs] !== b.log[cs] && !extends_(b.log[cs]!, a.log[cs]!)) return false;
        return true;
      },
    },
    { name: 'AckedStable', check: (a, b) => (a.acked & b.acked) === a.acked },
  ];
}

/** `sometimes` properties: events that a checked configuration should show are reachable. */
export function sometimesProperties(p: Params): StateProperty<GfsState>[] {
  const anyCs = (s: GfsState, f: (cs: number) => boolean): boolean => {
    for (let cs = 1; cs <= p.N; cs++) if (f(cs)) return true;
    return false;
  };
  return [
    { name: 'LeaseGranted', check: (s) => anyCs(s, (cs) => isPrimary(s, p, cs)) },
    { name: 'LeaseExtended', check: (s) => s.msgs.some((m) => mType(m) === Msg.ExtendResp) },
    { name: 'WriteAcked', check: (s) => s.acked !== 0 },
    {
      name: 'WriteFailed',
      check: (s) => {
        for (let c = 1; c <= p.C; c++) {
          // A client moved past a write it was not told succeeded, or is retrying one.
          for (let k = 1; k < s.idx[c]!; k++) if (!(s.acked & (1 << ((c - 1) * p.W + k - 1)))) return true;
          if (s.tries[c]! > 0) return true;
        }
        return false;
      },
    },
    { name: 'InconsistentRegion', check: (s) => anyCs(s, (cs) => s.log[cs]!.some((e) => entryD(e) < 0)) },
    { name: 'CrashRestarted', check: (s) => s.crashes > 0 && s.mUp && s.up.every((u) => u) },
    { name: 'StaleReplicaDropped', check: (s) => (s.mCurrent & ((1 << p.N) - 1)) !== (1 << p.N) - 1 },
    { name: 'MessageLost', check: (s) => s.losses > 0 },
    { name: 'AllWritesDone', check: (s) => s.idx.every((k, c) => c === 0 || k === p.W + 1) },
  ];
}

/** Names of the `sometimes` properties. */
export const SOMETIMES_NAMES = [
  'LeaseGranted',
  'LeaseExtended',
  'WriteAcked',
  'WriteFailed',
  'InconsistentRegion',
  'CrashRestarted',
  'StaleReplicaDropped',
  'MessageLost',
  'AllWritesDone',
] as const;
