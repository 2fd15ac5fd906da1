/**
 * The CLI end to end: JSON output for a correct spec and a mutant (as a subprocess),
 * trace files that replay, and every kind of bad input giving one paragraph and exit 2.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../checker/cli/main.js';
import { VERSION } from '../checker/version.js';
import type { Catalog } from '../checker/cli/catalog.js';
import { catalog } from './catalog.js';
import { scratchDir } from '../checker/fixtures/scratch.js';
import { cli } from './test-cli.js';


const tmp = scratchDir('leasecheck');

describe('leasecheck as a subprocess', () => {
  it('prints one JSON object per spec and nothing else on stdout, with exit 0 when every expectation is met', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'specs/cli.ts', 'check', 'lease', 'mutant-grantWhileLeased', '--no-symmetry', '--json', '--report-dir', tmp],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      spec: 'lease',
      expected: 'holds',
      met: true,
      result: 'ok',
      invariant: null,
      distinctStates: 69_057,
      generatedStates: 397_825,
      depth: 38,
      traceLength: null,
      tracePath: null,
      mutant: null,
      symmetry: false,
      constants: { N: 2, C: 1, W: 1, L: 2, S: 1, MaxGrants: 1 },
      tool: { name: 'leasecheck', version: VERSION },
    });
    expect(lines[1]).toMatchObject({
      spec: 'mutant-grantWhileLeased',
      expected: 'violates LeaseAgreement in 5',
      met: true,
      result: 'violation',
      invariant: 'LeaseAgreement',
      traceLength: 5,
      mutant: 'grantWhileLeased',
      tracePath: join(tmp, 'mutant-grantWhileLeased', 'trace.json'),
    });
    for (const key of ['seconds', 'statesPerSecond', 'options']) expect(lines[0]).toHaveProperty(key);
  });

  it('exits 12 when an ad hoc run finds a violation, 0 when it finds none', async () => {
    expect((await cli('check', 'lease', '--mutant', 'grantWhileLeased', '--set', 'MaxGrants=2', '--quiet')).code).toBe(12);
    const ok = await cli('check', 'lease', '--set', 'N=1', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ distinctStates: 3_155, adHoc: true, met: true });
  });

  it('exits 1 when a pinned count changes or a mutant is not caught', async () => {
    const lease = catalog.checks.find((s) => s.name === 'lease')!;
    const wrong: Catalog = {
      ...catalog,
      checks: [
        { ...lease, name: 'miscounted', expect: { kind: 'holds', distinctStates: 69_058, depth: 38 } },
        { ...lease, name: 'uncaught', mutant: 'arrivalOrder', expect: { kind: 'violates', invariant: 'MutationOrder' } },
      ],
    };
    let out = '';
    const io = { out: (t: string) => (out += t), err: () => {} };
    expect(await main(['check', 'miscounted', '--no-symmetry'], { name: 'leasecheck', catalog: wrong }, io)).toBe(1);
    expect(out).toMatch(/miscounted: FAILED: distinct states 69057, pinned 69058/);
    expect(await main(['check', 'uncaught'], { name: 'leasecheck', catalog: wrong }, io)).toBe(1);
    expect(out).toMatch(/uncaught: FAILED: not caught: MutationOrder holds/);
  });

  it('reduces by symmetry by default for correct-protocol specs, with both counts pinned', async () => {
    const r = await cli('check', 'lease', 'lease-n3', '--json');
    expect(r.code).toBe(0);
    const [a, b] = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(a).toMatchObject({ spec: 'lease', symmetry: true, distinctStates: 34_533, depth: 38, met: true });
    expect(b).toMatchObject({ spec: 'lease-n3', symmetry: true, distinctStates: 228_019, depth: 45, met: true });
    const m = await cli('check', 'mutant-ignoreSkew', '--symmetry', '--json');
    expect(JSON.parse(m.out)).toMatchObject({ symmetry: true, invariant: 'LeaseAgreement', traceLength: 9, met: true });
  });

  it('flags actions that never fired', async () => {
    const r = await cli('check', 'lease', '--json');
    expect(JSON.parse(r.out).neverFired).toEqual(['MReport', 'MCrash', 'MRestart', 'CCrash', 'CRestart', 'Lose', 'MReplicate']);
  });

  it('exits 1 when a run ends incomplete', async () => {
    const r = await cli('check', 'lease', '--max-states', '1000', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ result: 'incomplete', met: false });
  });
});

describe('trace files', () => {
  it('a written counterexample replays (exit 0) and names what it violates', async () => {
    const dir = join(tmp, 'replay');
    expect((await cli('check', 'mutant-ackBeforeReplicas', '--report-dir', dir, '--quiet')).code).toBe(0);
    const path = join(dir, 'mutant-ackBeforeReplicas', 'trace.json');
    const t = JSON.parse(readFileSync(path, 'utf8'));
    expect(t).toMatchObject({ format: 'leasecheck-trace', version: 1, invariant: 'AckedDurable', mutant: 'ackBeforeReplicas' });
    expect(t.states).toHaveLength(12);
    expect(t.steps).toHaveLength(11);
    const r = await cli('replay', path, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ replays: true, violated: true, traceLength: 12 });
    // A trace that replays but does not violate what it claims: exit 1.
    const wrongClaim = join(dir, 'wrong-claim.json');
    writeFileSync(wrongClaim, JSON.stringify({ ...t, invariant: 'MutationOrder' }));
    const f = await cli('replay', wrongClaim);
    expect(f.code).toBe(1);
    expect(f.out).toMatch(/does NOT violate MutationOrder/);
  });
});

describe('bad input: one paragraph, exit 2, no stack trace', () => {
  const trace = (o: Record<string, unknown>): string => {
    const p = join(tmp, `t${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(p, typeof o === 'string' ? o : JSON.stringify(o));
    return p;
  };
  const good = {
    format: 'leasecheck-trace',
    version: 1,
    spec: 'lease',
    model: 'gfs-lease',
    constants: { N: 2, C: 1, W: 1, L: 2, S: 1, MaxCrashes: 0, MaxLoss: 0, MaxRetries: 0, MaxGrants: 1, PersistLease: false, MaxClones: 0 },
    mutant: null,
    symmetry: false,
    invariant: 'SinglePrimary',
    kind: 'invariant',
    result: 'violation',
    states: [],
    steps: [
      { action: 'CLookup', args: [1] },
      { action: 'MGrant', args: [1] },
    ],
  };
  const cases: [string, string[], RegExp][] = [
    ['an unknown spec', ['check', 'nope'], /unknown spec 'nope'; specs: lease, lease-n1/],
    ['an unknown suite', ['check', '--suite', 'nope'], /unknown suite 'nope'; suites: default, deep/],
    ['an unknown mutant', ['check', 'lease', '--mutant', 'nope'], /unknown mutant 'nope'; the mutants of gfs-lease are: noGraceAfterRestart/],
    ['an unknown invariant', ['check', 'lease', '--invariant', 'Nope'], /unknown invariant 'Nope'; the gfs-lease model has: TypeOK, LeaseAgreement/],
    ['an unknown constant', ['check', 'lease', '--set', 'X=1'], /unknown constant 'X'; the constants of gfs-lease are: N, C, W/],
    ['a constant of the wrong type', ['check', 'lease', '--set', 'N=two'], /N must be an integer from 1 to 5 \(got 'two'\)/],
    ['a boolean constant of the wrong type', ['check', 'lease', '--set', 'PersistLease=1'], /PersistLease is a boolean/],
    ['S=0', ['check', 'lease', '--set', 'S=0'], /S=0 is out of range: S \(bound on clock skew \(S >= 1\)\) must be from 1 to 15/],
    ['N=0', ['check', 'lease', '--set', 'N=0'], /N=0 is out of range/],
    ['a malformed --set', ['check', 'lease', '--set', 'N'], /--set takes NAME=VALUE/],
    ['an unknown option', ['check', 'lease', '--frobnicate'], /Unknown argument: frobnicate/],
    ['no command', [], /name a command/],
    ['a bad --max-states', ['check', 'lease', '--max-states', '-5'], /--max-states must be a positive integer \(got '-5'\)/],
    ['a graph file of another kind', ['graph', 'lease', '--out', 'x.png'], /--out must end in .dot or .svg/],
    ['a graph too large', ['graph', 'lease', '--out', join(tmp, 'g.dot'), '--max-states', '50'], /more than 50 states/],
    ['a missing trace file', ['replay', join(tmp, 'none.json')], /cannot read .*none.json: ENOENT/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  }

  const traceCases: [string, () => string, RegExp][] = [
    ['a trace file that is not JSON', () => trace('{"format": "leasecheck-trace", "vers' as unknown as Record<string, unknown>), /is not valid JSON/],
    ['a trace file of another format', () => trace({ ...good, format: 'tlc' }), /"format" must be "leasecheck-trace"/],
    ['a trace file of another version', () => trace({ ...good, version: 9 }), /"version" must be 1/],
    ['a trace file without steps', () => trace({ ...good, steps: 'x' }), /"steps" must be an array/],
    ['a trace file with a malformed step', () => trace({ ...good, steps: [{ act: 'x' }] }), /step 1 must be an object/],
    ['a trace file with an unknown model', () => trace({ ...good, model: 'paxos' }), /model 'paxos' and names no spec module \("module"\); this leasecheck knows: gfs-lease/],
    ['a trace file with a constant out of range', () => trace({ ...good, constants: { ...good.constants, S: 0 } }), /S=0 is out of range/],
    ['a trace file with an unknown mutant', () => trace({ ...good, mutant: 'nope' }), /unknown mutant 'nope'/],
    [
      'a trace that does not replay',
      () => trace({ ...good, steps: [{ action: 'MGrant', args: [1] }] }),
      /does not replay: step 1 \(MGrant\(1\)\) is not enabled; enabled there: Tick\(M\), Tick\(1\), Tick\(2\), CLookup\(1\)/,
    ],
    ['a trace that claims an unknown property', () => trace({ ...good, invariant: 'Nope' }), /unknown property 'Nope'/],
  ];
  for (const [what, make, message] of traceCases) {
    it(what, async () => {
      const r = await cli('replay', make());
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
});

describe("a user's own spec module", () => {
  it('checks ./path/to/spec.ts through the public API, with its own expectation', async () => {
    const r = await cli('check', './checker/fixtures/user-spec.ts', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ spec: 'Counter', result: 'violation', invariant: 'Small', traceLength: 4, met: true });
    const adHoc = await cli('check', './checker/fixtures/user-spec.ts', '--invariant', 'Small', '--quiet');
    expect(adHoc.code).toBe(12);
  });

  it('refuses a module that is not a spec, and a missing one', async () => {
    const bad = join(tmp, 'not-a-spec.mjs');
    writeFileSync(bad, 'export default 42;\n');
    const r = await cli('check', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/must export a spec/);
    expect((await cli('check', './nope/spec.ts')).err).toMatch(/no spec module at/);
  });
});

describe('list and graph', () => {
  it('lists the specs with their expectations', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^lease\n {4}the base configuration/m);
    expect(r.out).toMatch(/expects: holds \(69,057 states, 34,533 with symmetry, depth 38\)/);
    expect(r.out).toMatch(/mutant-noVersionBump[\s\S]*expects: violates AckedDurable in 12 states/);
  });

  it('draws the state graph of a small configuration with the counterexample in red', async () => {
    const out = join(tmp, 'graph', 'g.dot');
    const r = await cli('graph', 'mutant-grantWhileLeased', '--max-depth', '5', '--out', out);
    expect(r.code).toBe(0);
    const dot = readFileSync(out, 'utf8');
    expect(r.out).toMatch(/counterexample of 5 states in red \(CLookup\(1\) -> MGrant\(1\) -> MGrant\(2\) -> CGrant/);
    // Every state within depth 5 is a node: 145, as `check --max-depth 5 --invariant TypeOK` counts.
    expect(dot.split('\n').filter((l) => /^ {2}s\d+ \[/.test(l))).toHaveLength(145);
    // The four steps of the counterexample are drawn in red.
    expect(dot.split('\n').filter((l) => l.includes('->') && l.includes('color=red'))).toHaveLength(4);
  });

  it('renders SVG with graphviz-cli', async () => {
    const out = join(tmp, 'g.svg');
    expect((await cli('graph', 'mutant-grantWhileLeased', '--max-depth', '4', '--out', out)).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/<svg[\s\S]*<\/svg>/);
  });

  it('keeps the version equal to package.json', () => {
    expect(JSON.parse(readFileSync('package.json', 'utf8')).version).toBe(VERSION);
    expect(execFileSync(process.execPath, ['--import', 'tsx', 'specs/cli.ts', '--version'], { encoding: 'utf8' }).trim()).toBe(VERSION);
  });
});
