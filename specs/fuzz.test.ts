/**
 * Fuzzing: every campaign meets its expectation at its fixed seed, with pinned lengths
 * (first failing behaviour and minimised counterexample); shrunk traces replay; a failing
 * run can be replayed from its path.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../checker/fuzz/fuzz.js';
import type { Spec } from '../checker/core/index.js';
import { scratchDir } from '../checker/fixtures/scratch.js';
import { cli } from './test-cli.js';
import { FUZZED } from './facts.js';


const tmp = scratchDir('leasecheck-fuzz');

/** Campaign, result, invariant, minimised length, first failing length (in states): the pinned facts. */
const PINNED = Object.entries(FUZZED).map(([campaign, f]) => [campaign, f.invariant === null ? 'ok' : 'violation', f.invariant, f.length, f.first]);

describe('fuzzing campaigns, every one at seed 1', () => {
  it('none is tuned to a seed', async () => {
    const { catalog } = await import('./catalog.js');
    expect(catalog.campaigns.map((f) => f.seed)).toEqual(catalog.campaigns.map(() => 1));
  });

  it('all meet their expectations, with the pinned lengths, and their traces replay', async () => {
    const r = await cli('fuzz', '--json', '--report-dir', tmp);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.campaign, l.result, l.invariant, l.traceLength, l.originalLength])).toEqual(PINNED);
    for (const l of lines) expect(l.met).toBe(true);
    // The correct protocol: at least 100,000 steps on 5 chunkservers and 3 clients, every action taken.
    expect(lines[0]).toMatchObject({ constants: { N: 5, C: 3, W: 3 }, neverTaken: [] });
    expect(lines[0].steps).toBeGreaterThanOrEqual(100_000);
    expect(lines[0].distinctStates).toBeGreaterThan(100_000);
    for (const l of lines.slice(1)) {
      const rep = await cli('replay', l.tracePath, '--json');
      expect(rep.code).toBe(0);
      expect(JSON.parse(rep.out)).toMatchObject({ violated: true, traceLength: l.traceLength });
    }
  });

  it('replays a failing run from its seed and path, and prints the command that reproduces it', async () => {
    const first = JSON.parse((await cli('fuzz', 'fuzz-grantWhileLeased', '--json')).out);
    expect(first.reproduce).toBe(`leasecheck fuzz fuzz-grantWhileLeased --seed 1 --runs 20000 --depth 150 --path ${first.path}`);
    const again = JSON.parse((await cli('fuzz', 'fuzz-grantWhileLeased', '--json', '--path', first.path)).out);
    expect([again.invariant, again.traceLength]).toEqual([first.invariant, first.traceLength]);
    expect(again.runs).toBe(1);
    // Here the first failing behaviour minimised shorter than fast-check's shrink: the path
    // is that run's index alone, and replays to the same trace.
    const nograce = JSON.parse((await cli('fuzz', 'fuzz-noGraceAfterRestart', '--json')).out);
    expect(nograce.path).toMatch(/^\d+$/);
    const replayed = JSON.parse((await cli('fuzz', 'fuzz-noGraceAfterRestart', '--json', '--path', nograce.path)).out);
    expect([replayed.traceLength, replayed.runs]).toEqual([nograce.traceLength, 1]);
  });

  it('an ad hoc run (overrides) exits 12 with the reproducing command when it finds a violation', async () => {
    const r = await cli('fuzz', 'lease', '--mutant', 'grantWhileLeased', '--set', 'MaxGrants=2', '--runs', '200');
    expect(r.code).toBe(12);
    expect(r.out).toMatch(/lease: LeaseAgreement violated; reproduce with: leasecheck fuzz lease --seed 1 --runs 200 --depth 100 --path [\d:]+ --set MaxGrants=2 --mutant grantWhileLeased/);
  });

  it('rejects an unknown campaign', async () => {
    const r = await cli('fuzz', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown campaign or spec 'nope'; campaigns: fuzz-lease, fuzz-noGraceAfterRestart/);
  });
});

describe('the fuzzer on a fixture', () => {
  type S = { readonly n: number };
  const counter: Spec<S> = {
    name: 'Counter',
    initStates: () => [{ n: 0 }],
    actions: (s) => [
      { name: 'Inc', args: [] },
      { name: 'Stay', args: [] },
    ].slice(0, s.n < 9 ? 2 : 1),
    next: (s, a) => (a.name === 'Inc' ? { n: s.n + 1 } : s),
    invariants: [{ name: 'Small', check: (s) => s.n < 3 }],
  };
  it('shrinks to the shortest counterexample: three increments, 4 states', () => {
    const r = fuzz(counter, { runs: 100, depth: 50, seed: 3 });
    expect(r.result).toBe('violation');
    expect(r.traceLength).toBe(4);
    expect(r.trace!.actions.map((a) => a.name)).toEqual(['Inc', 'Inc', 'Inc']);
    expect(r.originalLength).toBeGreaterThanOrEqual(4);
  });
});

