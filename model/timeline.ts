/**
 * The GFS model's report hooks for time and leases: the lease timeline (each node's clock,
 * each chunkserver's own belief that it is primary, the master's lease record, who is down),
 * what each invariant reads (highlighted in reports), the state explorer's table per node,
 * and message labels with field names. Display only; they never change a state.
 *
 * Models GFS paper §3.1 (a lease is a time-bounded grant of primary status: the master's
 * record and the chunkserver's own view of it are distinct beliefs, and a bug is two of them
 * disagreeing at once).
 */
import type { StateField, TimelineClaim, TimelineSample } from '../checker/core/spec.js';
import { f1, f2, f3, f4, f5, Msg, mType } from './network.js';
import { fmtData, fmtSet, type GfsAction } from './actions.js';
import { isPrimary, leaseCurrent, type GfsState, type Params } from './state.js';

const cs = (n: number): string => `cs${n}`;

/**
 * A message with its field names, e.g. `Grant{to: cs1, v: 2, exp: +2}`: an expiry is shown
 * relative to `senderClock` (the sender's clock when it is read), since the stored timestamp
 * is normalised and means nothing by itself.
 */
export function fmtMsgFields(p: Params, m: number, senderClock?: number): string {
  const exp = (e: number): string => (senderClock === undefined ? String(e) : `${e - senderClock >= 0 ? '+' : ''}${e - senderClock}`);
  switch (mType(m)) {
    case Msg.LookupReq:
      return `LookupReq{c: c${f1(m)}}`;
    case Msg.LookupResp:
      return `LookupResp{c: c${f1(m)}, p: ${cs(f2(m))}, secs: ${fmtSet(f3(m))}}`;
    case Msg.Grant:
      return `Grant{to: ${cs(f1(m))}, v: ${f2(m)}, exp: ${exp(f5(m))}}`;
    case Msg.Bump:
      return `Bump{to: ${cs(f1(m))}, v: ${f2(m)}}`;
    case Msg.ExtendReq:
      return `ExtendReq{from: ${cs(f1(m))}, v: ${f2(m)}}`;
    case Msg.ExtendResp:
      return `ExtendResp{to: ${cs(f1(m))}, v: ${f2(m)}, exp: ${exp(f5(m))}}`;
    case Msg.WriteReq:
      return `WriteReq{to: ${cs(f1(m))}, c: c${f2(m)}, d: ${fmtData(p, f3(m))}, secs: ${fmtSet(f4(m))}}`;
    case Msg.Apply:
      return `Apply{to: ${cs(f1(m))}, v: ${f3(m)}, sn: ${f4(m)}, d: ${fmtData(p, f5(m))}}`;
    case Msg.ApplyAck:
      return `ApplyAck{to: ${cs(f1(m))}, v: ${f3(m)}, sn: ${f4(m)}, ok: ${f5(m) === 1}}`;
    case Msg.WriteResp:
      return `WriteResp{c: c${f1(m)}, d: ${fmtData(p, f2(m))}, ok: ${f3(m) === 1}}`;
    default:
      return `Unknown{${m}}`;
  }
}

/** `timeline`: clocks, the beliefs about the lease, who is down; a `Tick` that normalised shifted every clock down by 1. */
export function timeline(p: Params, s: GfsState, before?: GfsState, a?: GfsAction): TimelineSample {
  const clocks: Record<string, number> = { M: s[p.clock]! };
  for (let c = 1; c <= p.N; c++) clocks[cs(c)] = s[p.clock + c]!;
  const shifted = before !== undefined && a?.name === 'Tick' && s[p.clock + a.node] !== before[p.clock + a.node]! + 1;
  const claims: TimelineClaim[] = [];
  if (s[p.mUp] === 1 && leaseCurrent(s, p)) {
    claims.push({ node: 'M', holder: cs(s[p.mLeaseHolder]!), label: `lease: ${cs(s[p.mLeaseHolder]!)} v${s[p.mVersion]}`, until: s[p.mLeaseExp]! });
  }
  for (let c = 1; c <= p.N; c++) {
    // IsPrimary holds while clock + S < leaseExp (clock < leaseExp under ignoreSkew).
    if (isPrimary(s, p, c)) claims.push({ node: cs(c), holder: cs(c), label: `primary v${s[p.leaseVer + c]}`, until: s[p.leaseExp + c]! - (p.bug.ignoreSkew ? 0 : p.S) });
  }
  const down: string[] = [];
  if (s[p.mUp] !== 1) down.push('M');
  for (let c = 1; c <= p.N; c++) if (s[p.up + c] !== 1) down.push(cs(c));
  return { clocks, clockShift: shifted ? 1 : 0, claims, down };
}

/** `propertyReads`: the JSON-view paths each invariant reads (design page §Invariants). */
export function propertyReads(p: Params, property: string): string[] {
  const each = (f: (c: number) => string[]): string[] => Array.from({ length: p.N }, (_, i) => f(i + 1)).flat();
  const primary = (c: number): string[] => [`up.${c}`, `leaseVer.${c}`, `ver.${c}`, `clock.${c}`, `leaseExp.${c}`];
  switch (property) {
    case 'SinglePrimary':
      return each(primary);
    case 'LeaseAgreement':
      return ['mUp', 'mLease', 'clock.M', ...each(primary)];
    case 'MutationOrder':
      return each((c) => [`log.${c}`]);
    case 'AckedDurable':
      return ['acked', 'mVersion', ...each((c) => [`log.${c}`, `ver.${c}`])];
    case 'TypeOK':
      return [];
    default:
      return [];
  }
}

/** `stateTables`: the master, each chunkserver, each client, and the network, as tables of JSON-view paths. */
export function stateTables(p: Params): { node: string; fields: StateField[] }[] {
  const f = (name: string, path: string): StateField => ({ name, path });
  const tables = [
    { node: 'M', fields: [f('up', 'mUp'), f('clock', 'clock.M'), f('version', 'mVersion'), f('lease', 'mLease'), f('grace', 'mGrace'), f('current', 'mCurrent'), f('grants', 'grants')] },
  ];
  for (let c = 1; c <= p.N; c++) {
    tables.push({
      node: cs(c),
      fields: ['up', 'clock', 'ver', 'leaseVer', 'leaseExp', 'log', 'buf', 'pend'].map((k) => f(k, `${k}.${c}`)),
    });
  }
  for (let c = 1; c <= p.C; c++) tables.push({ node: `c${c}`, fields: ['phase', 'idx', 'tries', 'prim', 'secs', 'pushed'].map((k) => f(k, `${k}.${c}`)) });
  tables.push({ node: 'network', fields: [f('msgs', 'msgs'), f('acked', 'acked'), f('crashes', 'crashes'), f('losses', 'losses')] });
  return tables;
}
