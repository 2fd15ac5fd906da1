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
 * Representation: a state is one array of small integers (its own compact encoding: the
 * explorer hashes its words directly and queues it as words; plain arrays of small
 * integers copy several times faster than small typed arrays in V8). A fixed header holds every scalar and
 * every per-node variable at the offsets of {@link Params} (`s[p.ver + cs]` is `ver[cs]`,
 * `s[p.clock + 0]` the master's clock, `s[p.phase + c]` client `c`'s phase); variable-size
 * parts follow in order: each chunkserver's log, each chunkserver's `pend` set, and the
 * messages in flight, their lengths in the header (`logLen`, `pendLen`; the messages run
 * to the end of the array).
 * - sets of chunkservers and sets of data items are bitmasks (`cs` is bit `cs - 1`, data item
 *   `d` is bit `d`, see {@link dataIndex});
 * - sets of records (messages in flight, `pend` entries) are sorted runs of distinct packed
 *   integers, so equal sets are equal words; log entries are packed integers in log order;
 * - `mLease = none` is `mLeaseHolder = 0` (and `mLeaseExp = 0`); an expired lease keeps its
 *   holder (reading 3), so it stays distinct from `none`.
 *
 * Purity: a transition never writes the array it is given. It first takes a fresh copy
 * (with {@link copy}, or a helper that changes a length, which always returns a new array)
 * and writes only that copy.
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
  /**
   * Re-replications (`MReplicate`) in a behaviour (the design page's extension
   * "re-replication", GFS paper §4.3). Optional so that configurations written before the
   * extension still type-check; absent means 0, and with 0 `MReplicate` is never enabled.
   */
  readonly MaxClones?: number;
}

/** The deliberate bugs of the design page: the seven of its table, then the two of its re-replication extension. */
export const MUTANTS = [
  'noGraceAfterRestart',
  'ignoreSkew',
  'expiryFromReceipt',
  'grantWhileLeased',
  'arrivalOrder',
  'ackBeforeReplicas',
  'noVersionBump',
  'cloneWhileLeased',
  'cloneDuringWrite',
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
  MaxClones: 0,
};

/** Client phases. */
export const Phase = { Idle: 0, Lookup: 1, Push: 2, Write: 3 } as const;
/** A client phase: one of the values of {@link Phase}. */
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Printable names of {@link Phase} values. */
export const PHASE_NAMES = ['Idle', 'Lookup', 'Push', 'Write'] as const;

/** A state of the model: one array of small integers, laid out as the module comment says. */
export type GfsState = readonly number[];

/** A state a transition owns and may write: a fresh copy, never the caller's. */
export type Owned = number[];

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

/** A fresh copy of a state, for a transition to write. */
export const copy = (s: GfsState): Owned => s.slice();

/** Packed (not holey) all-zero arrays by length, templates for {@link zeroed}. */
const zeroTemplates: number[][] = [];

/**
 * A fresh packed array of `n` zeros. Copying a template is about a quarter faster than
 * growing an array by push (which reallocates), and keeps the array's elements packed
 * small integers, like every other state, so that reads of states stay monomorphic.
 */
export function zeroed(n: number): number[] {
  let z = zeroTemplates[n];
  if (z === undefined) {
    z = [];
    for (let i = 0; i < n; i++) z.push(0);
    zeroTemplates[n] = z;
  }
  return z.slice();
}

/** A new array: `s` with `x` inserted at `pos`. */
export function insertWord(s: GfsState, pos: number, x: number): Owned {
  const n = s.length;
  const t = zeroed(n + 1);
  for (let i = 0; i < pos; i++) t[i] = s[i]!;
  t[pos] = x;
  for (let i = pos; i < n; i++) t[i + 1] = s[i]!;
  return t;
}

/** A new array: `s` without the word at `pos`. */
export function removeWord(s: GfsState, pos: number): Owned {
  // One exact-size copy, shifted in place: about twice as fast as building by push.
  const t = s.slice();
  const n = t.length - 1;
  for (let i = pos; i < n; i++) t[i] = t[i + 1]!;
  t.pop();
  return t;
}

/** Sorts `t[start..]` ascending in place (insertion sort: the runs are short and nearly sorted). */
export function sortRun(t: Owned, start: number): void {
  for (let i = start + 1; i < t.length; i++) {
    const x = t[i]!;
    let j = i - 1;
    while (j >= start && t[j]! > x) {
      t[j + 1] = t[j]!;
      j--;
    }
    t[j + 1] = x;
  }
}

