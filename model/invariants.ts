/**
 * The design page's invariants, action properties and `sometimes` properties.
 *
 * Models what GFS paper §3.1 and §2.7 promise: at most one primary at a time (leases),
 * identical mutation order on every replica (serial numbers), and durability of every
 * acknowledged write on every current replica. They are about what the nodes believe, so
 * under `ignoreSkew` they use the mutated `IsPrimary` (reading 10).
 *
 * The design page's "Additional properties" and "Consistency regions" (GFS paper §2.7,
 * Table 1: defined and consistent regions) follow the four invariants: `VersionsBounded`,
 * `AckedSamePosition`, `ConsistentWhenQuiet` and the action property `WriteUnderLease`.
 * Readings taken literally, where the page could be read two ways:
 * - `Cur = {cs : ver[cs] = mVersion}` includes replicas that are down (the page names no
 *   `up` condition).
 * - `ConsistentWhenQuiet`'s "identical logs" compares whole logs entry by entry, versions,
 *   serial numbers and `⊥` entries included.
 * - "an `MReplicate` onto `cs`" (exempt from `LogAppendOnly` and `WriteUnderLease`) is read
 *   off the step itself: `clones` grew and `cs` joined `mCurrent` (only `MReplicate` does
 *   either, and it adds exactly its `dst`).
 * - `WriteUnderLease`'s "consumes an `Apply` to `cs`": an `Apply` addressed to `cs` is in
 *   flight before the step and not after it.
 */
import type { ActionProperty, StateProperty } from '../checker/core/spec.js';
import { f1, f2, Msg, mType } from './network.js';
import {
  entryD,
  entrySn,
  entryV,
  isPrimary,
  leaseCurrent,
  logOf,
  maxEntriesPerVersion,
  msgsOf,
  msgsStart,
  Phase,
  type GfsState,
  type Params,
} from './state.js';

/** `SinglePrimary`: no two chunkservers are `IsPrimary` at once. */
export function singlePrimary(s: GfsState, p: Params): boolean {
  let n = 0;
  for (let cs = 1; cs <= p.N; cs++) if (isPrimary(s, p, cs)) n++;
  return n <= 1;
}

/** `LeaseAgreement`: if `IsPrimary(cs)`, `mUp` and `LeaseCurrent`, then `mLease.holder = cs`. */
export function leaseAgreement(s: GfsState, p: Params): boolean {
  if (s[p.mUp] !== 1 || !leaseCurrent(s, p)) return true;
  for (let cs = 1; cs <= p.N; cs++) if (isPrimary(s, p, cs) && s[p.mLeaseHolder] !== cs) return false;
  return true;
}

/** Entries per version seen so far in one log: scratch of {@link mutationOrder}, reused (no allocation per state). */
let counts = new Int32Array(8);

/**
 * `MutationOrder`: for any two replicas and any version, the i-th entries of that version
 * (reading 8) carry the same data wherever neither is `⊥`; and every log's entries of a
 * version carry serial numbers 1, 2, 3, ... in order.
 */
export function mutationOrder(s: GfsState, p: Params): boolean {
  let total = 0;
  for (let cs = 1; cs <= p.N; cs++) total += s[p.logLen + cs]!;
  if (total === 0) return true;
  const versions = p.MaxGrants + 2;
  if (counts.length < versions) counts = new Int32Array(versions);
  const count = counts;
  for (let a = 1, at = p.header; a <= p.N; a++) {
    for (let v = 0; v < versions; v++) count[v] = 0;
    const end = at + s[p.logLen + a]!;
    for (; at < end; at++) {
      const v = entryV(s[at]!);
      // A version out of range (only in a broken state) fails, as it did with an exact-size array.
      if (v >= versions || entrySn(s[at]!) !== ++count[v]!) return false;
    }
  }
  // Entries of one version carry serial numbers 1, 2, ... (checked above), so the i-th entry
  // of version v in one log and the entry with serial number i in another are the same position.
  for (let a = 1, aStart = p.header; a <= p.N; aStart += s[p.logLen + a]!, a++) {
    const aEnd = aStart + s[p.logLen + a]!;
    for (let b = a + 1, bStart = aEnd; b <= p.N; bStart += s[p.logLen + b]!, b++) {
      const bEnd = bStart + s[p.logLen + b]!;
      for (let i = aStart; i < aEnd; i++) {
        const ea = s[i]!;
        for (let j = bStart; j < bEnd; j++) {
          const eb = s[j]!;
          // Same version and serial number: bits 5 and up of the packed entries.
          if (ea >>> 5 === eb >>> 5) {
            const da = entryD(ea);
            const db = entryD(eb);
            if (da >= 0 && db >= 0 && da !== db) return false;
          }
        }
      }
    }
  }
  return true;
}

