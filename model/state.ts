/**
 * The state of the GFS chunk-lease model for one chunk: its constants, variables, initial
 * state and `TypeOK`, exactly the variables of `shared/design/gfs-lease-model.md`.
 *
 * Models GFS paper §3.1 (leases and mutation order), §4.5 (stale replica detection) and
 * §2.7 (consistency model) for a single chunk. Abstracted: data contents (a data item is
 * just "the k-th write of client c"), chunk locations, the master's operation log,
 * heartbeats (folded into `MReport` and `MGrant`'s liveness view) and real time (bounded-skew
 * integer clocks, normalised so that the minimum clock is always 0).
 *
 * Representation, chosen for speed in the explorer's hot loop and for exact set semantics:
 * - per-chunkserver arrays are indexed by the chunkserver's id `1..N` (slot 0 is unused and
 *   always holds the initial value); per-client arrays likewise by `1..C`; `clock[0]` is the
 *   master's clock and `clock[cs]` chunkserver `cs`'s;
 * - sets of chunkservers and sets of data items are bitmasks (`cs` is bit `cs - 1`, data item
 *   `d` is bit `d`, see {@link dataIndex});
 * - sets of records (messages in flight, `pend` entries) are sorted arrays of distinct packed
 *   integers, so equal sets are equal arrays; log entries are packed integers in log order.
 * - `mLease = none` is `mLeaseHolder = 0` (and `mLeaseExp = 0`); an expired lease keeps its
 *   holder (reading 3), so it stays distinct from `none`.
 */

/** The model's constants (one configuration), as the design page names them. */
export interface Constants {
  /** Chunkservers holding a replica, `CS = 1..N`. */
  readonly N: number;
  /** Clients, `1..C`. */
  readonly C: number;
  /** Writes per client, issued one after another. */
  readonly W: number;
  /** Lease duration in clock ticks. */
  readonly L: number;
  /** Bound on clock skew between any two nodes (`S >= 1`). */
  readonly S: number;
  /** Crash events in a behaviour, master and chunkservers together. */
  readonly MaxCrashes: number;
  /** Messages the network may lose in a behaviour. */
  readonly MaxLoss: number;
  /** Extra attempts a client makes for one write after a failed one. */
  readonly MaxRetries: number;
  /** Leases the master grants in a behaviour. */
  readonly MaxGrants: number;
  /** The master keeps its lease table across a crash. */
  readonly PersistLease: boolean;
}

/** The seven deliberate bugs of the design page. */
export const MUTANTS = [
  'noGraceAfterRestart',
  'ignoreSkew',
  'expiryFromReceipt',
  'grantWhileLeased',
  'arrivalOrder',
  'ackBeforeReplicas',
  'noVersionBump',
] as const;

/** The name of a deliberate bug. */
export type Mutant = (typeof MUTANTS)[number];

/** A configuration: constants plus the mutant flags that are on. */
export interface Config extends Constants {
  /** The mutant flags that are on (usually none or one). */
  readonly mutants: readonly Mutant[];
}

/** The base configuration of the design page: 69,057 distinct states without symmetry. */
export const BASE_CONSTANTS: Constants = {
  N: 2,
  C: 1,
  W: 1,
  L: 2,
  S: 1,
  MaxCrashes: 0,
  MaxLoss: 0,
  MaxRetries: 0,
  MaxGrants: 1,
  PersistLease: false,
};

/** Client phases. */
export const Phase = { Idle: 0, Lookup: 1, Push: 2, Write: 3 } as const;
/** A client phase: one of the values of {@link Phase}. */
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Printable names of {@link Phase} values. */
export const PHASE_NAMES = ['Idle', 'Lookup', 'Push', 'Write'] as const;

