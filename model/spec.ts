/**
 * The GFS chunk-lease model as a checkable {@link Spec}: every action of the design page
 * with its arguments, in a fixed order, and the successor function that dispatches to the
 * role modules (`master.ts`, `chunkserver.ts`, `client.ts`, `clock.ts`, `network.ts`).
 *
 * Models GFS paper §3.1, §4.5 and §2.7 for one chunk (see `state.ts` for what is abstracted).
 *
 * Action order (deterministic, it fixes which shortest counterexample is reported first):
 * `Tick` for the master then each chunkserver; the master's local actions (`MGrant`,
 * `MReport`, `MReplicate`, `MCrash`, `MRestart`); each chunkserver's local actions (`CRequestExtend`,
 * `PReply`, `PTimeout`, `CCrash`, `CRestart`); each client's local actions (`CLookup`,
 * `CPush`, `CWrite`, `CTimeout`); then one receive action per deliverable message in
 * flight, in the order of the message set; then `Lose` for each message.
 */
import type { Spec } from '../checker/core/spec.js';
import { GfsAction, K, KIND_NAMES } from './actions.js';
export { fmtData, fmtMsg, fmtSet, GfsAction } from './actions.js';
import { cBump, cCrash, cExtended, cGrant, cRequestExtend, cRestart, pAck, pReply, pTimeout, pWrite, sApply, sApplyEnabled } from './chunkserver.js';
import { cLearn, cLookup, cPush, cResult, cTimeout, cWrite, targets } from './client.js';
import { minClock, tick, tickEnabled } from './clock.js';
import { actionProperties, invariants, sometimesProperties } from './invariants.js';
import { gfsFairness, gfsLiveness } from './liveness.js';
import { GfsSymmetry } from './symmetry.js';
import { describeStep, describeViolation, lanes, toITF } from './views.js';
import { propertyReads, stateTables, timeline } from './timeline.js';
import { grantEnabled, mCrash, mExtend, mGrant, mLookup, mReplicate, mReport, mRestart, replicateEnabled, reportedCurrent } from './master.js';
import { anyInFlight, f1, f2, f3, f4, f5, inFlightTo, lose, Msg, MSG_NAMES, mType } from './network.js';
import {
  csBit,
  csMembers,
  dataItem,
  entryD,
  entrySn,
  entryV,
  initialState,
  isPrimary,
  leaseCurrent,
  logOf,
  msgsOf,
  msgsStart,
  pendOf,
  pendStart,
  Phase,
  PHASE_NAMES,
  pendC,
  pendD,
  pendOk,
  pendSn,
  pendV,
  pendWaiting,
  toParams,
  zeroed,
  type Config,
  type GfsState,
  type Params,
} from './state.js';

/** `MReplicate(src, dst)`'s operand: both chunkservers in one integer. */
const replicaPair = (src: number, dst: number): number => (src << 5) | dst;

/** The receive action for each message type. */
const RECEIVER: Record<number, number> = {
  [Msg.LookupReq]: K.MLookup,
  [Msg.LookupResp]: K.CLearn,
  [Msg.Grant]: K.CGrant,
  [Msg.Bump]: K.CBump,
  [Msg.ExtendReq]: K.MExtend,
  [Msg.ExtendResp]: K.CExtended,
  [Msg.WriteReq]: K.PWrite,
  [Msg.Apply]: K.SApply,
  [Msg.ApplyAck]: K.PAck,
  [Msg.WriteResp]: K.CResult,
};

/** Options of {@link gfsSpec}. */
export interface GfsSpecOptions {
  /** The spec's name (default `gfs-lease`). */
  readonly name?: string;
  /** Which `sometimes` properties to require (default none: they depend on the configuration). */
  readonly sometimes?: readonly string[];
}

/**
 * The actions enabled in `s`, in the fixed order of the module comment: each role's in turn.
 * One function a role, not one large function: V8 compiles and, when a path is first taken
 * late in a run (the first `pend` entry, say), recompiles each on its own, which is cheaper
 * than recompiling everything together in every worker thread.
 */
export function enabledActions(s: GfsState, p: Params): GfsAction[] {
  const out: GfsAction[] = [];
  tickActions(s, p, out);
  masterActions(s, p, out);
  chunkserverActions(s, p, out);
  clientActions(s, p, out);
  receiveActions(s, p, out);
  return out;
}

