/**
 * How the schema model looks to a person: the hooks the report renderers call. The swimlane
 * hooks (`nodes`, `describeStep`): one table says who sends each message type and to whom;
 * labels and identities are read off the messages' named fields. The report hooks
 * (`describeViolation`, `propertyReads`, `timeline`, `stateTables`), as the packed model's
 * (`model/views.ts`, `model/timeline.ts`), over named fields and the schema's JSON view
 * (`ver.0`, `mClock`). Nodes are numbered as the state is (`cs0`, `c0`: schema domains start
 * at 0). Display only; they never change a state.
 *
 * Models GFS paper §3.1 (who sends what to whom; a lease is a time-bounded grant of primary
 * status, and the master's record and a chunkserver's own view of it are distinct beliefs).
 */
import type { Action, StateField, StepInfo, StepMessage, TimelineClaim, TimelineSample } from '../../checker/core/spec.js';
import { isPrimary, leaseCurrent, type Data, type Entry, type G, type M, type Msg, type S } from './state.js';

const cs = (n: number): string => `cs${n}`;
const client = (c: number): string => `c${c}`;
const fmtData = (d: Data): string => `(c${d.c}, ${d.k})`;
/** A log entry's data: the item, or `⊥` for a failed mutation's region. */
const fmtD = (d: Data | null): string => (d === null ? '⊥' : fmtData(d));

/** Sender and addressee of each message type (a `WriteResp` names its client only; its sender is the node that acts). */
const ENDS: { readonly [K in Msg['type']]: (m: M<K>) => readonly [from: string, to: string] } = {
  LookupReq: (m) => [client(m.c), 'M'],
  LookupResp: (m) => ['M', client(m.c)],
  Grant: (m) => ['M', cs(m.to)],
  Bump: (m) => ['M', cs(m.to)],
  ExtendReq: (m) => [cs(m.from), 'M'],
  ExtendResp: (m) => ['M', cs(m.to)],
  WriteReq: (m) => [client(m.c), cs(m.to)],
  Apply: (m) => [cs(m.from), cs(m.to)],
  ApplyAck: (m) => [cs(m.from), cs(m.to)],
  WriteResp: (m) => ['?', client(m.c)],
};

const ends = (m: Msg): readonly [string, string] => (ENDS[m.type] as (m: Msg) => readonly [string, string])(m);

/** A field's value as a person reads it: nodes by name, data items as `(c, k)`, sets in braces. */
function fmtField(key: string, v: unknown): string {
  if (typeof v === 'number') return key === 'c' ? client(v) : key === 'to' || key === 'from' || key === 'p' ? cs(v) : String(v);
  if (v !== null && typeof v === 'object' && 'k' in v) return fmtData(v as Data);
  if (v !== null && typeof v === 'object' && Symbol.iterator in v) return `{${[...(v as Iterable<number>)].map(cs).join(', ')}}`;
  return String(v);
}

/** A timestamp relative to a clock, `+2`: a stored timestamp is normalised and means nothing by itself. */
const rel = (ts: number, clock: number): string => `${ts - clock >= 0 ? '+' : ''}${ts - clock}`;

/** `Grant{to: cs0, v: 2, exp: +2}`: an expiry relative to `senderClock` when it is given. */
export function fmtMsg(m: Msg, senderClock?: number): string {
  const fields = Object.entries(m).filter(([k]) => k !== 'type');
  return `${m.type}{${fields.map(([k, v]) => `${k}: ${k === 'exp' && senderClock !== undefined ? rel(v as number, senderClock) : fmtField(k, v)}`).join(', ')}}`;
}

/** The clock of node `n` (`M`, `cs0`, ...) in `s`; undefined for a client (clients keep no clock). */
const clockOf = (s: S, n: string): number | undefined => (n === 'M' ? s.mClock : n.startsWith('cs') ? s.clock[Number(n.slice(2))] : undefined);

/** A message as renderers see it; its id leaves out `exp`, which clock normalisation shifts; its label shows `exp` relative to the sender's clock in `s`. */
function message(m: Msg, s: S): StepMessage {
  const [from, to] = ends(m);
  const id = Object.entries(m).filter(([k]) => k !== 'exp').map(([k, v]) => `${k}=${fmtField(k, v)}`).join(' ');
  return { id, label: fmtMsg(m, clockOf(s, from)), from, to };
}

/** The messages of `a` that are not in `b`. */
const minus = (a: S, b: S): Msg[] => a.msgs.toArray().filter((m) => !b.msgs.has(m));

const CLIENT_ACTIONS = new Set(['CLookup', 'CPush', 'CWrite', 'CTimeout']);
const RECEIVES = new Set(['MLookup', 'CLearn', 'CGrant', 'CBump', 'MExtend', 'CExtended', 'PWrite', 'SApply', 'PAck', 'CResult']);