/** `AckedDurable`: every acked item is in the log (not as `⊥`) of every replica whose `ver = mVersion`. */
export function ackedDurable(s: GfsState, p: Params): boolean {
  const acked = s[p.acked]!;
  if (acked === 0) return true;
  for (let cs = 1, at = p.header; cs <= p.N; cs++) {
    const end = at + s[p.logLen + cs]!;
    if (s[p.ver + cs] === s[p.mVersion]) {
      let present = 0;
      for (let i = at; i < end; i++) {
        const d = entryD(s[i]!);
        if (d >= 0) present |= 1 << d;
      }
      if ((acked & present) !== acked) return false;
    }
    at = end;
  }
  return true;
}

/** `VersionsBounded`: no replica and no `Grant`/`Bump` in flight is ahead of the master: `ver[cs] <= mVersion`, `v <= mVersion`. */
export function versionsBounded(s: GfsState, p: Params): boolean {
  const mv = s[p.mVersion]!;
  for (let cs = 1; cs <= p.N; cs++) if (s[p.ver + cs]! > mv) return false;
  for (let i = msgsStart(s, p); i < s.length; i++) {
    const t = mType(s[i]!);
    if ((t === Msg.Grant || t === Msg.Bump) && f2(s[i]!) > mv) return false;
  }
  return true;
}

/** Where each chunkserver's log starts and ends (`at[cs]`, `at[cs + 1]`): logs follow the header in order. */
function logBounds(s: GfsState, p: Params): number[] {
  const at = [0, p.header];
  for (let cs = 1; cs <= p.N; cs++) at.push(at[cs]! + s[p.logLen + cs]!);
  return at;
}

/** True when `s[a..b)` holds the packed entry `e`. */
function holds(s: GfsState, a: number, b: number, e: number): boolean {
  for (let i = a; i < b; i++) if (s[i] === e) return true;
  return false;
}

/**
 * `AckedSamePosition` (a defined region, GFS paper §2.7): every acked item sits at one and
 * the same `(v, sn)` on every replica of `Cur = {cs : ver[cs] = mVersion}`, when `Cur` is
 * not empty. Stronger than `AckedDurable`.
 */
export function ackedSamePosition(s: GfsState, p: Params): boolean {
  const acked = s[p.acked]!;
  if (acked === 0) return true;
  const mv = s[p.mVersion]!;
  let first = 0;
  for (let cs = 1; cs <= p.N && first === 0; cs++) if (s[p.ver + cs] === mv) first = cs;
  if (first === 0) return true;
  const at = logBounds(s, p);
  for (let d = 0; acked >> d; d++) {
    if (!(acked & (1 << d))) continue;
    let found = false;
    // Candidates: the entries (v, sn, d) of the first current replica.
    for (let i = at[first]!; i < at[first + 1]! && !found; i++) {
      const e = s[i]!;
      if (entryD(e) !== d) continue;
      found = true;
      for (let cs = first + 1; cs <= p.N && found; cs++) {
        if (s[p.ver + cs] === mv && !holds(s, at[cs]!, at[cs + 1]!, e)) found = false;
      }
    }
    if (!found) return false;
  }
  return true;
}

/**
 * `ConsistentWhenQuiet` (a consistent region, GFS paper §2.7): when every client is
 * finished, no `WriteReq`, `Apply`, `ApplyAck` or `WriteResp` is in flight, every `pend` is
 * empty and `acked` holds every data item, all replicas of `Cur` have identical logs.
 */