/** `Tick` for the master, then each chunkserver (§3.1: clocks with bounded skew). */
function tickActions(s: GfsState, p: Params, out: GfsAction[]): void {
  const min = minClock(s, p);
  for (let n = 0; n <= p.N; n++) if (tickEnabled(s, p, n, min)) out.push(new GfsAction(K.Tick, n, 0, p));
}

/** The master's local actions: `MGrant`, `MReport`, `MReplicate`, `MCrash`, `MRestart` (§3.1, §4.5, §4.3). */
function masterActions(s: GfsState, p: Params, out: GfsAction[]): void {
  if (s[p.mUp] === 1) {
    if (anyInFlight(s, p, Msg.LookupReq)) {
      for (let h = 1; h <= p.N; h++) if (grantEnabled(s, p, h)) out.push(new GfsAction(K.MGrant, 0, h, p));
    }
    for (let cs = 1; cs <= p.N; cs++) {
      if (s[p.up + cs] === 1 && reportedCurrent(s, p, cs) >= 0) out.push(new GfsAction(K.MReport, 0, cs, p));
    }
    if (s[p.clones]! < p.MaxClones) {
      for (let src = 1; src <= p.N; src++) {
        for (let dst = 1; dst <= p.N; dst++) {
          if (replicateEnabled(s, p, src, dst)) out.push(new GfsAction(K.MReplicate, 0, replicaPair(src, dst), p));
        }
      }
    }
    if (s[p.crashes]! < p.MaxCrashes) out.push(new GfsAction(K.MCrash, 0, 0, p));
  } else {
    out.push(new GfsAction(K.MRestart, 0, 0, p));
  }
}

/** Each chunkserver's local actions: `CRequestExtend`, `PReply`/`PTimeout` per `pend` entry, `CCrash`, `CRestart` (§3.1). */
function chunkserverActions(s: GfsState, p: Params, out: GfsAction[]): void {
  for (let cs = 1; cs <= p.N; cs++) {
    if (s[p.up + cs] === 1) {
      if (isPrimary(s, p, cs) && !inFlightTo(s, p, Msg.ExtendReq, cs)) out.push(new GfsAction(K.CRequestExtend, cs, 0, p));
      const ps = pendStart(s, p, cs);
      for (let i = ps; i < ps + s[p.pendLen + cs]!; i++) {
        out.push(new GfsAction(pendWaiting(s[i]!) === 0 ? K.PReply : K.PTimeout, cs, s[i]!, p));
      }
      if (s[p.crashes]! < p.MaxCrashes) out.push(new GfsAction(K.CCrash, cs, 0, p));
    } else {
      out.push(new GfsAction(K.CRestart, cs, 0, p));
    }
  }
}

/** Each client's local actions: `CLookup`, `CPush`, `CWrite`, `CTimeout` (§3.1, data and control flow). */
function clientActions(s: GfsState, p: Params, out: GfsAction[]): void {
  for (let c = 1; c <= p.C; c++) {
    if (s[p.idx + c]! > p.W) continue;
    const ph = s[p.phase + c];
    if (ph === Phase.Idle) {
      out.push(new GfsAction(K.CLookup, c, 0, p));
      continue;
    }
    if (ph === Phase.Push) {
      const todo = targets(s, p, c) & ~s[p.pushed + c]!;
      for (let r = 1; r <= p.N; r++) if (todo & csBit(r) && s[p.up + r] === 1) out.push(new GfsAction(K.CPush, c, r, p));
      if (todo === 0) out.push(new GfsAction(K.CWrite, c, 0, p));
    }
    out.push(new GfsAction(K.CTimeout, c, 0, p));
  }
}

/** One receive action per deliverable message in flight, in the order of the message set; then `Lose` for each message. */
function receiveActions(s: GfsState, p: Params, out: GfsAction[]): void {
  const a = msgsStart(s, p);
  for (let i = a; i < s.length; i++) {
    const m = s[i]!;
    const t = mType(m);
    const to = f1(m);
    switch (t) {
      case Msg.LookupReq:
        if (s[p.mUp] === 1 && leaseCurrent(s, p)) out.push(new GfsAction(K.MLookup, 0, m, p));
        break;
      case Msg.ExtendReq:
        if (s[p.mUp] === 1) out.push(new GfsAction(K.MExtend, 0, m, p));
        break;
      case Msg.LookupResp:
      case Msg.WriteResp:
        if (s[p.idx + to]! <= p.W) out.push(new GfsAction(RECEIVER[t]!, to, m, p));
        break;
      case Msg.Apply:
        if (s[p.up + to] === 1 && sApplyEnabled(s, p, to, f3(m), f4(m))) out.push(new GfsAction(K.SApply, to, m, p));
        break;
      default:
        if (s[p.up + to] === 1) out.push(new GfsAction(RECEIVER[t]!, to, m, p));
    }
  }
  if (s[p.losses]! < p.MaxLoss) for (let i = a; i < s.length; i++) out.push(new GfsAction(K.Lose, 0, s[i]!, p));
}