/** The swimlanes of a configuration: the master, each chunkserver, each client. */
export const lanes = (g: G): string[] => ['M', ...g.CS.members.map(cs), ...g.Client.members.map(client)];

/** `describeStep`: who acted, what was sent, received or lost, and the local events worth a mark. */
export function describeStep(g: G, before: S, a: Action, after: S): StepInfo {
  const received = RECEIVES.has(a.name) ? minus(before, after)[0] : undefined;
  const lost = a.name === 'Lose' ? minus(before, after) : undefined;
  const node =
    a.name === 'Tick' ? (a.args[0] === 'M' ? 'M' : cs(a.args[0] as number))
    : received ? ends(received)[1]
    : lost ? ends(lost[0]!)[1]
    : CLIENT_ACTIONS.has(a.name) ? client(a.args[0] as number)
    : a.name.startsWith('M') ? 'M'
    : cs(a.args[0] as number);
  // A tick shifts timestamps in messages: that is not a send. A sent message leaves from the node that acted.
  const sent = a.name === 'Tick' ? [] : minus(after, before).map((m) => ({ ...message(m, after), from: node }));
  // No event for a tick: the lease timeline draws each clock as elapsed ticks. Expiries are
  // shown relative to the node's own clock (`+2`).
  const events: string[] = [];
  if (a.name === 'CPush') events.push(`push ${fmtData({ c: a.args[0] as number, k: after.idx[a.args[0] as number]! })} to ${cs(a.args[1] as number)}`);
  if (a.name === 'MCrash' || a.name === 'CCrash') events.push('crash');
  if (a.name === 'MRestart' || a.name === 'CRestart') events.push('restart');
  if (a.name === 'MReplicate') events.push(`clone ${cs(a.args[0] as number)} onto ${cs(a.args[1] as number)} (v${after.mVersion})`);
  if (a.name === 'MGrant') events.push(`grant lease to ${cs(after.mLease!.holder)} (v${after.mVersion}, exp ${rel(after.mLease!.exp, after.mClock)})`);
  for (const c of g.CS.members) {
    const was = isPrimary(g, before, c);
    const now = isPrimary(g, after, c);
    if (!was && now) events.push(`${cs(c)}: lease granted (v${after.leaseVer[c]}, exp ${rel(after.leaseExp[c]!, after.clock[c]!)})`);
    if (was && now && after.leaseExp[c]! > before.leaseExp[c]! && a.name !== 'Tick') events.push(`${cs(c)}: lease extended to exp ${rel(after.leaseExp[c]!, after.clock[c]!)}`);
    if (was && !now) events.push(`${cs(c)}: lease expired (its own view)`);
    if (a.name !== 'MReplicate') {
      for (const e of after.log[c]!.slice(before.log[c]!.length)) events.push(`${cs(c)}: applied v${e.v} sn${e.sn} ${fmtD(e.d)}`);
    }
  }
  if (leaseCurrent(before) && !leaseCurrent(after) && before.mUp && after.mUp) events.push('M: lease expired (master view)');
  if (after.acked.size > before.acked.size) events.push('write acknowledged');
  return { node, sent, ...(received ? { received: message(received, before) } : {}), ...(lost ? { lost: lost.map((m) => message(m, before)) } : {}), events };
}

/** A log entry as `(v2, sn1, (c0, 1))`. */
const fmtEntry = (e: Entry): string => `(v${e.v}, sn${e.sn}, ${fmtD(e.d)})`;

/** `describeViolation`: the values an invariant's violation is about, one line each (as the packed model's). */
export function describeViolation(g: G, property: string, s: S): string[] {
  const primaries = g.CS.members.filter((c) => isPrimary(g, s, c));
  const lease = s.mLease === null ? 'none' : `{holder: ${cs(s.mLease.holder)}, exp: ${s.mLease.exp}}`;
  const csLine = (c: number): string => `${cs(c)}: clock ${s.clock[c]}, ver ${s.ver[c]}, leaseVer ${s.leaseVer[c]}, leaseExp ${s.leaseExp[c]}, up ${s.up[c]}`;
  const logLine = (c: number): string => `${cs(c)} (ver ${s.ver[c]}): log [${s.log[c]!.map(fmtEntry).join(' ')}]`;
  switch (property) {
    case 'SinglePrimary':
      return [`primaries at once: ${primaries.map(cs).join(', ')}`, ...primaries.map(csLine)];
    case 'LeaseAgreement':
      return [`master: up ${s.mUp}, clock ${s.mClock}, mLease ${lease}, mVersion ${s.mVersion} (lease current)`, `believes it is primary: ${primaries.map(cs).join(', ')}`, ...primaries.map(csLine)];
    case 'VersionsBounded': {
      const versions = [...s.msgs.variant('Grant'), ...s.msgs.variant('Bump')];
      return [`mVersion ${s.mVersion}; ver: ${g.CS.members.map((c) => `${cs(c)} ${s.ver[c]}`).join(', ')}`, `versions in flight: ${versions.map((m) => fmtMsg(m)).join(', ') || 'none'}`];
    }
    case 'MutationOrder':
      return g.CS.members.map(logLine);
    case 'AckedDurable':
    case 'AckedSamePosition':
    case 'ConsistentWhenQuiet':
      return [`acked: {${s.acked.toArray().map(fmtData).join(', ')}}, mVersion ${s.mVersion}`, ...g.CS.members.map(logLine)];
    default:
      return [];
  }
}

