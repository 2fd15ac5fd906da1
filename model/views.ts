/**
 * How a GFS step and a GFS violation look to a person: the hooks the generic report
 * renderers call (`describeStep`, `describeViolation`, `toITF`). They read the model's
 * encoding and never change a state.
 *
 * Models GFS paper §3.1 (who sends what to whom) for display only; abstracts nothing more
 * than `state.ts` does.
 */
import type { StepInfo, StepMessage } from '../checker/core/spec.js';
import { f1, f2, f3, f4, Msg, mType } from './network.js';
import { fmtData, type GfsAction } from './actions.js';
import { fmtMsgFields } from './timeline.js';
import {
  csMembers,
  dataItem,
  entryD,
  entrySn,
  entryV,
  isPrimary,
  leaseCurrent,
  logOf,
  msgsOf,
  pendOf,
  PHASE_NAMES,
  pendC,
  pendD,
  pendOk,
  pendSn,
  pendV,
  pendWaiting,
  type GfsState,
  type Params,
} from './state.js';

const cs = (n: number): string => `cs${n}`;
const client = (c: number): string => `c${c}`;

/** The nodes of a configuration, as lanes: the master, each chunkserver, each client. */
export function lanes(p: Params): string[] {
  return ['M', ...Array.from({ length: p.N }, (_, i) => cs(i + 1)), ...Array.from({ length: p.C }, (_, i) => client(i + 1))];
}

/** Sender and addressee of a packed message. */
function ends(m: number): [string, string] {
  switch (mType(m)) {
    case Msg.LookupReq:
      return [client(f1(m)), 'M'];
    case Msg.LookupResp:
      return ['M', client(f1(m))];
    case Msg.Grant:
    case Msg.Bump:
    case Msg.ExtendResp:
      return ['M', cs(f1(m))];
    case Msg.ExtendReq:
      return [cs(f1(m)), 'M'];
    case Msg.WriteReq:
      return [client(f2(m)), cs(f1(m))];
    case Msg.Apply:
    case Msg.ApplyAck:
      return [cs(f2(m)), cs(f1(m))];
    case Msg.WriteResp:
    default:
      return ['?', client(f1(m))];
  }
}

/**
 * A message as renderers see it; its id ignores `exp`, which clock normalisation shifts. Its
 * label names the fields, with an expiry relative to the sender's clock in `s`.
 */
function message(p: Params, m: number, s: GfsState): StepMessage {
  const [from, to] = ends(m);
  const hasExp = mType(m) === Msg.Grant || mType(m) === Msg.ExtendResp;
  const senderClock = from === 'M' ? s[p.clock] : from.startsWith('cs') ? s[p.clock + Number(from.slice(2))] : undefined;
  return { id: String(hasExp ? m & ~31 : m), label: fmtMsgFields(p, m, senderClock), from, to };
}

/** Which node took a step. */
function actor(a: GfsAction, m: number): string {
  switch (a.name) {
    case 'Tick':
      return a.node === 0 ? 'M' : cs(a.node);
    case 'Lose':
      return ends(m)[1];
    default:
      if (a.name.startsWith('M')) return 'M';
      if (['CLookup', 'CLearn', 'CPush', 'CWrite', 'CResult', 'CTimeout'].includes(a.name)) return client(a.node);
      return cs(a.node);
  }
}

const RECEIVES = new Set(['MLookup', 'MExtend', 'CGrant', 'CBump', 'CExtended', 'PWrite', 'SApply', 'PAck', 'CLearn', 'CResult']);