/** The model's variables; see the module comment for the representation. */
export interface GfsState {
  /** `clock[0]` is the master's clock, `clock[cs]` chunkserver `cs`'s. */
  readonly clock: readonly number[];
  readonly mUp: boolean;
  readonly mVersion: number;
  /** The holder of `mLease`, 0 for `none`. */
  readonly mLeaseHolder: number;
  /** The expiry of `mLease` (0 when `none`). */
  readonly mLeaseExp: number;
  readonly mGrace: number;
  /** Bitmask of chunkservers. */
  readonly mCurrent: number;
  readonly grants: number;
  readonly up: readonly boolean[];
  readonly ver: readonly number[];
  readonly leaseVer: readonly number[];
  readonly leaseExp: readonly number[];
  /** Per chunkserver, the log as packed entries (see {@link packEntry}). */
  readonly log: readonly (readonly number[])[];
  /** Per chunkserver, a bitmask of data items. */
  readonly buf: readonly number[];
  /** Per chunkserver, a sorted array of packed pend entries (see {@link packPend}). */
  readonly pend: readonly (readonly number[])[];
  readonly phase: readonly Phase[];
  readonly idx: readonly number[];
  readonly tries: readonly number[];
  readonly prim: readonly number[];
  /** Per client, a bitmask of chunkservers. */
  readonly secs: readonly number[];
  /** Per client, a bitmask of chunkservers. */
  readonly pushed: readonly number[];
  /** Messages in flight: a sorted array of distinct packed messages (see `network.ts`). */
  readonly msgs: readonly number[];
  /** Bitmask of data items whose client was told "success" (ghost). */
  readonly acked: number;
  readonly crashes: number;
  readonly losses: number;
}

/** The index of data item `(c, k)`, the k-th write of client c: `(c - 1) * W + (k - 1)`. */
export function dataIndex(cfg: Constants, c: number, k: number): number {
  return (c - 1) * cfg.W + (k - 1);
}

/** The data item `(c, k)` of a data index. */
export function dataItem(cfg: Constants, d: number): [c: number, k: number] {
  return [Math.floor(d / cfg.W) + 1, (d % cfg.W) + 1];
}

/** Bit of chunkserver `cs` in a chunkserver set. */
export const csBit = (cs: number): number => 1 << (cs - 1);

/** The members of a chunkserver bitmask, ascending. */
export function csMembers(mask: number): number[] {
  const out: number[] = [];
  for (let cs = 1; mask >> (cs - 1); cs++) if (mask & csBit(cs)) out.push(cs);
  return out;
}

/** A log entry `(v, sn, d | ⊥)` packed as an integer; `d = -1` stands for `⊥`. */
export const packEntry = (v: number, sn: number, d: number): number => (v << 10) | (sn << 5) | (d + 1);
/** The version of a packed log entry. */
export const entryV = (e: number): number => e >>> 10;
/** The serial number of a packed log entry. */
export const entrySn = (e: number): number => (e >>> 5) & 31;
/** The data index of a packed log entry, -1 for `⊥`. */
export const entryD = (e: number): number => (e & 31) - 1;

/** A pend entry `(v, sn, c, d, waiting, ok)` packed as an integer. */
export const packPend = (v: number, sn: number, c: number, d: number, waiting: number, ok: boolean): number =>
  (v << 21) | (sn << 16) | (c << 11) | (d << 6) | (waiting << 1) | (ok ? 1 : 0);
/** Fields of a packed pend entry. */
export const pendV = (e: number): number => e >>> 21;
/** The serial number of a packed pend entry. */
export const pendSn = (e: number): number => (e >>> 16) & 31;
/** The client of a packed pend entry. */
export const pendC = (e: number): number => (e >>> 11) & 31;
/** The data index of a packed pend entry. */
export const pendD = (e: number): number => (e >>> 6) & 31;
/** The `waiting` chunkserver bitmask of a packed pend entry. */
export const pendWaiting = (e: number): number => (e >>> 1) & 31;
/** The `ok` flag of a packed pend entry. */
export const pendOk = (e: number): boolean => (e & 1) === 1;

/** A copy of `a` with `a[i] = v`. */
export function setAt<T>(a: readonly T[], i: number, v: T): T[] {
  const b = a.slice();
  b[i] = v;
  return b;
}