/** The successor of `s` under `a` (which {@link enabledActions} listed). Never writes `s`. */
export function nextState(s: GfsState, a: GfsAction, p: Params): GfsState {
  const { node, x: m } = a;
  switch (a.kind) {
    case K.Tick:
      return tick(s, p, node);
    case K.MGrant:
      return mGrant(s, p, m);
    case K.MReport:
      return mReport(s, p, m);
    case K.MReplicate:
      return mReplicate(s, p, m >> 5, m & 31);
    case K.MCrash:
      return mCrash(s, p);
    case K.MRestart:
      return mRestart(s, p);
    case K.CRequestExtend:
      return cRequestExtend(s, p, node);
    case K.PReply:
      return pReply(s, p, node, m);
    case K.PTimeout:
      return pTimeout(s, p, node, m);
    case K.CCrash:
      return cCrash(s, p, node);
    case K.CRestart:
      return cRestart(s, p, node);
    case K.CLookup:
      return cLookup(s, p, node);
    case K.CPush:
      return cPush(s, p, node, m);
    case K.CWrite:
      return cWrite(s, p, node);
    case K.CTimeout:
      return cTimeout(s, p, node);
    case K.MLookup:
      return mLookup(s, p, m, f1(m));
    case K.CLearn:
      return cLearn(s, p, m, node, f2(m), f3(m));
    case K.CGrant:
      return cGrant(s, p, m, node, f2(m), f5(m));
    case K.CBump:
      return cBump(s, p, m, node, f2(m));
    case K.MExtend:
      return mExtend(s, p, m, f1(m), f2(m));
    case K.CExtended:
      return cExtended(s, p, m, node, f2(m), f5(m));
    case K.PWrite:
      return pWrite(s, p, m, node, f2(m), f3(m), f4(m));
    case K.SApply:
      return sApply(s, p, m, node, f2(m), f3(m), f4(m), f5(m));
    case K.PAck:
      return pAck(s, p, m, node, f2(m), f3(m), f4(m), f5(m) === 1);
    case K.CResult:
      return cResult(s, p, m, node, f2(m), f3(m) === 1);
    case K.Lose:
      return lose(s, p, m);
    default:
      throw new Error(`unknown GFS action kind ${a.kind}`);
  }
}

/**
 * The documented JSON view of a state (trace files, reports): records as objects keyed
 * by variable name, functions of a chunkserver or client as objects keyed by its id, sets
 * as sorted arrays, a data item `(c, k)` as `[c, k]`, `⊥` and `none` as null.
 */
export function stateToJSON(s: GfsState, p: Params): Record<string, unknown> {
  const perCs = <T>(f: (cs: number) => T): Record<string, T> => {
    const o: Record<string, T> = {};
    for (let cs = 1; cs <= p.N; cs++) o[cs] = f(cs);
    return o;
  };
  const perC = <T>(f: (c: number) => T): Record<string, T> => {
    const o: Record<string, T> = {};
    for (let c = 1; c <= p.C; c++) o[c] = f(c);
    return o;
  };
  const items = (mask: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let d = 0; d < p.C * p.W; d++) if (mask & (1 << d)) out.push(dataItem(p, d));
    return out;
  };
  return {
    clock: { M: s[p.clock], ...perCs((cs) => s[p.clock + cs]) },
    mUp: s[p.mUp] === 1,
    mVersion: s[p.mVersion],
    mLease: s[p.mLeaseHolder] === 0 ? null : { holder: s[p.mLeaseHolder], exp: s[p.mLeaseExp] },
    mGrace: s[p.mGrace],
    mCurrent: csMembers(s[p.mCurrent]!),
    grants: s[p.grants],
    up: perCs((cs) => s[p.up + cs] === 1),
    ver: perCs((cs) => s[p.ver + cs]),
    leaseVer: perCs((cs) => s[p.leaseVer + cs]),
    leaseExp: perCs((cs) => s[p.leaseExp + cs]),
    log: perCs((cs) =>
      [...logOf(s, p, cs)].map((e) => ({ v: entryV(e), sn: entrySn(e), d: entryD(e) < 0 ? null : dataItem(p, entryD(e)) })),
    ),
    buf: perCs((cs) => items(s[p.buf + cs]!)),
    pend: perCs((cs) =>
      [...pendOf(s, p, cs)].map((e) => ({
        v: pendV(e),
        sn: pendSn(e),
        c: pendC(e),
        d: dataItem(p, pendD(e)),
        waiting: csMembers(pendWaiting(e)),
        ok: pendOk(e),
      })),
    ),
    phase: perC((c) => PHASE_NAMES[s[p.phase + c]!]),
    idx: perC((c) => s[p.idx + c]),
    tries: perC((c) => s[p.tries + c]),
    prim: perC((c) => (s[p.prim + c] === 0 ? null : s[p.prim + c])),
    secs: perC((c) => csMembers(s[p.secs + c]!)),
    pushed: perC((c) => csMembers(s[p.pushed + c]!)),
    msgs: [...msgsOf(s, p)].map((m) => messageToJSON(p, m)),
    acked: items(s[p.acked]!),
    crashes: s[p.crashes],
    losses: s[p.losses],
    clones: s[p.clones],
  };
}