/** `describeStep`: who acted, what was sent and received, and the local events worth a mark. */
export function describeStep(p: Params, before: GfsState, a: GfsAction, after: GfsState): StepInfo {
  const node = actor(a, a.x);
  const beforeMsgs = new Set(msgsOf(before, p));
  const afterMsgs = msgsOf(after, p);
  // Normalisation (a tick) shifts timestamps in messages: that is not a send.
  // A sent message leaves from the node that acted.
  const sent = a.name === 'Tick' ? [] : afterMsgs.filter((m) => !beforeMsgs.has(m)).map((m) => ({ ...message(p, m, after), from: node }));
  const events: string[] = [];
  // No event for a tick: the lease timeline draws each clock as elapsed ticks. Expiries are
  // shown relative to the node's own clock (`+2`): a stored timestamp is normalised.
  const rel = (ts: number, clock: number): string => `${ts - clock >= 0 ? '+' : ''}${ts - clock}`;
  if (a.name === 'CPush') events.push(`push ${fmtData(p, (a.node - 1) * p.W + after[p.idx + a.node]! - 1)} to cs${a.x}`);
  if (a.name === 'MCrash' || a.name === 'CCrash') events.push('crash');
  if (a.name === 'MRestart' || a.name === 'CRestart') events.push('restart');
  if (a.name === 'MReplicate') events.push(`clone cs${a.x >> 5} onto cs${a.x & 31} (v${after[p.mVersion]})`);
  if (a.name === 'MGrant') events.push(`grant lease to cs${a.x} (v${after[p.mVersion]}, exp ${rel(after[p.mLeaseExp]!, after[p.clock]!)})`);
  for (let c = 1; c <= p.N; c++) {
    const was = isPrimary(before, p, c);
    const now = isPrimary(after, p, c);
    if (!was && now) events.push(`cs${c}: lease granted (v${after[p.leaseVer + c]}, exp ${rel(after[p.leaseExp + c]!, after[p.clock + c]!)})`);
    if (was && now && after[p.leaseExp + c]! > before[p.leaseExp + c]! && a.name !== 'Tick') events.push(`cs${c}: lease extended to exp ${rel(after[p.leaseExp + c]!, after[p.clock + c]!)}`);
    if (was && !now) events.push(`cs${c}: lease expired (its own view)`);
    const lb = logOf(before, p, c);
    const la = logOf(after, p, c);
    for (const e of la.slice(lb.length)) {
      events.push(`cs${c}: applied v${entryV(e)} sn${entrySn(e)} ${entryD(e) < 0 ? '⊥' : fmtData(p, entryD(e))}`);
    }
  }
  if (leaseCurrent(before, p) && !leaseCurrent(after, p) && before[p.mUp] === 1 && after[p.mUp] === 1) events.push('M: lease expired (master view)');
  if (after[p.acked] !== before[p.acked]) events.push('write acknowledged');
  const received = RECEIVES.has(a.name) ? message(p, a.x, before) : undefined;
  const lost = a.name === 'Lose' ? [message(p, a.x, before)] : undefined;
  return { node, sent, ...(received ? { received } : {}), ...(lost ? { lost } : {}), events };
}

/** `describeViolation`: the values an invariant's violation is about, one line each. */
export function describeViolation(p: Params, property: string, s: GfsState): string[] {
  const primaries = Array.from({ length: p.N }, (_, i) => i + 1).filter((c) => isPrimary(s, p, c));
  const lease = s[p.mLeaseHolder] === 0 ? 'none' : `{holder: cs${s[p.mLeaseHolder]}, exp: ${s[p.mLeaseExp]}}`;
  const csLine = (c: number): string =>
    `cs${c}: clock ${s[p.clock + c]}, ver ${s[p.ver + c]}, leaseVer ${s[p.leaseVer + c]}, leaseExp ${s[p.leaseExp + c]}, up ${s[p.up + c] === 1}`;
  switch (property) {
    case 'SinglePrimary':
      return [`primaries at once: ${primaries.map(cs).join(', ')}`, ...primaries.map(csLine)];
    case 'LeaseAgreement':
      return [
        `master: up ${s[p.mUp] === 1}, clock ${s[p.clock]}, mLease ${lease}, mVersion ${s[p.mVersion]} (lease current)`,
        `believes it is primary: ${primaries.map(cs).join(', ')}`,
        ...primaries.map(csLine),
      ];
    case 'VersionsBounded':
      return [
        `mVersion ${s[p.mVersion]}; ver: ${Array.from({ length: p.N }, (_, i) => `cs${i + 1} ${s[p.ver + i + 1]}`).join(', ')}`,
        `versions in flight: ${msgsOf(s, p).filter((m) => mType(m) === Msg.Grant || mType(m) === Msg.Bump).map((m) => fmtMsgFields(p, m)).join(', ') || 'none'}`,
      ];
    case 'MutationOrder':
    case 'AckedDurable':
    case 'AckedSamePosition':
    case 'ConsistentWhenQuiet': {
      const lines = Array.from({ length: p.N }, (_, i) => {
        const c = i + 1;
        const log = logOf(s, p, c).map((e) => `(v${entryV(e)}, sn${entrySn(e)}, ${entryD(e) < 0 ? '⊥' : fmtData(p, entryD(e))})`);
        return `cs${c} (ver ${s[p.ver + c]}): log [${log.join(' ')}]`;
      });
      const acked = Array.from({ length: p.C * p.W }, (_, d) => d).filter((d) => s[p.acked]! & (1 << d)).map((d) => fmtData(p, d));
      return property === 'MutationOrder' ? lines : [`acked: {${acked.join(', ')}}, mVersion ${s[p.mVersion]}`, ...lines];
    }
    default:
      return [];
  }
}

/** ITF values: integers as `{"#bigint"}`, sets as `{"#set"}`, maps as `{"#map"}`, records as objects, sequences as arrays. */
const int = (n: number): unknown => ({ '#bigint': String(n) });
const set = (xs: unknown[]): unknown => ({ '#set': xs });
const map = (entries: [unknown, unknown][]): unknown => ({ '#map': entries });
const tup = (...xs: unknown[]): unknown => ({ '#tup': xs });

