/**
 * The lease-length trade-off measures on small sweep points (the full sweep is `leasecheck
 * measure`, committed under reports/tradeoff by `npm run report`): pinned values from runs,
 * and each witness replayed through the measured model to give its value again.
 */
import { describe, expect, it } from 'vitest';
import { replaySteps } from '../checker/core/trace.js';
import { cap, K, loadSpec, measurePoint, plotSvg, recoverySpec } from './measure.js';

describe('the lease-length trade-off', () => {
  it('L=1 S=1: a lease can be granted 1 tick after the holder fails, but no new primary follows; no primary lasts K ticks', () => {
    const q = measurePoint(1, 1);
    expect([q.grantable, q.newPrimary, q.extendReqs, q.loadFeasible]).toEqual([1, cap(1, 1), null, false]);
  });

  it('L=3 S=1: recovery within 3 master ticks, and 3 ExtendReq keep a primary through 8 ticks; the witnesses replay to these values', () => {
    const q = measurePoint(3, 1);
    expect([q.grantable, q.newPrimary, q.extendReqs]).toEqual([3, 3, 3]);
    expect([q.recoveryStates, q.loadStates]).toEqual([21_773, 20_741]);
    const label = (a: { name: string; args: readonly unknown[] }) => ({ action: a.name, args: [...a.args] });
    const replayG = (spec: ReturnType<typeof recoverySpec>, t: NonNullable<typeof q.witnesses.grantable>) =>
      replaySteps(spec, t.actions.map(label)).states.at(-1)!.g;
    expect(replayG(recoverySpec(3, 1), q.witnesses.grantable!)[1]).toBe(3);
    expect(replayG(recoverySpec(3, 1), q.witnesses.newPrimary!)).toEqual([3, 3, 3]);
    const g = replayG(loadSpec(3, 1), q.witnesses.extendReqs!);
    expect([g[1], g[2]]).toEqual([K, 3]);
    // Every request of the witness counts: the period starts when the primary first is one.
    expect(q.witnesses.extendReqs!.states).toHaveLength(35);
    expect(q.witnesses.extendReqs!.actions.filter((a) => a.name === 'CRequestExtend')).toHaveLength(3);
  });

  it('the plot is an SVG drawn by vega, the same bytes every time', async () => {
    const points = [measurePoint(1, 1), measurePoint(2, 1)];
    const a = await plotSvg(points);
    expect(a.startsWith('<svg')).toBe(true);
    expect(a).toContain('lease duration L (ticks)');
    expect(await plotSvg(points)).toBe(a);
  });
});