export function consistentWhenQuiet(s: GfsState, p: Params): boolean {
  const D = p.C * p.W;
  if (s[p.acked] !== (D >= 31 ? 0x7fffffff : (1 << D) - 1)) return true;
  for (let c = 1; c <= p.C; c++) if (s[p.idx + c]! <= p.W) return true;
  for (let cs = 1; cs <= p.N; cs++) if (s[p.pendLen + cs] !== 0) return true;
  for (let i = msgsStart(s, p); i < s.length; i++) {
    const t = mType(s[i]!);
    if (t === Msg.WriteReq || t === Msg.Apply || t === Msg.ApplyAck || t === Msg.WriteResp) return true;
  }
  const mv = s[p.mVersion]!;
  const at = logBounds(s, p);
  let first = 0;
  for (let cs = 1; cs <= p.N; cs++) {
    if (s[p.ver + cs] !== mv) continue;
    if (first === 0) {
      first = cs;
      continue;
    }
    const n = at[first + 1]! - at[first]!;
    if (at[cs + 1]! - at[cs]! !== n) return false;
    for (let k = 0; k < n; k++) if (s[at[first]! + k] !== s[at[cs]! + k]) return false;
  }
  return true;
}

/**
 * `TypeOK` (a self-test of the encoding): clocks in `0..S` with `min = 0`; timestamps in
 * `0..S+L`; versions in `1..MaxGrants+1`; `clones` in `0..MaxClones`; serial numbers, log lengths and set sizes within
 * what the constants allow; sets sorted and without duplicates.
 */
export function typeOK(s: GfsState, p: Params): boolean {
  const maxV = p.MaxGrants + 1;
  const maxTs = p.S + p.L;
  const D = p.C * p.W;
  const allD = D >= 31 ? 0x7fffffff : (1 << D) - 1;
  const allCs = (1 << p.N) - 1;
  let minC = Infinity;
  for (let n = 0; n <= p.N; n++) {
    const c = s[p.clock + n]!;
    if (!inRange(c, 0, p.S)) return false;
    if (c < minC) minC = c;
  }
  if (minC !== 0) return false;
  if (!inRange(s[p.mUp]!, 0, 1) || !inRange(s[p.mVersion]!, 1, maxV) || !inRange(s[p.grants]!, 0, p.MaxGrants)) return false;
  if (!inRange(s[p.mLeaseHolder]!, 0, p.N) || !inRange(s[p.mLeaseExp]!, 0, maxTs) || !inRange(s[p.mGrace]!, 0, maxTs)) return false;
  if (s[p.mLeaseHolder] === 0 && s[p.mLeaseExp] !== 0) return false;
  if ((s[p.mCurrent]! & ~allCs) !== 0 || (s[p.acked]! & ~allD) !== 0) return false;
  if (!inRange(s[p.crashes]!, 0, p.MaxCrashes) || !inRange(s[p.losses]!, 0, p.MaxLoss)) return false;
  if (!inRange(s[p.clones]!, 0, p.MaxClones)) return false;
  const maxSn = maxEntriesPerVersion(p);
  // Logs, then pend sets, then messages follow the header (see state.ts); walk them in place.
  let at = p.header;
  for (let cs = 1; cs <= p.N; cs++) {
    if (!inRange(s[p.up + cs]!, 0, 1) || !inRange(s[p.ver + cs]!, 1, maxV)) return false;
    if (!inRange(s[p.leaseVer + cs]!, 0, maxV) || !inRange(s[p.leaseExp + cs]!, 0, maxTs)) return false;
    if ((s[p.buf + cs]! & ~allD) !== 0 || s[p.logLen + cs]! > maxSn * maxV) return false;
    for (const end = at + s[p.logLen + cs]!; at < end; at++) {
      const e = s[at]!;
      if (!inRange(entryV(e), 1, maxV) || !inRange(entrySn(e), 1, maxSn) || entryD(e) >= D) return false;
    }
  }
  for (let cs = 1; cs <= p.N; cs++) {
    const end = at + s[p.pendLen + cs]!;
    if (!sortedRun(s, at, end)) return false;
    at = end;
  }
  for (let c = 1; c <= p.C; c++) {
    if (!inRange(s[p.phase + c]!, Phase.Idle, Phase.Write) || !inRange(s[p.idx + c]!, 1, p.W + 1)) return false;
    if (!inRange(s[p.tries + c]!, 0, p.MaxRetries) || !inRange(s[p.prim + c]!, 0, p.N)) return false;
    if ((s[p.secs + c]! & ~allCs) !== 0 || (s[p.pushed + c]! & ~allCs) !== 0) return false;
  }
  if (!sortedRun(s, at, s.length)) return false;
  for (let i = at; i < s.length; i++) if (mType(s[i]!) < Msg.LookupReq || mType(s[i]!) > Msg.WriteResp) return false;
  return true;
}

