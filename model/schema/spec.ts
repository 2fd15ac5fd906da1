/**
 * The GFS chunk-lease model on the schema as a checkable spec: the design page's actions as
 * one table, role by role as the packed model (`model/spec.ts`) lists them: `Tick` for the
 * master then each chunkserver; the master's local actions; the chunkservers'; the clients';
 * then the receive actions, one per message type, each over the messages of its type in
 * flight; then `Lose` for each message. A receive action's label is its name and the index of the
 * message among the enabled receipts of its type (`CGrant(0)`); `describeStep` (and the
 * swimlanes) name the message itself.
 *
 * Models GFS paper §3.1, §4.5, §4.3 and §2.7 for one chunk (see `state.ts`). It explores the
 * packed model's state graph: the same distinct states and depth on every pinned
 * configuration, with symmetry off and on, the same invariant and counterexample length for
 * every mutant, the same liveness verdicts (`schema-model.test.ts`, the `schema-*` checks).
 * The order of actions within a role differs from the packed model's (each action over its
 * parameters in turn, not each node's actions in turn), which can change which of several
 * shortest counterexamples is reported first, never its length.
 */
import { defineSpec, type SchemaSpec } from '../../checker/core/schema.js';
import type { Config } from '../state.js';
import { cBump, cCrash, cExtended, cGrant, cRequestExtend, cRestart, pAck, pReply, pTimeout, pWrite, sApply } from './chunkserver.js';
import { cLearn, cLookup, cPush, cResult, cTimeout, cWrite } from './client.js';
import { tick } from './clock.js';
import { actionProperties, invariants, sometimesProperties } from './invariants.js';
import { mCrash, mExtend, mGrant, mLookup, mReplicate, mReport, mRestart } from './master.js';
import { schemaFairness, schemaLiveness } from './liveness.js';
import { lose } from './network.js';
import { gfsSchema, initialState, type G, type M, type Msg, type S } from './state.js';
import { describeStep, describeViolation, lanes, propertyReads, stateTables, timeline } from './views.js';

/** The successors of a step over several values (messages, `pend` entries): the enabled ones, in order. */
function each<X>(xs: Iterable<X>, step: (x: X) => S | false): S[] {
  const out: S[] = [];
  for (const x of xs) {
    const t = step(x);
    if (t) out.push(t);
  }
  return out;
}

/** A receive action: `step` for each message of type `type` in flight (disabled when there is none). */
const receive =
  <K extends Msg['type']>(type: K, step: (s: S, m: M<K>) => S | false) =>
  (s: S): S[] | false => {
    const ms = s.msgs.variant(type) as unknown as readonly M<K>[];
    return ms.length > 0 && each(ms, (m) => step(s, m));
  };

/** Options of {@link gfsSchemaSpec}. */
export interface GfsSchemaSpecOptions {
  /** The spec's name (default `gfs-lease-schema`). */
  readonly name?: string;
  /** Which `sometimes` properties to require (default none: they depend on the configuration). */
  readonly sometimes?: readonly string[];
  /** Permute chunkservers and clients (default true). */
  readonly symmetry?: boolean;
}

/** The GFS lease model of a configuration on the schema, as a checkable spec. */
export function gfsSchemaSpec(cfg: Config, options: GfsSchemaSpecOptions = {}): SchemaSpec<S> & { readonly g: G } {
  const g = gfsSchema(cfg);
  const { CS, Client } = g;
  const wanted = new Set(options.sometimes ?? []);
  const sometimes = Object.fromEntries(Object.entries(sometimesProperties(g)).filter(([n]) => wanted.has(n)));
  const spec = defineSpec<S>({
    name: options.name ?? 'gfs-lease-schema',
    state: g.State,
    init: initialState(g),
    actions: {
      Tick: { params: [['M', ...CS.members]], step: (s, n: 'M' | number) => tick(g, s, n) },
      // Master (§3.1, §4.5, §4.3).
      MGrant: { params: [CS], step: (s, h: number) => mGrant(g, s, h) },
      MReport: { params: [CS], step: (s, cs: number) => mReport(g, s, cs) },
      MReplicate: { params: [CS, CS], where: (src: number, dst: number) => src !== dst, step: (s, src: number, dst: number) => mReplicate(g, s, src, dst) },
      MCrash: (s) => mCrash(g, s),
      MRestart: (s) => mRestart(g, s),
      // Chunkservers (§3.1).
      CRequestExtend: { params: [CS], step: (s, cs: number) => cRequestExtend(g, s, cs) },
      PReply: { params: [CS], step: (s, cs: number) => s.up[cs]! && s.pend[cs]!.size > 0 && each(s.pend[cs]!, (e) => e.waiting.size === 0 && pReply(g, s, cs, e)) },
      PTimeout: { params: [CS], step: (s, cs: number) => s.up[cs]! && s.pend[cs]!.size > 0 && each(s.pend[cs]!, (e) => e.waiting.size > 0 && pTimeout(g, s, cs, e)) },
      CCrash: { params: [CS], step: (s, cs: number) => cCrash(g, s, cs) },
      CRestart: { params: [CS], step: (s, cs: number) => cRestart(g, s, cs) },
      // Clients (§3.1's control and data flow).
      CLookup: { params: [Client], step: (s, c: number) => cLookup(g, s, c) },
      CPush: { params: [Client, CS], step: (s, c: number, r: number) => cPush(g, s, c, r) },
      CWrite: { params: [Client], step: (s, c: number) => cWrite(g, s, c) },
      CTimeout: { params: [Client], step: (s, c: number) => cTimeout(g, s, c) },
      // Receives, one per message type.
      MLookup: receive('LookupReq', (s, m) => mLookup(g, s, m)),
      CLearn: receive('LookupResp', (s, m) => cLearn(g, s, m)),
      CGrant: receive('Grant', (s, m) => cGrant(g, s, m)),
      CBump: receive('Bump', (s, m) => cBump(g, s, m)),
      MExtend: receive('ExtendReq', (s, m) => mExtend(g, s, m)),
      CExtended: receive('ExtendResp', (s, m) => cExtended(g, s, m)),
      PWrite: receive('WriteReq', (s, m) => pWrite(g, s, m)),
      SApply: receive('Apply', (s, m) => sApply(g, s, m)),
      PAck: receive('ApplyAck', (s, m) => pAck(g, s, m)),
      CResult: receive('WriteResp', (s, m) => cResult(g, s, m)),
      // The network (§3.1: messages may be lost).
      Lose: (s) => lose(g, s),
    },
    invariants: invariants(g),
    sometimes,
    actionProperties: actionProperties(g),
    symmetry: options.symmetry ?? true,
    nodes: lanes(g),
    describeStep: (before, a, after) => describeStep(g, before, a, after),
    describeViolation: (property, s) => describeViolation(g, property, s),
    propertyReads: (property) => propertyReads(g, property),
    timeline: (s, before, a) => timeline(g, s, before, a),
    stateTables: stateTables(g),
  });
  return Object.assign(spec, { g, liveness: schemaLiveness(g), fairness: schemaFairness() });
}

