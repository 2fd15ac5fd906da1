/**
 * Issue 20, a test per item: a CLI that never hangs, never lies about what it wrote, and says
 * where it is. Each case pins the exit code and the first line of what it printed (stderr for
 * a usage error, stdout otherwise). Small configurations only (`lease-n1`, spec modules; `lease` where a run must outlast a progress interval).
 */
import { spawnSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../checker/cli/main.js';
import { scratchDir } from '../checker/fixtures/scratch.js';
import { catalog } from './catalog.js';
import { HOLDS } from './facts.js';
import { leasecheck } from './program.js';
import { cli } from './test-cli.js';

const root = resolve('.');
const tmp = scratchDir('leasecheck-robust');
const isRoot = process.getuid?.() === 0;
const first = (t: string): string => t.split('\n')[0]!;
let n = 0;
const fresh = (name: string): string => {
  const d = join(tmp, `${name}-${n++}`);
  mkdirSync(d);
  return d;
};
const module = (fixture: string): string => {
  const to = join(fresh('mod'), fixture.split('/').at(-1)!);
  copyFileSync(join(root, 'checker/fixtures', fixture), to);
  return to;
};
/** No temporary file or folder of ours is left anywhere under `dir`. */
const noLeftovers = (dir: string): void => {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => [e.name, ...(e.isDirectory() ? walk(join(d, e.name)) : [])]);
  expect(walk(dir).filter((x) => x.includes('.tmp-'))).toEqual([]);
};

describe('file writes: atomic, one fresh folder per run, stale folders handled', () => {
  it('an existing report folder (a read-only trace.json, a stray file) is replaced whole', async () => {
    const dir = fresh('reports');
    const old = join(dir, 'mutant-grantWhileLeased');
    mkdirSync(old);
    writeFileSync(join(old, 'trace.json'), '{"format": "leasecheck-trace", "old": true}');
    chmodSync(join(old, 'trace.json'), 0o444);
    writeFileSync(join(old, 'stray.txt'), 'from an earlier run');
    const r = await cli('check', 'mutant-grantWhileLeased', '--report-dir', dir, '--quiet');
    expect(r.code).toBe(0);
    expect(first(r.out)).toMatch(/^spec +expected +result +distinct +depth +time s +states\/s +symmetry +met$/);
    expect(r.out).toContain(`counterexample of 5 states, written to ${join(old, 'trace.json')}`);
    expect(r.out).not.toMatch(/report not rendered/);
    expect(existsSync(join(old, 'stray.txt'))).toBe(false);
    expect(JSON.parse(readFileSync(join(old, 'trace.json'), 'utf8'))).toMatchObject({ spec: 'mutant-grantWhileLeased', steps: expect.any(Array) });
    expect(readdirSync(old).sort()).toEqual(['index.html', 'sequence.dot', 'sequence.svg', 'trace.itf.json', 'trace.json', 'trace.txt']);
    noLeftovers(dir);
  });

  it('ad hoc runs get a folder named by spec, constants and mutant', async () => {
    const dir = fresh('adhoc');
    const r = await cli('check', 'lease', '--mutant', 'grantWhileLeased', '--set', 'MaxGrants=2', '--report-dir', dir, '--json');
    expect(r.code).toBe(12);
    expect(JSON.parse(first(r.out))).toMatchObject({ label: 'lease MaxGrants=2 mutant=grantWhileLeased', tracePath: join(dir, 'lease+MaxGrants=2+mutant=grantWhileLeased', 'trace.json') });
    expect(readdirSync(dir)).toEqual(['lease+MaxGrants=2+mutant=grantWhileLeased']);
  });

  it('a passing run removes the counterexample folder an earlier run left', async () => {
    const dir = fresh('stale');
    mkdirSync(join(dir, 'lease-n1'));
    writeFileSync(join(dir, 'lease-n1', 'trace.json'), '{"format": "leasecheck-trace"}');
    const r = await cli('check', 'lease-n1', '--report-dir', dir, '--quiet', '--workers', '1');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`lease-n1: removed the report of an earlier run, ${join(dir, 'lease-n1')} (this run found no counterexample)`);
    expect(existsSync(join(dir, 'lease-n1'))).toBe(false);
  });

  it('a folder in the way that is not a report is left alone: the results first, then exit 2', async () => {
    const dir = fresh('inway');
    writeFileSync(join(dir, 'mutant-grantWhileLeased'), 'my notes');
    const r = await cli('check', 'mutant-grantWhileLeased', '--report-dir', dir);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/mutant-grantWhileLeased +violates LeaseAgreement in 5 +violates LeaseAgreement in 5 /);
    expect(first(r.err.split('\n').filter((l) => !l.startsWith('checking')).join('\n'))).toBe(
      `leasecheck: ${join(dir, 'mutant-grantWhileLeased')} is in the way of the report and is not a leasecheck report folder, so it is left as it is; move it, or choose another --report-dir.`,
    );
    expect(readFileSync(join(dir, 'mutant-grantWhileLeased'), 'utf8')).toBe('my notes');
    noLeftovers(dir);
  });

  it('--continue --report-dir writes a trace for every violated property', async () => {
    const dir = fresh('continue');
    const m = join(fresh('two'), 'two.mjs');
    writeFileSync(
      m,
      `export default { name: 'Two', initStates: () => [0], actions: (s) => (s < 3 ? [{ name: 'Inc', args: [] }] : []), next: (s) => s + 1,
        invariants: [{ name: 'BelowTwo', check: (s) => s < 2 }, { name: 'BelowThree', check: (s) => s < 3 }] };\n`,
    );
    const r = await cli('check', m, '--invariant', 'BelowTwo', '--invariant', 'BelowThree', '--continue', '--report-dir', dir, '--json');
    expect(r.code).toBe(12);
    const j = JSON.parse(r.out);
    const folder = join(dir, 'Two+invariant=BelowTwo,BelowThree');
    expect(j.violations).toEqual([
      { invariant: 'BelowTwo', traceLength: 3, tracePath: join(folder, 'BelowTwo', 'trace.json') },
      { invariant: 'BelowThree', traceLength: 4, tracePath: join(folder, 'BelowThree', 'trace.json') },
    ]);
    for (const v of j.violations) expect((await cli('replay', v.tracePath, '--json')).code).toBe(0);
  });
});

