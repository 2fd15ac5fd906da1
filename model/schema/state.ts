/**
 * The GFS chunk-lease model on a declared state schema: the design page's variables
 * (`shared/design/gfs-lease-model.md`, "State" and "Messages") as schema types with
 * `TypeOK`'s bounds, the initial state, and the page's derived operators (`IsPrimary`,
 * `LeaseCurrent`, `nextSn`).
 *
 * Models GFS paper §3.1, §4.5 and §2.7 for one chunk, as the packed model (`model/state.ts`)
 * does, with the same abstractions; the engine derives the encoding, fingerprints, JSON,
 * ITF, diffs and symmetry from the schema (`checker/core/schema.ts`).
 *
 * Readings of the page taken here, where a schema needs a choice the page leaves open:
 * - Chunkservers and clients are numbered from 0 (`CS = 0..N-1`, the page's `1..N`): schema
 *   domains start at 0. Both domains are symmetric (no action names a particular one).
 * - The clocks are `mClock` (the page's `clock[M]`) and `clock[cs]`.
 * - `prim[c] = 0` (none) is `null`; `mLease = none` is `null`; `⊥` is a log entry's `d = null`.
 * - A log holds at most `C * W * (MaxRetries + 1)` entries: every write attempt reaches a
 *   replica's log at most once (one `WriteReq` per attempt, one `Apply` per secondary), and a
 *   clone copies a log within the same bound. A configuration that broke it would stop with
 *   the schema's bound error naming `log`, not with a wrong count.
 */
import { arrayOf, bool, domain, enumOf, int, optional, record, seq, setOf, union, type Infer } from '../../checker/core/schema.js';
import type { Config, Mutant } from '../state.js';
import { MUTANTS } from '../state.js';

/** The schema of one configuration: every type, and the constants and mutant flags the role files read. */
export function gfsSchema(cfg: Config) {
  const { N, C, W, L, S, MaxCrashes, MaxLoss, MaxRetries, MaxGrants } = cfg;
  const MaxClones = cfg.MaxClones ?? 0;
  const maxSn = C * W * (MaxRetries + 1);
  const CS = domain('CS', N, { symmetric: true });
  const Client = domain('Client', C, { symmetric: true });
  const Version = int(1, MaxGrants + 1);
  /** A timestamp: 0 is "none / expired for everybody". */
  const Ts = int(0, S + L);
  const Clock = int(0, S);
  const CSSet = setOf(CS);
  /** A data item `(c, k)`: the k-th write of client c. */
  const Data = record({ c: Client, k: int(1, W) });
  /** A log entry `(v, sn, d | ⊥)`. */
  const Entry = record({ v: Version, sn: int(1, maxSn), d: optional(Data) });
  /** A `pend` entry `(v, sn, c, d, waiting, ok)`. */
  const Pend = record({ v: Version, sn: int(1, maxSn), c: Client, d: Data, waiting: CSSet, ok: bool() });
  /** The messages of the design page, one variant each, with its field names. */
  const Message = union('type', {
    LookupReq: { c: Client },
    LookupResp: { c: Client, p: CS, secs: CSSet },
    Grant: { to: CS, v: Version, exp: Ts },
    Bump: { to: CS, v: Version },
    ExtendReq: { from: CS, v: Version },
    ExtendResp: { to: CS, v: Version, exp: Ts },
    WriteReq: { to: CS, c: Client, d: Data, secs: CSSet },
    Apply: { to: CS, from: CS, v: Version, sn: int(1, maxSn), d: Data },
    ApplyAck: { to: CS, from: CS, v: Version, sn: int(1, maxSn), ok: bool() },
    WriteResp: { c: Client, d: Data, ok: bool() },
  });
  const PendSet = setOf(Pend);
  const Phase = enumOf('Idle', 'Lookup', 'Push', 'Write');
  const State = record({
    // Clocks (bounded skew, normalised so that the least is 0).
    mClock: Clock,
    clock: arrayOf(CS, Clock),
    // Master.
    mUp: bool(),
    mVersion: Version,
    mLease: optional(record({ holder: CS, exp: Ts })),
    mGrace: Ts,
    mCurrent: CSSet,
    grants: int(0, MaxGrants),
    // Chunkservers.
    up: arrayOf(CS, bool()),
    ver: arrayOf(CS, Version),
    leaseVer: arrayOf(CS, int(0, MaxGrants + 1)),
    leaseExp: arrayOf(CS, Ts),
    log: arrayOf(CS, seq(Entry, maxSn)),
    buf: arrayOf(CS, setOf(Data)),
    pend: arrayOf(CS, PendSet),
    // Clients.
    phase: arrayOf(Client, Phase),
    idx: arrayOf(Client, int(1, W + 1)),
    tries: arrayOf(Client, int(0, MaxRetries)),
    prim: arrayOf(Client, optional(CS)),
    secs: arrayOf(Client, CSSet),
    pushed: arrayOf(Client, CSSet),
    // Network and bookkeeping.
    msgs: setOf(Message),
    acked: setOf(Data),
    crashes: int(0, MaxCrashes),
    losses: int(0, MaxLoss),
    clones: int(0, MaxClones),
  });
  const bug = Object.fromEntries(MUTANTS.map((m) => [m, cfg.mutants.includes(m)])) as Record<Mutant, boolean>;
  return {
    N, C, W, L, S, MaxCrashes, MaxLoss, MaxRetries, MaxGrants, MaxClones,
    PersistLease: cfg.PersistLease,
    bug,
    CS, Client, Version, Ts, CSSet, Data, Entry, Pend, Message, Phase, State,
    /** No chunkservers. */
    none: CSSet.empty(),
    /** No data items. */
    noData: State.fields.acked.empty(),
    /** No `pend` entries. */
    noPend: PendSet.empty(),
  };
}

