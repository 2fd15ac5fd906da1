/**
 * Liveness through the CLI (issue #17): a catalog liveness spec is checked in one pass, its
 * lasso written with `loopStart` and replayed by `replay` (checkLasso), a tampered lasso is
 * rejected, and symmetry is refused with exit 2. The base configuration only (seconds).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../checker/fixtures/scratch.js';
import { catalog } from './catalog.js';
import { cli } from './test-cli.js';

const tmp = scratchDir('leasecheck-liveness');

describe('liveness specs in the catalog', () => {
  it('has each property under FairAll and FairAll /\\ Timeouts, on the base configuration and with MaxCrashes=1', () => {
    const names = catalog.suites.liveness!;
    expect(names).toHaveLength(24);
    for (const n of names) expect(catalog.checks.find((s) => s.name === n)?.liveness).toBeDefined();
  });

  it('checks a violated property, writes the lasso, and replay accepts it', async () => {
    const r = await cli('check', 'live-Termination', '--json', '--report-dir', tmp);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.out.trim()) as Record<string, unknown>;
    expect(rec).toMatchObject({ spec: 'live-Termination', met: true, result: 'violation', invariant: 'Termination', workers: 1, distinctStates: 69_057 });
    expect(rec.liveness).toMatchObject({ property: 'Termination', prefix: 10, cycle: 3 });
    const path = join(tmp, 'live-Termination', 'trace.json');
    const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(file).toMatchObject({ kind: 'liveness', invariant: 'Termination', loopStart: 10, fairness: ['FairAll'] });
    expect((file.states as unknown[]).length).toBe(14);
    expect(JSON.parse(readFileSync(join(tmp, 'live-Termination', 'trace.itf.json'), 'utf8')).loop).toBe(10);
    expect(readFileSync(join(tmp, 'live-Termination', 'trace.txt'), 'utf8')).toMatch(/Back to state 11 \(state 14 is state 11\)/);
    const ok = await cli('replay', path, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ violated: true, loopStart: 10, lassoProblems: [] });
    // Under FairAll /\ Timeouts the same lasso is not fair: CTimeout(1) is enabled on the cycle.
    const unfair = join(tmp, 'unfair.json');
    writeFileSync(unfair, JSON.stringify({ ...file, fairness: ['FairAll', 'Timeouts'] }));
    const bad = await cli('replay', unfair);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/WF\(CTimeout\(1\)\) fails on the cycle/);
  });

  it("a user's spec module runs a liveness check when it exports 'liveness' (EWD840, holds as TLC)", async () => {
    const r = await cli('check', 'checker/fixtures/ewd840-module.ts', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ met: true, result: 'ok', distinctStates: 302, liveness: { property: 'Liveness', fairness: ['WF(InitiateProbe \\/ PassToken)'] } });
  });

  it('a holding property passes with its pinned count; symmetry is refused with exit 2', async () => {
    const r = await cli('check', 'live-Termination-timeouts', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ met: true, result: 'ok', distinctStates: 69_057, depth: 38 });
    const s = await cli('check', 'live-Termination-timeouts', '--symmetry');
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/liveness is not checked under symmetry reduction/);
  });
});