/** `toITF`: the state in the Informal Trace Format's value encoding, with the design page's variable names. */
export function toITF(p: Params, s: GfsState): Record<string, unknown> {
  const csIds = Array.from({ length: p.N }, (_, i) => i + 1);
  const cIds = Array.from({ length: p.C }, (_, i) => i + 1);
  const d = (x: number): unknown => {
    const [c, k] = dataItem(p, x);
    return tup(int(c), int(k));
  };
  const items = (mask: number): unknown =>
    set(Array.from({ length: p.C * p.W }, (_, i) => i).filter((i) => mask & (1 << i)).map(d));
  const perCs = (f: (c: number) => unknown): unknown => map(csIds.map((c) => [int(c), f(c)]));
  const perC = (f: (c: number) => unknown): unknown => map(cIds.map((c) => [int(c), f(c)]));
  const csSet = (mask: number): unknown => set(csMembers(mask).map(int));
  const msgITF = (m: number): unknown => {
    const r: Record<string, unknown> = { tag: fmtMsgFields(p, m).split('{')[0] };
    for (const [k, v] of Object.entries(messageFields(m))) r[k] = v;
    return r;
  };
  const messageFields = (m: number): Record<string, unknown> => {
    switch (mType(m)) {
      case Msg.LookupReq:
        return { c: int(f1(m)) };
      case Msg.LookupResp:
        return { c: int(f1(m)), p: int(f2(m)), secs: csSet(f3(m)) };
      case Msg.Grant:
      case Msg.ExtendResp:
        return { to: int(f1(m)), v: int(f2(m)), exp: int(m & 31) };
      case Msg.Bump:
        return { to: int(f1(m)), v: int(f2(m)) };
      case Msg.ExtendReq:
        return { from: int(f1(m)), v: int(f2(m)) };
      case Msg.WriteReq:
        return { to: int(f1(m)), c: int(f2(m)), d: d(f3(m)), secs: csSet(f4(m)) };
      case Msg.Apply:
        return { to: int(f1(m)), from: int(f2(m)), v: int(f3(m)), sn: int(f4(m)), d: d(m & 31) };
      case Msg.ApplyAck:
        return { to: int(f1(m)), from: int(f2(m)), v: int(f3(m)), sn: int(f4(m)), ok: (m & 31) === 1 };
      default:
        return { c: int(f1(m)), d: d(f2(m)), ok: f3(m) === 1 };
    }
  };
  return {
    clock: map([['M', int(s[p.clock]!)], ...csIds.map((c): [unknown, unknown] => [int(c), int(s[p.clock + c]!)])]),
    mUp: s[p.mUp] === 1,
    mVersion: int(s[p.mVersion]!),
    mLease: s[p.mLeaseHolder] === 0 ? { tag: 'none' } : { tag: 'lease', holder: int(s[p.mLeaseHolder]!), exp: int(s[p.mLeaseExp]!) },
    mGrace: int(s[p.mGrace]!),
    mCurrent: csSet(s[p.mCurrent]!),
    grants: int(s[p.grants]!),
    up: perCs((c) => s[p.up + c] === 1),
    ver: perCs((c) => int(s[p.ver + c]!)),
    leaseVer: perCs((c) => int(s[p.leaseVer + c]!)),
    leaseExp: perCs((c) => int(s[p.leaseExp + c]!)),
    log: perCs((c) => logOf(s, p, c).map((e) => tup(int(entryV(e)), int(entrySn(e)), entryD(e) < 0 ? { tag: 'bottom' } : d(entryD(e))))),
    buf: perCs((c) => items(s[p.buf + c]!)),
    pend: perCs((c) =>
      set(pendOf(s, p, c).map((e) => ({ v: int(pendV(e)), sn: int(pendSn(e)), c: int(pendC(e)), d: d(pendD(e)), waiting: csSet(pendWaiting(e)), ok: pendOk(e) }))),
    ),
    phase: perC((c) => PHASE_NAMES[s[p.phase + c]!]),
    idx: perC((c) => int(s[p.idx + c]!)),
    tries: perC((c) => int(s[p.tries + c]!)),
    prim: perC((c) => int(s[p.prim + c]!)),
    secs: perC((c) => csSet(s[p.secs + c]!)),
    pushed: perC((c) => csSet(s[p.pushed + c]!)),
    msgs: set(msgsOf(s, p).map(msgITF)),
    acked: items(s[p.acked]!),
    crashes: int(s[p.crashes]!),
    losses: int(s[p.losses]!),
    clones: int(s[p.clones]!),
  };
}