/** Inserts `x` into a sorted array of distinct numbers (a set); returns `a` itself if present. */
export function setAdd(a: readonly number[], x: number): readonly number[] {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  if (a[lo] === x) return a;
  const b = new Array<number>(a.length + 1);
  for (let i = 0; i < lo; i++) b[i] = a[i]!;
  b[lo] = x;
  for (let i = lo; i < a.length; i++) b[i + 1] = a[i]!;
  return b;
}

/** Removes `x` from a sorted array of distinct numbers; returns `a` itself if absent. */
export function setRemove(a: readonly number[], x: number): readonly number[] {
  const i = a.indexOf(x);
  if (i < 0) return a;
  const b = a.slice();
  b.splice(i, 1);
  return b;
}

/** The initial state: all clocks 0, everyone up, versions 1, `mCurrent = CS`, clients Idle at `idx = 1`. */
export function initialState(cfg: Constants): GfsState {
  const n = cfg.N + 1;
  const c = cfg.C + 1;
  const zerosN = new Array<number>(n).fill(0);
  const zerosC = new Array<number>(c).fill(0);
  return {
    clock: zerosN,
    mUp: true,
    mVersion: 1,
    mLeaseHolder: 0,
    mLeaseExp: 0,
    mGrace: 0,
    mCurrent: (1 << cfg.N) - 1,
    grants: 0,
    up: new Array<boolean>(n).fill(true),
    ver: new Array<number>(n).fill(1),
    leaseVer: zerosN,
    leaseExp: zerosN,
    log: new Array<readonly number[]>(n).fill([]),
    buf: zerosN,
    pend: new Array<readonly number[]>(n).fill([]),
    phase: new Array<Phase>(c).fill(Phase.Idle),
    idx: new Array<number>(c).fill(1),
    tries: zerosC,
    prim: zerosC,
    secs: zerosC,
    pushed: zerosC,
    msgs: [],
    acked: 0,
    crashes: 0,
    losses: 0,
  };
}

/** Most log entries of one version a chunkserver can hold: every write attempt appends at most once. */
export function maxEntriesPerVersion(cfg: Constants): number {
  return cfg.C * cfg.W * (cfg.MaxRetries + 1);
}

/** What every transition reads: the constants and each mutant flag as a boolean. */
export interface Params extends Constants {
  /** `bug[m]` is true when mutant `m` is on. */
  readonly bug: Readonly<Record<Mutant, boolean>>;
}

/** The {@link Params} of a configuration. */
export function toParams(cfg: Config): Params {
  const bug = Object.fromEntries(MUTANTS.map((m) => [m, cfg.mutants.includes(m)])) as Record<Mutant, boolean>;
  const { mutants: _, ...constants } = cfg;
  return { ...constants, bug };
}

/** `LeaseCurrent = mLease ≠ none ∧ clock[M] < mLease.exp`. */
export function leaseCurrent(s: GfsState): boolean {
  return s.mLeaseHolder !== 0 && s.clock[0]! < s.mLeaseExp;
}

/**
 * `IsPrimary(cs) = up[cs] ∧ leaseVer[cs] = ver[cs] ∧ clock[cs] + S < leaseExp[cs]`; under
 * `ignoreSkew` the last clause is `clock[cs] < leaseExp[cs]` (reading 10: the invariants
 * use the same, mutated, definition).
 */
export function isPrimary(s: GfsState, p: Params, cs: number): boolean {
  return (
    s.up[cs]! &&
    s.leaseVer[cs] === s.ver[cs] &&
    s.clock[cs]! + (p.bug.ignoreSkew ? 0 : p.S) < s.leaseExp[cs]!
  );
}

/** `nextSn(cs) = 1 + |{e ∈ log[cs] : e.v = ver[cs]}|` (reading 7: `⊥` entries count). */
export function nextSn(s: GfsState, cs: number): number {
  const v = s.ver[cs]!;
  let n = 1;
  for (const e of s.log[cs]!) if (e >>> 10 === v) n++;
  return n;
}
