/**
 * How a step of the schema model looks to a person: the swimlane hooks (`nodes`,
 * `describeStep`) the report renderers call. One table says who sends each message type
 * and to whom; labels and identities are read off the messages' named fields. Nodes are
 * numbered as the state is (`cs0`, `c0`: schema domains start at 0).
 *
 * Models GFS paper §3.1 (who sends what to whom) for display only.
 */
import type { Action, StepInfo, StepMessage } from '../../checker/core/spec.js';
import { isPrimary, leaseCurrent, type Data, type G, type M, type Msg, type S } from './state.js';

const cs = (n: number): string => `cs${n}`;
const client = (c: number): string => `c${c}`;
const fmtData = (d: Data): string => `(c${d.c}, ${d.k})`;

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

/** `Grant{to: cs0, v: 2, exp: 2}`. */
export function fmtMsg(m: Msg): string {
  const fields = Object.entries(m).filter(([k]) => k !== 'type');
  return `${m.type}{${fields.map(([k, v]) => `${k}: ${fmtField(k, v)}`).join(', ')}}`;
}

/** A message as renderers see it; its id leaves out `exp`, which clock normalisation shifts. */
function message(m: Msg): StepMessage {
  const [from, to] = ends(m);
  const id = Object.entries(m).filter(([k]) => k !== 'exp').map(([k, v]) => `${k}=${fmtField(k, v)}`).join(' ');
  return { id, label: fmtMsg(m), from, to };
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
  const sent = a.name === 'Tick' ? [] : minus(after, before).map((m) => ({ ...message(m), from: node }));
  const events: string[] = [];
  if (a.name === 'MCrash' || a.name === 'CCrash') events.push('crash');
  if (a.name === 'MRestart' || a.name === 'CRestart') events.push('restart');
  if (a.name === 'MGrant') events.push(`grant lease to ${cs(after.mLease!.holder)} (v${after.mVersion}, exp ${after.mLease!.exp})`);
  if (a.name === 'MReplicate') events.push(`clone ${cs(a.args[0] as number)} onto ${cs(a.args[1] as number)} (v${after.mVersion})`);
  for (const c of g.CS.members) {
    const was = isPrimary(g, before, c);
    const now = isPrimary(g, after, c);
    if (!was && now) events.push(`${cs(c)}: lease granted (v${after.leaseVer[c]}, exp ${after.leaseExp[c]})`);
    if (was && !now) events.push(`${cs(c)}: lease expired (its own view)`);
    if (a.name !== 'MReplicate') {
      for (const e of after.log[c]!.slice(before.log[c]!.length)) events.push(`${cs(c)}: applied v${e.v} sn${e.sn} ${e.d === null ? '⊥' : fmtData(e.d)}`);
    }
  }
  if (leaseCurrent(before) && !leaseCurrent(after) && before.mUp && after.mUp) events.push('M: lease expired (master view)');
  if (after.acked.size > before.acked.size) events.push('write acknowledged');
  return { node, sent, ...(received ? { received: message(received) } : {}), ...(lost ? { lost: lost.map(message) } : {}), events };
}
