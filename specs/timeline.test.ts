/**
 * The GFS model's lease timeline on the committed gallery traces: every node's clock, as
 * elapsed ticks, never runs backwards (normalisation shifts stored readings down); every lease
 * bug ends in an overlap of two holders; the other bugs have none; a crash is drawn down.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaySteps } from '../checker/core/trace.js';
import { traceTimeline } from '../checker/report/timeline.js';
import { catalog } from './catalog.js';

const timelineOf = (spec: string) => {
  const t = JSON.parse(readFileSync(join('reports', spec, 'trace.json'), 'utf8'));
  const entry = catalog.checks.find((s) => s.name === spec)!;
  const built = entry.model.build(entry.constants, entry.mutant, []);
  return { file: t, timeline: traceTimeline(built, replaySteps(built, t.steps))! };
};

describe('the GFS lease timeline', () => {
  for (const spec of catalog.suites.gallery!) {
    it(`${spec}: clocks never run backwards; an overlap exactly when the bug is a lease bug`, () => {
      const { file, timeline } = timelineOf(spec);
      expect(timeline).toHaveLength(file.states.length);
      for (const node of ['M', 'cs1', 'cs2']) {
        const cs = timeline.map((s) => s.clocks[node]!);
        cs.forEach((c, i) => expect(c, `${node} at state ${i + 1}`).toBeGreaterThanOrEqual(i > 0 ? cs[i - 1]! : 0));
      }
      const leaseBug = ['LeaseAgreement', 'SinglePrimary'].includes(file.invariant);
      expect(timeline.at(-1)!.overlap.length > 0).toBe(leaseBug);
      if (!leaseBug) expect(timeline.every((s) => s.overlap.length === 0)).toBe(true);
    });
  }

  it('ignoreSkew: cs1 believes it is primary while the master holds a lease of cs2, and cs1 lags', () => {
    const last = timelineOf('mutant-ignoreSkew').timeline.at(-1)!;
    expect(last.overlap).toEqual(['cs1', 'cs2']);
    expect(last.claims).toEqual([
      { node: 'M', holder: 'cs2', label: 'lease: cs2 v3', until: 4 },
      { node: 'cs1', holder: 'cs1', label: 'primary v2', until: 2 },
    ]);
    expect(last.clocks).toEqual({ M: 2, cs1: 1, cs2: 1 });
  });

  it('noGraceAfterRestart: the master is down between its crash and its restart', () => {
    const { file, timeline } = timelineOf('mutant-noGraceAfterRestart');
    const crash = file.steps.findIndex((s: { action: string }) => s.action === 'MCrash');
    const restart = file.steps.findIndex((s: { action: string }) => s.action === 'MRestart');
    expect(crash).toBeGreaterThanOrEqual(0);
    timeline.forEach((s, k) => expect(s.down.includes('M'), `state ${k + 1}`).toBe(k > crash && k <= restart));
  });
});
