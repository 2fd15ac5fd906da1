/**
 * The GFS lease model's liveness: the fairness the seed implies and the progress it claims.
 *
 * Models GFS paper §3.1 ("after the primary fails, the master can safely grant a new lease to
 * another replica after the old lease expires"; the client "retries" after a failure) and §2.7
 * (a write is answered: success or failure). Fairness follows the design page's actions:
 *
 * - `FairAll`: weak fairness of every protocol action except crashes (`MCrash`, `CCrash`),
 *   losses (`Lose`) and timeouts (`PTimeout`, `CTimeout`): per node (per argument tuple)
 *   for `Tick(n)`, `MGrant(h)`, `MReport(cs)`, `CRestart(cs)`, `CRequestExtend(cs)`,
 *   `CLookup(c)`, `CPush(c, r)` and `CWrite(c)`; as one action for each receive action
 *   (`MLookup`, `MExtend`, `CGrant`, `CBump`, `CExtended`, `PWrite`, `SApply`, `PAck`,
 *   `PReply`, `CLearn`, `CResult`: every message of that type together) and for `MRestart`.
 * - `Timeouts`: weak fairness of `PTimeout` (one action) and of `CTimeout(c)` per client.
 *
 * Properties (for one client `C = 1` the per-client ones have the plain name; with more
 * clients, one property per client, `LookupAnswered(c)`):
 * `Termination` (eventually every client has `idx[c] > W`), `AllAcked` (eventually every data
 * item is in `acked`), `SomePrimary` (eventually some chunkserver `IsPrimary`),
 * `LookupAnswered` (`phase[c] = Lookup ~> phase[c] # Lookup \/ idx[c] > W`), `WriteAnswered`
 * (`phase[c] = Write ~> phase[c] # Write`), `Failover` (`mLease # none /\ ~up[mLease.holder]
 * ~> (\E cs: IsPrimary(cs)) \/ \A c: idx[c] > W`).
 */
import type { FairnessConstraint, FairnessGroup, TemporalProperty } from '../checker/core/liveness.js';
import { isPrimary, Phase, type GfsState, type Params } from './state.js';

const PER_NODE = ['Tick', 'MGrant', 'MReport', 'CRestart', 'CRequestExtend', 'CLookup', 'CPush', 'CWrite'] as const;
const ONE_ACTION = ['MLookup', 'MExtend', 'CGrant', 'CBump', 'CExtended', 'PWrite', 'SApply', 'PAck', 'PReply', 'CLearn', 'CResult', 'MRestart'] as const;

/** `FairAll` and `Timeouts`. */
export function gfsFairness(): FairnessGroup[] {
  const fairAll: FairnessConstraint[] = [
    ...PER_NODE.map((action): FairnessConstraint => ({ kind: 'WF', action, perArgs: true })),
    ...ONE_ACTION.map((action): FairnessConstraint => ({ kind: 'WF', action })),
  ];
  const timeouts: FairnessConstraint[] = [
    { kind: 'WF', action: 'PTimeout' },
    { kind: 'WF', action: 'CTimeout', perArgs: true },
  ];
  return [
    { name: 'FairAll', constraints: fairAll },
    { name: 'Timeouts', constraints: timeouts },
  ];
}

/** The liveness properties of a configuration. */
export function gfsLiveness(p: Params): TemporalProperty<GfsState>[] {
  const clients = Array.from({ length: p.C }, (_, i) => i + 1);
  const finished = (s: GfsState, c: number): boolean => s[p.idx + c]! > p.W;
  const allFinished = (s: GfsState): boolean => clients.every((c) => finished(s, c));
  const somePrimary = (s: GfsState): boolean => {
    for (let cs = 1; cs <= p.N; cs++) if (isPrimary(s, p, cs)) return true;
    return false;
  };
  const allItems = p.C * p.W >= 31 ? -1 : (1 << (p.C * p.W)) - 1;
  const perClient = (name: string, c: number): string => (p.C === 1 ? name : `${name}(${c})`);
  return [
    { name: 'Termination', kind: 'eventually', p: allFinished },
    { name: 'AllAcked', kind: 'eventually', p: (s) => (s[p.acked]! & allItems) === allItems },
    { name: 'SomePrimary', kind: 'eventually', p: somePrimary },
    ...clients.map(
      (c): TemporalProperty<GfsState> => ({
        name: perClient('LookupAnswered', c),
        kind: 'leadsTo',
        p: (s) => s[p.phase + c] === Phase.Lookup,
        q: (s) => s[p.phase + c] !== Phase.Lookup || finished(s, c),
      }),
    ),
    ...clients.map(
      (c): TemporalProperty<GfsState> => ({
        name: perClient('WriteAnswered', c),
        kind: 'leadsTo',
        p: (s) => s[p.phase + c] === Phase.Write,
        q: (s) => s[p.phase + c] !== Phase.Write,
      }),
    ),
    {
      name: 'Failover',
      kind: 'leadsTo',
      p: (s) => s[p.mLeaseHolder] !== 0 && s[p.up + s[p.mLeaseHolder]!] !== 1,
      q: (s) => somePrimary(s) || allFinished(s),
    },
  ];
}

/** The names of the liveness properties for one client (the catalog's configurations). */
export const LIVENESS_NAMES = ['Termination', 'AllAcked', 'SomePrimary', 'LookupAnswered', 'WriteAnswered', 'Failover'] as const;