const inRange = (x: number, lo: number, hi: number): boolean => x >= lo && x <= hi;

/** True when `s[a..b)` is strictly increasing (a set in its sorted form). */
function sortedRun(s: GfsState, a: number, b: number): boolean {
  for (let i = a + 1; i < b; i++) if (s[i - 1]! >= s[i]!) return false;
  return true;
}

/** The invariants by name, in the order they are checked (`LeaseAgreement` before `SinglePrimary`). */
export const INVARIANT_NAMES = [
  'TypeOK',
  'LeaseAgreement',
  'SinglePrimary',
  'MutationOrder',
  'AckedDurable',
  'VersionsBounded',
  'AckedSamePosition',
  'ConsistentWhenQuiet',
] as const;

/** The action properties by name, in the order they are checked. */
export const ACTION_PROPERTY_NAMES = ['VersionMonotonic', 'LogAppendOnly', 'AckedStable', 'WriteUnderLease'] as const;

/** The invariants of a configuration, in the order of {@link INVARIANT_NAMES}. */
export function invariants(p: Params): StateProperty<GfsState>[] {
  return [
    { name: 'TypeOK', check: (s) => typeOK(s, p) },
    { name: 'LeaseAgreement', check: (s) => leaseAgreement(s, p) },
    { name: 'SinglePrimary', check: (s) => singlePrimary(s, p) },
    { name: 'MutationOrder', check: (s) => mutationOrder(s, p) },
    { name: 'AckedDurable', check: (s) => ackedDurable(s, p) },
    { name: 'VersionsBounded', check: (s) => versionsBounded(s, p) },
    { name: 'AckedSamePosition', check: (s) => ackedSamePosition(s, p) },
    { name: 'ConsistentWhenQuiet', check: (s) => consistentWhenQuiet(s, p) },
  ];
}


/**
 * The chunkserver an `MReplicate` step cloned onto, or 0 when the step is no clone: the one
 * that joined `mCurrent` in a step that counted a clone.
 */
function clonedOnto(a: GfsState, b: GfsState, p: Params): number {
  if (b[p.clones] === a[p.clones]) return 0;
  const joined = b[p.mCurrent]! & ~a[p.mCurrent]!;
  for (let cs = 1; cs <= p.N; cs++) if (joined & (1 << (cs - 1))) return cs;
  return 0;
}

/** True when an `Apply` addressed to `cs` is in flight in `a` and not in `b` (the step consumed it). */
function consumedApplyTo(a: GfsState, b: GfsState, p: Params, cs: number): boolean {
  const bStart = msgsStart(b, p);
  for (let i = msgsStart(a, p); i < a.length; i++) {
    const m = a[i]!;
    if (mType(m) === Msg.Apply && f1(m) === cs && !holds(b, bStart, b.length, m)) return true;
  }
  return false;
}

