/**
 * The design page's invariants, action properties and `sometimes` properties, each about as
 * long as its definition on the page.
 *
 * Models what GFS paper §3.1 and §2.7 promise: at most one primary at a time (leases),
 * identical mutation order on every replica (serial numbers), durability of every
 * acknowledged write on every current replica, and the defined and consistent regions of
 * §2.7's Table 1. They are about what the nodes believe, so under `ignoreSkew` they use the
 * mutated `IsPrimary` (reading 10). The readings of the packed model's `invariants.ts` hold
 * here too: `Cur` includes replicas that are down; "identical logs" compares whole logs;
 * a clone onto `cs` is an `MReplicate` step whose `dst` is `cs`; "consumes an `Apply` to
 * `cs`" means one addressed to `cs` is in flight before the step and not after it.
 */
import type { Action } from '../../checker/core/spec.js';
import { minClock } from './clock.js';
import { inFlight } from './network.js';
import { isPrimary, leaseCurrent, type Entry, type G, type S } from './state.js';

/** `Cur = {cs : ver[cs] = mVersion}`: the replicas a reader would be sent to. */
const cur = (g: G, s: S): number[] => g.CS.members.filter((cs) => s.ver[cs] === s.mVersion);

/** The messages of a write in progress. */
const WRITE_TRAFFIC = ['WriteReq', 'Apply', 'ApplyAck', 'WriteResp'] as const;

/** How many of the first `i` entries of `log` have version `v`. */
function countBefore(log: readonly Entry[], i: number, v: number): number {
  let n = 0;
  for (let j = 0; j < i; j++) if (log[j]!.v === v) n++;
  return n;
}

/** Two log entries agree unless both carry data and it differs (`⊥` agrees with anything). */
const agree = (g: G, x: Entry, y: Entry): boolean => x.d === null || y.d === null || g.Data.equals(x.d, y.d);

/** Entries of the two logs with the same version and serial number agree. */
const sameOrder = (g: G, a: readonly Entry[], b: readonly Entry[]): boolean =>
  a.every((ea) => b.every((eb) => ea.v !== eb.v || ea.sn !== eb.sn || agree(g, ea, eb)));

/** The invariants by name, in the order they are checked (`LeaseAgreement` before `SinglePrimary`). */
export function invariants(g: G): Record<string, (s: S) => boolean> {
  const css = g.CS.members;
  return {
    /** What the types do not say: `min(clock) = 0`. */
    TypeOK: (s) => minClock(s) === 0,
    LeaseAgreement: (s) => !(s.mUp && leaseCurrent(s)) || css.every((cs) => !isPrimary(g, s, cs) || s.mLease!.holder === cs),
    SinglePrimary: (s) => !css.some((a) => css.some((b) => a < b && isPrimary(g, s, a) && isPrimary(g, s, b))),
    // Once a log's entries of each version carry serial numbers 1, 2, ... (the first clause),
    // the i-th entries of version v of two logs are the two entries (v, i): reading 8. So a
    // log agrees with itself, and each pair of replicas is compared once.
    MutationOrder: (s) =>
      s.log.every((log) => log.every((e, i) => e.sn === 1 + countBefore(log, i, e.v))) &&
      css.every((x) => css.every((y) => x >= y || s.log[x] === s.log[y] || sameOrder(g, s.log[x]!, s.log[y]!))),
    AckedDurable: (s) => s.acked.every((d) => cur(g, s).every((cs) => s.log[cs]!.some((e) => e.d !== null && g.Data.equals(e.d, d)))),
    VersionsBounded: (s) =>
      s.ver.every((v) => v <= s.mVersion) && s.msgs.variant('Grant').every((m) => m.v <= s.mVersion) && s.msgs.variant('Bump').every((m) => m.v <= s.mVersion),
    // Some entry (v, sn, d) of the first replica in Cur is in every replica's log in Cur.
    AckedSamePosition: (s) => {
      const c = cur(g, s);
      return c.length === 0 || s.acked.every((d) => s.log[c[0]!]!.some((e) => e.d !== null && g.Data.equals(e.d, d) && c.every((cs) => s.log[cs]!.some((x) => g.Entry.equals(x, e)))));
    },
    ConsistentWhenQuiet: (s) => {
      const quiet =
        g.Client.members.every((c) => s.idx[c]! > g.W) &&
        s.acked.size === g.C * g.W &&
        s.pend.every((p) => p.size === 0) &&
        !inFlight(s, WRITE_TRAFFIC);
      if (!quiet) return true;
      const logs = cur(g, s).map((cs) => s.log[cs]!);
      return logs.every((l) => l.length === logs[0]!.length && l.every((e, i) => g.Entry.equals(e, logs[0]![i]!)));
    },
  };
}

/** The chunkserver an `MReplicate` step cloned onto (its `dst`), or -1 for any other step. */
const clonedOnto = (a: Action): number => (a.name === 'MReplicate' ? (a.args[1] as number) : -1);

/** The design page's action properties, checked on every step (state before, state after). */
export function actionProperties(g: G): Record<string, (a: S, b: S, action: Action) => boolean> {
  const css = g.CS.members;
  return {
    // Each first asks whether the step left the variable as it was (a successor shares every
    // field it does not change with its parent, so that is one comparison on most steps).
    VersionMonotonic: (a, b) => (a.mVersion === b.mVersion || b.mVersion > a.mVersion) && (a.ver === b.ver || css.every((cs) => b.ver[cs]! >= a.ver[cs]!)),
    LogAppendOnly: (a, b, action) =>
      a.log === b.log ||
      css.every((cs) => a.log[cs] === b.log[cs] || cs === clonedOnto(action) || (b.log[cs]!.length >= a.log[cs]!.length && a.log[cs]!.every((e, i) => g.Entry.equals(e, b.log[cs]![i]!)))),
    AckedStable: (a, b) => a.acked === b.acked || a.acked.every((d) => b.acked.has(d)),
    WriteUnderLease: (a, b, action) =>
      a.log === b.log ||
      css.every(
        (cs) =>
          b.log[cs]!.length <= a.log[cs]!.length ||
          isPrimary(g, a, cs) ||
          a.msgs.variant('Apply').some((m) => m.to === cs && !b.msgs.has(m)) ||
          cs === clonedOnto(action),
      ),
  };
}

/** `sometimes` properties: events a checked configuration should show are reachable. */
export function sometimesProperties(g: G): Record<string, (s: S) => boolean> {
  const css = g.CS.members;
  const clients = g.Client.members;
  return {
    LeaseGranted: (s) => css.some((cs) => isPrimary(g, s, cs)),
    LeaseExtended: (s) => s.msgs.variant('ExtendResp').length > 0,
    WriteAcked: (s) => s.acked.size > 0,
    // A client moved past a write it was not told succeeded, or is retrying one.
    WriteFailed: (s) =>
      clients.some((c) => s.tries[c]! > 0 || Array.from({ length: s.idx[c]! - 1 }, (_, i) => i + 1).some((k) => !s.acked.has(g.Data.intern({ c, k })))),
    InconsistentRegion: (s) => s.log.some((log) => log.some((e) => e.d === null)),
    CrashRestarted: (s) => s.crashes > 0 && s.mUp && s.up.every((u) => u),
    StaleReplicaDropped: (s) => s.mCurrent.size < g.N,
    MessageLost: (s) => s.losses > 0,
    StaleReplicaCloned: (s) => s.clones > 0,
    AllWritesDone: (s) => clients.every((c) => s.idx[c]! > g.W),
  };
}
