/**
 * The seed's example as a behaviour of the model: found milestone by milestone, every
 * milestone holds where the search says, and the trace replays in the plain model.
 */
import { describe, expect, it } from 'vitest';
import { replaySteps } from '../checker/core/trace.js';
import { gfsSpec } from '../model/spec.js';
import { findSeedExampleStaged, SEED_CONSTANTS, seedMilestones, seedSpec } from './scenarios.js';

describe('seed-example', () => {
  it('a behaviour of 49 states passes the seed example\'s nine milestones in order, and replays', () => {
    const r = findSeedExampleStaged();
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    expect(r.trace.states).toHaveLength(49);
    expect(r.reachedAt).toEqual([5, 10, 12, 14, 15, 16, 23, 35, 48]);
    // S1's failure report reaches the client (it does not time out on its own).
    expect(r.trace.actions[15]!.name).toBe('CResult');
    const ms = seedMilestones(seedSpec().params);
    ms.forEach((m, i) => expect(m.check(r.trace.states[r.reachedAt[i]!]!), m.name).toBe(true));
    const plain = gfsSpec({ ...SEED_CONSTANTS, mutants: [] });
    const t = replaySteps(plain, r.trace.actions.map((a) => ({ action: a.name, args: [...a.args] })));
    expect(t.states.at(-1)).toEqual(r.trace.states.at(-1));
    expect(r.trace.actions.at(-1)!.name).toBe('MReplicate');
  });
});
