/**
 * The liveness of the schema model: the packed model's fairness (`model/liveness.ts`, whose
 * `FairAll` and `Timeouts` name actions and argument tuples the schema model's labels share)
 * and its six properties over named fields.
 *
 * Models GFS paper §3.1 (after a primary fails, the master grants a new lease once the old
 * one expired; a client retries after a failure) and §2.7 (a write is answered).
 */
import type { TemporalProperty } from '../../checker/core/liveness.js';
import { isPrimary, type G, type S } from './state.js';

export { gfsFairness as schemaFairness } from '../liveness.js';

/**
 * `Termination`, `AllAcked`, `SomePrimary`, `LookupAnswered`, `WriteAnswered`, `Failover`; with
 * more than one client, `LookupAnswered(c)` and `WriteAnswered(c)` per client.
 */
export function schemaLiveness(g: G): TemporalProperty<S>[] {
  const clients = g.Client.members;
  const finished = (s: S, c: number): boolean => s.idx[c]! > g.W;
  const allFinished = (s: S): boolean => clients.every((c) => finished(s, c));
  const somePrimary = (s: S): boolean => g.CS.members.some((cs) => isPrimary(g, s, cs));
  const perClient = (name: string, c: number): string => (g.C === 1 ? name : `${name}(${c})`);
  return [
    { name: 'Termination', kind: 'eventually', p: allFinished },
    { name: 'AllAcked', kind: 'eventually', p: (s) => s.acked.size === g.C * g.W },
    { name: 'SomePrimary', kind: 'eventually', p: somePrimary },
    ...clients.map((c): TemporalProperty<S> => ({
      name: perClient('LookupAnswered', c),
      kind: 'leadsTo',
      p: (s) => s.phase[c] === 'Lookup',
      q: (s) => s.phase[c] !== 'Lookup' || finished(s, c),
    })),
    ...clients.map((c): TemporalProperty<S> => ({
      name: perClient('WriteAnswered', c),
      kind: 'leadsTo',
      p: (s) => s.phase[c] === 'Write',
      q: (s) => s.phase[c] !== 'Write',
    })),
    {
      name: 'Failover',
      kind: 'leadsTo',
      p: (s) => s.mLease !== null && !s.up[s.mLease.holder],
      q: (s) => somePrimary(s) || allFinished(s),
    },
  ];
}