/** The schema and constants of one configuration, as every role function takes them. */
export type G = ReturnType<typeof gfsSchema>;
/** A state of the model. */
export type S = Infer<G['State']>;
/** A message in flight. */
export type Msg = Infer<G['Message']>;
/** A message of one type, e.g. `M<'Grant'>`. */
export type M<K extends Msg['type']> = Extract<Msg, { type: K }>;
/** A data item `(c, k)`. */
export type Data = Infer<G['Data']>;
/** A log entry. */
export type Entry = Infer<G['Entry']>;
/** A `pend` entry. */
export type Pend = Infer<G['Pend']>;

/** The initial state: clocks 0, everyone up, version 1 everywhere, `mCurrent = CS`, clients `Idle` at their first write. */
export function initialState(g: G): S {
  const css = g.CS.members;
  const cs = g.Client.members;
  return {
    mClock: 0,
    clock: css.map(() => 0),
    mUp: true,
    mVersion: 1,
    mLease: null,
    mGrace: 0,
    mCurrent: g.CSSet.of(...css),
    grants: 0,
    up: css.map(() => true),
    ver: css.map(() => 1),
    leaseVer: css.map(() => 0),
    leaseExp: css.map(() => 0),
    log: css.map(() => []),
    buf: css.map(() => g.noData),
    pend: css.map(() => g.noPend),
    phase: cs.map(() => 'Idle' as const),
    idx: cs.map(() => 1),
    tries: cs.map(() => 0),
    prim: cs.map(() => null),
    secs: cs.map(() => g.none),
    pushed: cs.map(() => g.none),
    msgs: g.State.fields.msgs.empty(),
    acked: g.noData,
    crashes: 0,
    losses: 0,
    clones: 0,
  };
}

/** `LeaseCurrent = mLease ≠ none ∧ clock[M] < mLease.exp`. */
export const leaseCurrent = (s: S): boolean => s.mLease !== null && s.mClock < s.mLease.exp;

/**
 * `IsPrimary(cs) = up[cs] ∧ leaseVer[cs] = ver[cs] ∧ clock[cs] + S < leaseExp[cs]`; under
 * `ignoreSkew`, `clock[cs] < leaseExp[cs]` (reading 10: the invariants use it too).
 */
export const isPrimary = (g: G, s: S, cs: number): boolean =>
  s.up[cs]! && s.leaseVer[cs] === s.ver[cs] && s.clock[cs]! + (g.bug.ignoreSkew ? 0 : g.S) < s.leaseExp[cs]!;

/** `nextSn(cs) = 1 + |{e ∈ log[cs] : e.v = ver[cs]}|` (reading 7: `⊥` entries count). */
export function nextSn(s: S, cs: number): number {
  let n = 1;
  for (const e of s.log[cs]!) if (e.v === s.ver[cs]) n++;
  return n;
}

/** The data item client `c` is working on: `(c, idx[c])`. */
export const currentData = (g: G, s: S, c: number): Data => g.Data.intern({ c, k: s.idx[c]! });