describe('every error a user can cause: one paragraph, exit 2', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['--report-dir /proc/nope (used to hang)', () => ['check', 'lease-n1', '--report-dir', '/proc/nope'], /^leasecheck: cannot create the folder \/proc\/nope: a folder on the way cannot be created there \(ENOENT\)/],
    ['--report-dir at a file (ENOTDIR)', () => { const f = join(fresh('f'), 'afile'); writeFileSync(f, ''); return ['check', 'lease-n1', '--report-dir', f]; }, /^leasecheck: cannot create the folder .*afile: .*afile is a file, not a folder/],
    ['--report-dir under a file', () => { const f = join(fresh('f'), 'afile'); writeFileSync(f, ''); return ['check', 'lease-n1', '--report-dir', join(f, 'x')]; }, /^leasecheck: cannot create the folder .*afile\/x: a file is in the way where a folder is needed \(ENOTDIR\)/],
    ['graph --out afile/x.svg', () => { const f = join(fresh('f'), 'afile'); writeFileSync(f, ''); return ['graph', 'lease-n1', '--out', join(f, 'x.svg')]; }, /^leasecheck: cannot create the folder .*afile: .*afile is a file, not a folder/],
    ['fuzz --path garbage', () => ['fuzz', 'fuzz-grantWhileLeased', '--path', 'garbage'], /^leasecheck: --path takes the path a failing fuzz run printed, numbers separated by ':' such as 12:0:3 \(got 'garbage'\)\.$/],
    ['--set N=3 --set N=1', () => ['check', 'lease-n1', '--set', 'N=3', '--set', 'N=1'], /^leasecheck: --set N given twice \(N=3 and N=1\); give each constant once\.$/],
    ['--max-states 1.5', () => ['check', 'lease-n1', '--max-states', '1.5'], /^leasecheck: --max-states must be a positive integer \(got '1\.5'\)\.$/],
    ['--max-depth 2.5', () => ['check', 'lease-n1', '--max-depth', '2.5'], /^leasecheck: --max-depth must be a positive integer \(got '2\.5'\)\.$/],
    ['--max-states abc', () => ['check', 'lease-n1', '--max-states', 'abc'], /^leasecheck: --max-states must be a positive integer \(got 'abc'\)\.$/],
    ['--workers 0', () => ['check', 'lease-n1', '--workers', '0'], /^leasecheck: --workers must be an integer from 1 to 64 \(got '0'\)\.$/],
    ['graph above its size guard', () => ['graph', 'lease-n1', '--out', join(fresh('g'), 'g.svg'), '--max-states', '1000'], /^leasecheck: --max-states must be an integer from 1 to 400 \(got '1000'\)\.$/],
  ];
  for (const [what, args, line] of cases) {
    it(what, async () => {
      const r = await cli(...args());
      expect(r.code).toBe(2);
      expect(first(r.err)).toMatch(line);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  }

  it.skipIf(isRoot)('an unwritable --report-dir (EACCES)', async () => {
    const d = fresh('ro');
    chmodSync(d, 0o555);
    const r = await cli('check', 'lease-n1', '--report-dir', d);
    expect(r.code).toBe(2);
    expect(first(r.err)).toMatch(/^leasecheck: cannot write in .*: permission denied \(EACCES\)/);
  });

  it('replay --json prints one object also when the trace does not replay', async () => {
    const f = join(fresh('t'), 'bad.json');
    writeFileSync(f, JSON.stringify({ format: 'leasecheck-trace', version: 1, spec: 'lease-n1', model: 'gfs-lease', constants: {}, mutant: null, symmetry: false, invariant: null, result: 'ok', states: [], steps: [] }));
    const r = await cli('replay', f, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ trace: f, replays: false, violated: null, error: expect.stringMatching(/does not give the constants N, C, W/) });
  });

  it('check ... --json | head -c 50: one line on stderr, exit 2, no stack trace (EPIPE)', () => {
    // The second object is written after head has read 50 bytes and gone.
    const r = spawnSync('bash', ['-c', 'node bin/leasecheck.mjs check mutant-grantWhileLeased lease-n1 --json --workers 1 | head -c 50 >/dev/null; echo "rc=${PIPESTATUS[0]}" >&2'], { encoding: 'utf8', cwd: root });
    expect(r.stderr).toBe('leasecheck: standard output was closed before everything was written (EPIPE); the rest is not printed.\nrc=2\n');
  });
});