describe('swarm: shards as separate processes, merged', () => {
  /** Drops what depends on the machine's speed. */
  const timeless = (x: unknown): unknown =>
    JSON.parse(JSON.stringify(x, (k, v) => (k === 'seconds' || k === 'secondsToFind' ? undefined : v)));

  it('K = 3 shard processes and `merge` give the same verdict as one process running the same shards', async () => {
    const { spawn } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const { runShard } = await import('../checker/cli/swarm.js');
    const { mergeShards } = await import('../checker/cli/merge.js');
    const { catalog } = await import('./catalog.js');
    const dir = scratchDir('leasecheck-swarm');
    const K = 3;
    const budget = ['--runs', '40', '--depth', '60'];
    const files = Array.from({ length: K }, (_, i) => join(dir, `shard-${i}.json`));
    // The shards run at once, as separate processes (as on separate machines).
    const codes = await Promise.all(
      files.map(
        (out, i) =>
          new Promise<number>((done) => {
            const p = spawn(process.execPath, ['--import', 'tsx', 'specs/cli.ts', 'fuzz', 'fuzz-grantWhileLeased', '--shard', `${i}/${K}`, ...budget, '--out', out], { stdio: 'ignore' });
            p.on('exit', (c) => done(c ?? -1));
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0]);
    const merged = await cli('merge', ...files, '--json', '--trace', join(dir, 'trace.json'));
    expect(merged.code).toBe(0);
    const m = JSON.parse(merged.out);
    // One process, the same shards.
    const one = mergeShards(Array.from({ length: K }, (_, i) => runShard(catalog, 'leasecheck', 'fuzz-grantWhileLeased', { index: i, count: K, runs: 40, depth: 60 })));
    expect(timeless(m)).toEqual(timeless(one));
    expect(m).toMatchObject({ campaign: 'fuzz-grantWhileLeased', met: true, result: 'violation', seeds: [1, 2, 3], shards: { count: 3, present: [0, 1, 2], missing: [] } });
    // The shortest of the shards' violations, and its trace file replays.
    const lengths = files.map((f) => JSON.parse(readFileSync(f, 'utf8')).violations.map((v: { traceLength: number }) => v.traceLength)).flat();
    expect(m.violation.traceLength).toBe(Math.min(...lengths));
    const rep = await cli('replay', join(dir, 'trace.json'), '--json');
    expect(JSON.parse(rep.out)).toMatchObject({ violated: true, traceLength: m.violation.traceLength });
    // Coverage is the union: steps add up, distinct states do not (shards overlap).
    expect(m.steps).toBe(files.reduce((t, f) => t + JSON.parse(readFileSync(f, 'utf8')).steps, 0));
    expect(m.distinctStates.estimate).toBeGreaterThanOrEqual(m.distinctStates.largestShard * 0.95);
    expect(m.distinctStates.estimate).toBeLessThanOrEqual(m.distinctStates.sumOfShards * 1.05);
    // The shard's reproduce command replays its failing behaviour.
    const again = await cli('fuzz', 'fuzz-grantWhileLeased', ...m.violation.reproduce.split(' ').slice(3));
    expect(JSON.parse(again.out).violations[0].traceLength).toBe(m.violation.traceLength);
  });

  it('rejects a bad shard, and shard files that do not belong together', async () => {
    const dir = scratchDir('leasecheck-swarm');
    expect((await cli('fuzz', 'fuzz-lease', '--shard', '3/3')).err).toMatch(/--shard takes i\/K, shard i of K counted from 0/);
    expect((await cli('fuzz', 'fuzz-lease', 'fuzz-ignoreSkew', '--shard', '0/2')).code).toBe(2);
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    expect((await cli('fuzz', 'fuzz-lease', '--shard', '0/2', '--runs', '2', '--depth', '10', '--out', a)).code).toBe(0);
    expect((await cli('fuzz', 'fuzz-lease', '--shard', '1/2', '--runs', '3', '--depth', '10', '--out', b)).code).toBe(0);
    const mixed = await cli('merge', a, b);
    expect([mixed.code, mixed.err]).toEqual([2, expect.stringMatching(/is a shard of another run than/)]);
    const dup = await cli('merge', a, a);
    expect(dup.err).toMatch(/are both shard 0\/2/);
    // A holding campaign with a shard missing is not met: part of the swarm did not run.
    const half = await cli('merge', a);
    expect(half.code).toBe(1);
    expect(half.out).toMatch(/missing shards: 1/);
    expect(await cli('merge')).toMatchObject({ code: 2, err: expect.stringMatching(/merge needs shard files/) });
    const notShard = await cli('merge', join(dir, 'nope.json'));
    expect([notShard.code, notShard.err]).toEqual([2, expect.stringMatching(/cannot read the shard file .*nope\.json \(ENOENT\)/)]);
  });
});

describe('the swarm workflow and the Kubernetes manifests', () => {
  it('run K shards of one campaign and one merge of their files, with the same K everywhere', async () => {
    const { readFileSync } = await import('node:fs');
    const wf = readFileSync('.github/workflows/swarm.yml', 'utf8');
    const k = Number(/^\s+SHARDS: (\d+)$/m.exec(wf)![1]);
    expect(/shard: \[([\d, ]+)\]/.exec(wf)![1]!.split(',').map(Number)).toEqual(Array.from({ length: k }, (_, i) => i));
    expect(wf).toContain('--shard ${{ matrix.shard }}/$SHARDS');
    expect(wf).toMatch(/needs: shard[\s\S]*node dist\/specs\/cli\.js merge out\/swarm\/shard-\*\.json/);
    const job = readFileSync('deploy/k8s/swarm-job.yaml', 'utf8');
    expect(job).toMatch(/completionMode: Indexed/);
    expect(Number(/completions: (\d+)/.exec(job)![1])).toBe(k);
    expect(Number(/parallelism: (\d+)/.exec(job)![1])).toBe(k);
    expect(Number(/name: SHARDS\s+value: "(\d+)"/.exec(job)![1])).toBe(k);
    expect(job).toContain('--shard "$JOB_COMPLETION_INDEX/$SHARDS"');
    const merge = readFileSync('deploy/k8s/swarm-merge-job.yaml', 'utf8');
    expect(merge).toContain('merge /results/shard-*.json');
    expect(merge).toContain('claimName: leasecheck-swarm');
  });
});