/** Where `x` is, or would be inserted, in the sorted run `s[start..end)`. */
export function sortedPos(s: GfsState, start: number, end: number, x: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Most log entries of one version a chunkserver can hold: every write attempt appends at most once. */
export function maxEntriesPerVersion(cfg: Constants): number {
  return cfg.C * cfg.W * (cfg.MaxRetries + 1);
}

/**
 * What every transition reads: the constants, each mutant flag as a boolean, and the
 * state's layout (offsets into the state's array). Per-node offsets are biased so that
 * `s[p.ver + cs]` addresses `ver[cs]` for `cs` in `1..N`, and `s[p.phase + c]` client `c`'s.
 */
export interface Params extends Constants {
  /** `bug[m]` is true when mutant `m` is on. */
  readonly bug: Readonly<Record<Mutant, boolean>>;
  /** `s[clock + n]`: `n = 0` the master, `n = cs` a chunkserver. */
  readonly clock: number;
  /** Offset of `mUp` (0 or 1). */
  readonly mUp: number;
  /** Offset of `mVersion`. */
  readonly mVersion: number;
  /** Offset of `mLease.holder` (0 for `none`). */
  readonly mLeaseHolder: number;
  /** Offset of `mLease.exp`. */
  readonly mLeaseExp: number;
  /** Offset of `mGrace`. */
  readonly mGrace: number;
  /** Offset of `mCurrent` (a chunkserver bitmask). */
  readonly mCurrent: number;
  /** Offset of `grants`. */
  readonly grants: number;
  /** Offset of `acked` (a data-item bitmask). */
  readonly acked: number;
  /** Offset of `crashes`. */
  readonly crashes: number;
  /** Offset of `losses`. */
  readonly losses: number;
  /** Offset of `clones` (re-replications so far, bounded by `MaxClones`). */
  readonly clones: number;
  /** `MaxClones`, 0 when the configuration does not give it. */
  readonly MaxClones: number;
  /** Biased offset of `up[cs]` (0 or 1). */
  readonly up: number;
  /** Biased offset of `ver[cs]`. */
  readonly ver: number;
  /** Biased offset of `leaseVer[cs]`. */
  readonly leaseVer: number;
  /** Biased offset of `leaseExp[cs]`. */
  readonly leaseExp: number;
  /** Biased offset of `buf[cs]` (a data-item bitmask). */
  readonly buf: number;
  /** Biased offset of the length of `log[cs]`. */
  readonly logLen: number;
  /** Biased offset of the size of `pend[cs]`. */
  readonly pendLen: number;
  /** Biased offset of `phase[c]`. */
  readonly phase: number;
  /** Biased offset of `idx[c]`. */
  readonly idx: number;
  /** Biased offset of `tries[c]`. */
  readonly tries: number;
  /** Biased offset of `prim[c]` (0 when unknown). */
  readonly prim: number;
  /** Biased offset of `secs[c]` (a chunkserver bitmask). */
  readonly secs: number;
  /** Biased offset of `pushed[c]` (a chunkserver bitmask). */
  readonly pushed: number;
  /** Words in the fixed header; the variable-size parts start here. */
  readonly header: number;
}

/** The {@link Params} of a configuration: constants, mutant flags and layout. */
export function toParams(cfg: Config): Params {
  const bug = Object.fromEntries(MUTANTS.map((m) => [m, cfg.mutants.includes(m)])) as Record<Mutant, boolean>;
  const { mutants: _, ...constants } = cfg;
  let at = 0;
  const scalar = (): number => at++;
  // Biased by one so that index 1 (the first chunkserver or client) lands on the first word.
  const perNode = (n: number): number => {
    const o = at - 1;
    at += n;
    return o;
  };
  const clock = at;
  at += cfg.N + 1;
  const layout = {
    clock,
    mUp: scalar(),
    mVersion: scalar(),
    mLeaseHolder: scalar(),
    mLeaseExp: scalar(),
    mGrace: scalar(),
    mCurrent: scalar(),
    grants: scalar(),
    acked: scalar(),
    crashes: scalar(),
    losses: scalar(),
    clones: scalar(),
    up: perNode(cfg.N),
    ver: perNode(cfg.N),
    leaseVer: perNode(cfg.N),
    leaseExp: perNode(cfg.N),
    buf: perNode(cfg.N),
    logLen: perNode(cfg.N),
    pendLen: perNode(cfg.N),
    phase: perNode(cfg.C),
    idx: perNode(cfg.C),
    tries: perNode(cfg.C),
    prim: perNode(cfg.C),
    secs: perNode(cfg.C),
    pushed: perNode(cfg.C),
  };
  return { ...constants, MaxClones: cfg.MaxClones ?? 0, bug, ...layout, header: at };
}

/** The initial state: all clocks 0, everyone up, versions 1, `mCurrent = CS`, clients Idle at `idx = 1`. */
export function initialState(p: Params): GfsState {
  const s: Owned = [];
  for (let i = 0; i < p.header; i++) s.push(0);
  s[p.mUp] = 1;
  s[p.mVersion] = 1;
  s[p.mCurrent] = (1 << p.N) - 1;
  for (let cs = 1; cs <= p.N; cs++) {
    s[p.up + cs] = 1;
    s[p.ver + cs] = 1;
  }
  for (let c = 1; c <= p.C; c++) s[p.idx + c] = 1;
  return s;
}

/** Where chunkserver `cs`'s log starts. */
export function logStart(s: GfsState, p: Params, cs: number): number {
  let at = p.header;
  for (let i = 1; i < cs; i++) at += s[p.logLen + i]!;
  return at;
}

/** Where chunkserver `cs`'s `pend` set starts. */
export function pendStart(s: GfsState, p: Params, cs: number): number {
  let at = p.header;
  for (let i = 1; i <= p.N; i++) at += s[p.logLen + i]!;
  for (let i = 1; i < cs; i++) at += s[p.pendLen + i]!;
  return at;
}

/** Where the messages in flight start; they run to the end of the array. */
export function msgsStart(s: GfsState, p: Params): number {
  let at = p.header;
  for (let i = 1; i <= p.N; i++) at += s[p.logLen + i]! + s[p.pendLen + i]!;
  return at;
}

/** Chunkserver `cs`'s log entries (a copy; hot paths loop over indices instead). */
export function logOf(s: GfsState, p: Params, cs: number): number[] {
  const a = logStart(s, p, cs);
  return s.slice(a, a + s[p.logLen + cs]!);
}

/** Chunkserver `cs`'s `pend` entries (a copy). */
export function pendOf(s: GfsState, p: Params, cs: number): number[] {
  const a = pendStart(s, p, cs);
  return s.slice(a, a + s[p.pendLen + cs]!);
}

/** The messages in flight (a copy). */
export function msgsOf(s: GfsState, p: Params): number[] {
  return s.slice(msgsStart(s, p));
}

/** A new state with `e` appended to chunkserver `cs`'s log. */
export function appendLog(s: GfsState, p: Params, cs: number, e: number): Owned {
  const t = insertWord(s, logStart(s, p, cs) + s[p.logLen + cs]!, e);
  t[p.logLen + cs]!++;
  return t;
}

/** A new state with `e` added to chunkserver `cs`'s `pend` set (`e` must be absent). */
export function addPend(s: GfsState, p: Params, cs: number, e: number): Owned {
  const a = pendStart(s, p, cs);
  const t = insertWord(s, sortedPos(s, a, a + s[p.pendLen + cs]!, e), e);
  t[p.pendLen + cs]!++;
  return t;
}

/** A new state with `e` removed from chunkserver `cs`'s `pend` set (`e` must be present). */
export function removePend(s: GfsState, p: Params, cs: number, e: number): Owned {
  const a = pendStart(s, p, cs);
  const t = removeWord(s, sortedPos(s, a, a + s[p.pendLen + cs]!, e));
  t[p.pendLen + cs]!--;
  return t;
}

/** `LeaseCurrent = mLease ≠ none ∧ clock[M] < mLease.exp`. */
export function leaseCurrent(s: GfsState, p: Params): boolean {
  return s[p.mLeaseHolder] !== 0 && s[p.clock]! < s[p.mLeaseExp]!;
}

/**
 * `IsPrimary(cs) = up[cs] ∧ leaseVer[cs] = ver[cs] ∧ clock[cs] + S < leaseExp[cs]`; under
 * `ignoreSkew` the last clause is `clock[cs] < leaseExp[cs]` (reading 10: the invariants
 * use the same, mutated, definition).
 */
export function isPrimary(s: GfsState, p: Params, cs: number): boolean {
  return (
    s[p.up + cs] === 1 &&
    s[p.leaseVer + cs] === s[p.ver + cs] &&
    s[p.clock + cs]! + (p.bug.ignoreSkew ? 0 : p.S) < s[p.leaseExp + cs]!
  );
}

/** `nextSn(cs) = 1 + |{e ∈ log[cs] : e.v = ver[cs]}|` (reading 7: `⊥` entries count). */
export function nextSn(s: GfsState, p: Params, cs: number): number {
  const v = s[p.ver + cs]!;
  const a = logStart(s, p, cs);
  const b = a + s[p.logLen + cs]!;
  let n = 1;
  for (let i = a; i < b; i++) if (s[i]! >>> 10 === v) n++;
  return n;
}