describe('progress on any stream, and a summary when interrupted', () => {
  it('not a terminal: a progress line every few seconds on stderr (here every 50 ms)', async () => {
    let err = '';
    let out = '';
    // `lease`, not `lease-n1`: on a quiet machine lease-n1's 3,155 states take under 50 ms,
    // and the run ends before its first progress line.
    const code = await main(['check', 'lease', '--workers', '1', '--json'], leasecheck, { out: (t) => (out += t), err: (t) => (err += t), progressEveryMs: 50 });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ spec: 'lease', distinctStates: HOLDS.lease.symmetric });
    expect(first(err)).toMatch(/^lease: [\d,]+ distinct, [\d,]+ states\/s, queue [\d,]+, depth \d+, [\d.]+ s$/);
  });

  it('SIGTERM during a parallel check: one JSON object with result "interrupted", exit 143', async () => {
    const dir = fresh('sig');
    const m = join(dir, 'grid.ts');
    writeFileSync(
      m,
      `import { grid } from ${JSON.stringify(join(root, 'checker/fixtures/grid.js'))};\nexport const constants = { W: { kind: 'int', min: 1, max: 9, default: 4 }, H: { kind: 'int', min: 1, max: 999, default: 60 } };\nexport default (c: { W: number; H: number }) => grid(c.W, c.H);\n`,
    );
    const child = spawn(process.execPath, [join(root, 'bin/leasecheck.mjs'), 'check', m, '--workers', '2', '--time-limit', '30', '--json'], { cwd: dir });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // After start-up (about a second) and the engine's first progress events.
    setTimeout(() => child.kill('SIGTERM'), 4000);
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(143);
    const j = JSON.parse(out);
    expect(j).toMatchObject({ result: 'interrupted', signal: 'SIGTERM', spec: 'Grid(4x60)', checksDone: 0, checks: 1 });
    expect(j.distinctStates).toBeGreaterThan(0);
  }, 30_000);

  it('SIGINT during a one-worker check: the table so far and a summary line, exit 130', async () => {
    const dir = fresh('sigint');
    const m = join(dir, 'grid.ts');
    writeFileSync(m, `import { grid } from ${JSON.stringify(join(root, 'checker/fixtures/grid.js'))};\nexport default grid(4, 60);\n`);
    const child = spawn(process.execPath, [join(root, 'bin/leasecheck.mjs'), 'check', m, '--workers', '1', '--time-limit', '30'], { cwd: dir });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    setTimeout(() => child.kill('SIGINT'), 4000);
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(130);
    expect(err).toMatch(/leasecheck: interrupted \(SIGINT\) after 0 of 1 checks; Grid\(4x60\) had [\d,]+ distinct states at depth \d+ after [\d.]+ s\.\n$/);
  }, 30_000);
});