/** `propertyReads`: the JSON-view paths each invariant reads (design page, "Invariants"), highlighted in reports. */
export function propertyReads(g: G, property: string): string[] {
  const each = (f: (c: number) => string[]): string[] => g.CS.members.flatMap(f);
  const primary = (c: number): string[] => [`up.${c}`, `leaseVer.${c}`, `ver.${c}`, `clock.${c}`, `leaseExp.${c}`];
  switch (property) {
    case 'TypeOK':
      return ['mClock', ...each((c) => [`clock.${c}`])];
    case 'SinglePrimary':
      return each(primary);
    case 'LeaseAgreement':
      return ['mUp', 'mLease', 'mClock', ...each(primary)];
    case 'MutationOrder':
      return each((c) => [`log.${c}`]);
    case 'VersionsBounded':
      return ['mVersion', 'msgs', ...each((c) => [`ver.${c}`])];
    case 'AckedDurable':
    case 'AckedSamePosition':
      return ['acked', 'mVersion', ...each((c) => [`log.${c}`, `ver.${c}`])];
    case 'ConsistentWhenQuiet':
      return ['acked', 'mVersion', 'msgs', ...g.Client.members.map((c) => `idx.${c}`), ...each((c) => [`log.${c}`, `ver.${c}`, `pend.${c}`])];
    default:
      return [];
  }
}

/**
 * `timeline`: each clock, who believes whom holds the lease (the master's record while it is
 * current; each chunkserver that `IsPrimary`, until `leaseExp - S`), and who is down. A `Tick`
 * that normalised (every clock and timestamp down by 1) reports a clock shift of 1.
 */
export function timeline(g: G, s: S, before?: S, a?: Action): TimelineSample {
  const clocks: Record<string, number> = { M: s.mClock };
  for (const c of g.CS.members) clocks[cs(c)] = s.clock[c]!;
  const ticked = a?.name === 'Tick' ? a.args[0] : undefined;
  const shifted =
    before !== undefined && ticked !== undefined && (ticked === 'M' ? s.mClock !== before.mClock + 1 : s.clock[ticked as number] !== before.clock[ticked as number]! + 1);
  const claims: TimelineClaim[] = [];
  if (s.mUp && leaseCurrent(s)) claims.push({ node: 'M', holder: cs(s.mLease!.holder), label: `lease: ${cs(s.mLease!.holder)} v${s.mVersion}`, until: s.mLease!.exp });
  for (const c of g.CS.members) {
    // IsPrimary holds while clock + S < leaseExp (clock < leaseExp under ignoreSkew).
    if (isPrimary(g, s, c)) claims.push({ node: cs(c), holder: cs(c), label: `primary v${s.leaseVer[c]}`, until: s.leaseExp[c]! - (g.bug.ignoreSkew ? 0 : g.S) });
  }
  const down = [...(s.mUp ? [] : ['M']), ...g.CS.members.filter((c) => !s.up[c]).map(cs)];
  return { clocks, clockShift: shifted ? 1 : 0, claims, down };
}

/** `stateTables`: the master, each chunkserver, each client and the network, as tables of JSON-view paths. */
export function stateTables(g: G): { node: string; fields: StateField[] }[] {
  const f = (name: string, path: string): StateField => ({ name, path });
  return [
    { node: 'M', fields: [f('up', 'mUp'), f('clock', 'mClock'), f('version', 'mVersion'), f('lease', 'mLease'), f('grace', 'mGrace'), f('current', 'mCurrent'), f('grants', 'grants')] },
    ...g.CS.members.map((c) => ({ node: cs(c), fields: ['up', 'clock', 'ver', 'leaseVer', 'leaseExp', 'log', 'buf', 'pend'].map((k) => f(k, `${k}.${c}`)) })),
    ...g.Client.members.map((c) => ({ node: client(c), fields: ['phase', 'idx', 'tries', 'prim', 'secs', 'pushed'].map((k) => f(k, `${k}.${c}`)) })),
    { node: 'network', fields: [f('msgs', 'msgs'), f('acked', 'acked'), f('crashes', 'crashes'), f('losses', 'losses'), f('clones', 'clones')] },
  ];
}