/** The design page's action properties: `VersionMonotonic`, `LogAppendOnly`, `AckedStable`, `WriteUnderLease`. */
export function actionProperties(p: Params): ActionProperty<GfsState>[] {
  return [
    {
      name: 'VersionMonotonic',
      check: (a, b) => {
        if (b[p.mVersion]! < a[p.mVersion]!) return false;
        for (let cs = 1; cs <= p.N; cs++) if (b[p.ver + cs]! < a[p.ver + cs]!) return false;
        return true;
      },
    },
    {
      name: 'LogAppendOnly',
      check: (a, b) => {
        // A clone replaces its target's log: the property does not apply to it in that step.
        const dst = p.MaxClones > 0 ? clonedOnto(a, b, p) : 0;
        // Logs come first after the header, in chunkserver order, in both states.
        for (let cs = 1, ia = p.header, ib = p.header; cs <= p.N; cs++) {
          const la = a[p.logLen + cs]!;
          const lb = b[p.logLen + cs]!;
          if (cs !== dst) {
            if (lb < la) return false;
            for (let k = 0; k < la; k++) if (a[ia + k] !== b[ib + k]) return false;
          }
          ia += la;
          ib += lb;
        }
        return true;
      },
    },
    { name: 'AckedStable', check: (a, b) => (a[p.acked]! & b[p.acked]!) === a[p.acked] },
    {
      // A chunkserver orders a new mutation only while it believes it holds the lease: a step
      // that makes log[cs] longer, consumes no Apply to cs and is no clone onto cs starts from
      // a state where IsPrimary(cs).
      name: 'WriteUnderLease',
      check: (a, b) => {
        for (let cs = 1; cs <= p.N; cs++) {
          if (b[p.logLen + cs]! <= a[p.logLen + cs]!) continue;
          if (isPrimary(a, p, cs) || consumedApplyTo(a, b, p, cs)) continue;
          if (p.MaxClones > 0 && clonedOnto(a, b, p) === cs) continue;
          return false;
        }
        return true;
      },
    },
  ];
}

/** `sometimes` properties: events that a checked configuration should show are reachable. */
export function sometimesProperties(p: Params): StateProperty<GfsState>[] {
  const anyCs = (f: (cs: number) => boolean): boolean => {
    for (let cs = 1; cs <= p.N; cs++) if (f(cs)) return true;
    return false;
  };
  const allCs = (1 << p.N) - 1;
  return [
    { name: 'LeaseGranted', check: (s) => anyCs((cs) => isPrimary(s, p, cs)) },
    { name: 'LeaseExtended', check: (s) => msgsOf(s, p).some((m) => mType(m) === Msg.ExtendResp) },
    { name: 'WriteAcked', check: (s) => s[p.acked] !== 0 },
    {
      name: 'WriteFailed',
      check: (s) => {
        for (let c = 1; c <= p.C; c++) {
          // A client moved past a write it was not told succeeded, or is retrying one.
          for (let k = 1; k < s[p.idx + c]!; k++) if (!(s[p.acked]! & (1 << ((c - 1) * p.W + k - 1)))) return true;
          if (s[p.tries + c]! > 0) return true;
        }
        return false;
      },
    },
    { name: 'InconsistentRegion', check: (s) => anyCs((cs) => logOf(s, p, cs).some((e) => entryD(e) < 0)) },
    {
      name: 'CrashRestarted',
      check: (s) => s[p.crashes]! > 0 && s[p.mUp] === 1 && !anyCs((cs) => s[p.up + cs] === 0),
    },
    { name: 'StaleReplicaDropped', check: (s) => s[p.mCurrent] !== allCs },
    { name: 'MessageLost', check: (s) => s[p.losses]! > 0 },
    // A stale replica is re-replicated: MReplicate only clones onto a replica outside mCurrent.
    { name: 'StaleReplicaCloned', check: (s) => s[p.clones]! > 0 },
    {
      name: 'AllWritesDone',
      check: (s) => {
        for (let c = 1; c <= p.C; c++) if (s[p.idx + c]! <= p.W) return false;
        return true;
      },
    },
  ];
}

/** Names of the `sometimes` properties, in the order of {@link sometimesProperties}. */
export const SOMETIMES_NAMES = [
  'LeaseGranted',
  'LeaseExtended',
  'WriteAcked',
  'WriteFailed',
  'InconsistentRegion',
  'CrashRestarted',
  'StaleReplicaDropped',
  'MessageLost',
  'StaleReplicaCloned',
  'AllWritesDone',
] as const;