/** The JSON view of a packed message: `{type, ...fields}` with the design page's field names. */
export function messageToJSON(p: Params, m: number): Record<string, unknown> {
  const type = MSG_NAMES[mType(m)];
  const d = (i: number): [number, number] => dataItem(p, i);
  switch (mType(m)) {
    case Msg.LookupReq:
      return { type, c: f1(m) };
    case Msg.LookupResp:
      return { type, c: f1(m), p: f2(m), secs: csMembers(f3(m)) };
    case Msg.Grant:
    case Msg.ExtendResp:
      return { type, to: f1(m), v: f2(m), exp: f5(m) };
    case Msg.Bump:
      return { type, to: f1(m), v: f2(m) };
    case Msg.ExtendReq:
      return { type, from: f1(m), v: f2(m) };
    case Msg.WriteReq:
      return { type, to: f1(m), c: f2(m), d: d(f3(m)), secs: csMembers(f4(m)) };
    case Msg.Apply:
      return { type, to: f1(m), from: f2(m), v: f3(m), sn: f4(m), d: d(f5(m)) };
    case Msg.ApplyAck:
      return { type, to: f1(m), from: f2(m), v: f3(m), sn: f4(m), ok: f5(m) === 1 };
    case Msg.WriteResp:
      return { type, c: f1(m), d: d(f2(m)), ok: f3(m) === 1 };
    default:
      return { type: 'Unknown', raw: m };
  }
}

/** The GFS lease model of a configuration as a checkable spec. */
export function gfsSpec(cfg: Config, options: GfsSpecOptions = {}): Spec<GfsState, GfsAction> & { readonly params: Params } {
  const p = toParams(cfg);
  const wanted = new Set(options.sometimes ?? []);
  const symmetry = new GfsSymmetry(p);
  return {
    name: options.name ?? 'gfs-lease',
    params: p,
    actionNames: KIND_NAMES,
    actionIndex: (a) => a.kind,
    initStates: () => [initialState(p)],
    actions: (s) => enabledActions(s, p),
    next: (s, a) => nextState(s, a, p),
    invariants: invariants(p),
    sometimes: sometimesProperties(p).filter((q) => wanted.has(q.name)),
    actionProperties: actionProperties(p),
    liveness: gfsLiveness(p),
    fairness: gfsFairness(),
    ...(symmetry.size > 1 ? { canonicalize: (s: GfsState) => symmetry.canonicalize(s) } : {}),
    encode: (s, out) => out.ints(s),
    decode: (words, start, end) => {
      const s = zeroed(end - start);
      for (let i = 0, j = start; j < end; i++, j++) s[i] = words[j]!;
      return s;
    },
    toJSON: (s) => stateToJSON(s, p),
    nodes: lanes(p),
    describeStep: (before, a, after) => describeStep(p, before, a, after),
    describeViolation: (property, s) => describeViolation(p, property, s),
    toITF: (s) => toITF(p, s),
    propertyReads: (property) => propertyReads(p, property),
    timeline: (s, before, a) => timeline(p, s, before, a),
    stateTables: stateTables(p),
  };
}