describe('labels, counts and exit codes', () => {
  it('an ad hoc run is labelled with its constants and mutant and judged as ad hoc (exit 12)', async () => {
    const r = await cli('check', 'lease', '--mutant', 'grantWhileLeased', '--set', 'MaxGrants=2', '--quiet');
    expect(r.code).toBe(12);
    expect(r.out.split('\n')[1]).toMatch(/^lease MaxGrants=2 mutant=grantWhileLeased +ad hoc +violates LeaseAgreement in 5 +[\d,]+ +\d+ +[\d.]+ +[\d,]+ +off +-$/);
    expect(r.out).toMatch(/1 checked ad hoc \(no expectation\), 1 with a finding\.\n$/);
    expect(r.out).not.toMatch(/FAILED/);
  });

  it('the table says whether symmetry was on (the distinct count is of orbits, or of states)', async () => {
    const r = await cli('check', 'lease', '--quiet', '--workers', '1');
    expect(r.out.split('\n')[1]).toMatch(/^lease +holds +ok +34,533 +38 +[\d.]+ +[\d,]+ +on +yes$/);
    const off = await cli('check', 'lease-n1', '--quiet', '--workers', '1');
    expect(off.out.split('\n')[1]).toMatch(/^lease-n1 +holds +ok +3,155 +31 +[\d.]+ +[\d,]+ +off +yes$/);
  });

  it('--mutant none on a mutant spec gets the correct protocol\'s symmetry, as `lease --set` does', async () => {
    const r = await cli('check', 'mutant-grantWhileLeased', '--mutant', 'none', '--max-states', '100', '--json');
    expect([r.code, JSON.parse(r.out)]).toEqual([14, expect.objectContaining({ label: 'mutant-grantWhileLeased mutant=none', symmetry: true, result: 'incomplete' })]);
  });

  it('a spec that cannot run on worker threads says so (stderr and JSON); a small one runs on one without a word', async () => {
    const r = await cli('check', module('modules/instance-state.ts'), '--workers', '2', '--json');
    expect(r.code).toBe(0);
    expect(first(r.err)).toMatch(/^note: InstanceState ran on 1 worker, not 2: a state holds an instance of Dial/);
    expect(JSON.parse(r.out)).toMatchObject({ workers: 1, workersRequested: 2, workersNote: expect.stringMatching(/instance of Dial/) });
    const small = await cli('check', module('modules/counter.ts'), '--workers', '2', '--json');
    expect([small.code, small.err]).toEqual([0, '']);
    expect(JSON.parse(small.out)).toMatchObject({ workers: 1, workersRequested: 2, workersNote: null });
  });

  it('exit codes per outcome: 11 deadlock, 14 incomplete, 75 evaluation error (ad hoc and judged), 1 an expectation failed', async () => {
    const dl = await cli('check', module('modules/stuck.ts'), '--invariant', 'Typed', '--quiet');
    expect([dl.code, dl.out.split('\n')[1]]).toEqual([11, expect.stringMatching(/^Stuck invariant=Typed +ad hoc +deadlock in 3 /)]);
    const inc = await cli('check', 'lease-n1', '--set', 'N=1', '--max-states', '100', '--quiet');
    expect([inc.code, inc.out.split('\n')[1]]).toEqual([14, expect.stringMatching(/^lease-n1 N=1 +ad hoc +incomplete +100 /)]);
    const err = await cli('check', module('broken/invariant-throws.ts'), '--quiet');
    expect([err.code, first(err.err)]).toEqual([75, 'leasecheck: InvariantThrows: evaluation error in Fine: cannot judge n=2']);
    const failed = await cli('check', 'lease-n1', '--max-states', '100', '--quiet');
    expect([failed.code, failed.out.split('\n')[2]]).toEqual([1, '  lease-n1: FAILED: the run ended incomplete (maxStates) after 100 states']);
  });

  it('-h and -v', async () => {
    const h = await cli('-h');
    expect([h.code, first(h.out)]).toEqual([0, 'leasecheck <command> [options]']);
    const v = await cli('-v');
    expect([v.code, first(v.out)]).toEqual([0, '0.1.0']);
  });

  it('list --json: every spec, suite, campaign and model, each with a kind', async () => {
    const r = await cli('list', '--json');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    const kinds = (k: string) => lines.filter((l) => l.kind === k);
    expect(kinds('spec')).toHaveLength(catalog.checks.length);
    expect(kinds('suite').map((s) => s.suite)).toEqual(Object.keys(catalog.suites));
    expect(kinds('campaign')).toHaveLength(catalog.campaigns.length);
    expect(kinds('model')[0]).toMatchObject({ model: 'gfs-lease', mutants: expect.arrayContaining(['ignoreSkew']), invariants: expect.arrayContaining(['LeaseAgreement']) });
    expect(kinds('model')[0].constants[0]).toEqual({ name: 'N', kind: 'int', min: 1, max: 5, doc: 'chunkservers holding a replica' });
    expect(first(r.out)).toMatch(/^\{"kind":"spec","spec":"lease",/);
  });

  it('fuzz: "1 campaign", and no "never taken" for actions the configuration rules out (Lose with MaxLoss=0)', async () => {
    const r = await cli('fuzz', 'fuzz-grantWhileLeased');
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').at(-1)).toBe('1 campaign, every expectation met.');
    expect(r.out).not.toMatch(/never taken:.*\bLose\b/);
    const j = JSON.parse((await cli('fuzz', 'fuzz-grantWhileLeased', '--json')).out);
    expect(j.impossible).toEqual(expect.arrayContaining(['Lose']));
    expect(j.neverTaken).not.toContain('Lose');
  });

  it('graph: a progress line around the layout, and the size on stdout', async () => {
    const out = join(fresh('g'), 'g.svg');
    const r = await cli('graph', 'mutant-grantWhileLeased', '--max-depth', '5', '--out', out);
    expect(r.code).toBe(0);
    expect(first(r.err)).toBe('laying out 145 states and 251 transitions with graphviz...');
    expect(first(r.out)).toMatch(/g\.svg: state graph of mutant-grantWhileLeased, 145 states, 251 transitions, counterexample of 5 states in red/);
    const big = await cli('graph', 'lease-n1', '--out', join(fresh('g'), 'g.svg'));
    expect([big.code, first(big.err)]).toEqual([2, expect.stringMatching(/^leasecheck: the state graph of lease-n1 has more than 400 states; graphs are for small configurations: lower --max-depth/)]);
  });

  it('the bin runs from a checkout without a build, and bench refuses unknown arguments', () => {
    const v = spawnSync(process.execPath, ['bin/leasecheck.mjs', '--version'], { encoding: 'utf8', cwd: root });
    expect([v.status, v.stdout.trim()]).toEqual([0, '0.1.0']);
    const b = spawnSync(process.execPath, ['--import', 'tsx', 'specs/bench.ts', '--frobnicate'], { encoding: 'utf8', cwd: root });
    expect([b.status, first(b.stderr)]).toEqual([2, "bench: unknown argument '--frobnicate'"]);
  });
});
