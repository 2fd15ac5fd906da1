/**
 * A user's spec module, end to end (issue 14): every command on a module copied into a
 * temporary folder outside the project (no package.json there), and a folder of deliberately
 * broken modules (checker/fixtures/broken/), each pinned to its exit code and the first line
 * of its message.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../checker/fixtures/scratch.js';
import { cli } from './test-cli.js';

const root = resolve('.');
const tmp = scratchDir('leasecheck-modules');

/** Copies a fixture module into a fresh folder under the temporary directory; returns its path. */
function place(fixture: string, as?: string): string {
  const dir = join(tmp, `m${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  const to = join(dir, as ?? fixture.split('/').at(-1)!);
  copyFileSync(join(root, 'checker/fixtures', fixture), to);
  return to;
}

const firstLine = (text: string): string => text.split('\n')[0]!;

describe('a spec module in a folder without package.json', () => {
  it('is outside the project and has no package.json on its way up', () => {
    const p = place('modules/counter.ts');
    expect(relative(root, p).startsWith('..')).toBe(true);
    expect(existsSync(join(p, '..', 'package.json'))).toBe(false);
  });

  it("loads the README's module (default export, type-only import) as ESM", async () => {
    const p = place('user-spec.ts', 'my-spec.ts');
    const r = await cli('check', p, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ spec: 'Counter', result: 'violation', invariant: 'Small', traceLength: 4, met: true });
  });

  it('loads .mts, .js and .mjs modules, and a .ts module with top-level await', async () => {
    const js = 'export default { name: "J", initStates: () => [0], actions: (s) => (s < 2 ? [{ name: "Inc", args: [] }] : []), next: (s) => s + 1 };\n';
    for (const ext of ['mts', 'js', 'mjs']) {
      const dir = join(tmp, `ext-${ext}`);
      mkdirSync(dir);
      writeFileSync(join(dir, `spec.${ext}`), js);
      const r = await cli('check', join(dir, `spec.${ext}`), '--json');
      expect(r.code, ext).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ spec: 'J', result: 'ok', distinctStates: 3 });
    }
    const dir = join(tmp, 'tla');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tla.ts'), `const n: number = await Promise.resolve(4);\n${js.replace('s < 2', 's < n')}`);
    const r = await cli('check', join(dir, 'tla.ts'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ distinctStates: 5 });
  });

  it('type-checks against checker/types.ts with TypeScript alone', () => {
    const p = place('modules/counter.ts');
    writeFileSync(p, readFileSync(p, 'utf8').replace("'../../types.js'", JSON.stringify(join(root, 'checker/types.js'))));
    const tsc = (): { status: number | null; stdout: string } =>
      spawnSync(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', '', p], { cwd: join(p, '..'), encoding: 'utf8' });
    expect(tsc()).toMatchObject({ status: 0, stdout: '' });
    // And it catches a mistake: a constant's value is a number.
    writeFileSync(p, readFileSync(p, 'utf8').replace('s.n < c.N', 's.n < c.N.length'));
    const bad = tsc();
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/counter\.ts\(\d+,\d+\): error TS2339: Property 'length' does not exist on type 'number'/);
  });
});

describe('the installed program (a subprocess, loading through tsx and the ESM hook)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/leasecheck.mjs'), ...args], { encoding: 'utf8', cwd: tmp });
  it("checks the README's my-spec.ts copied to a folder without package.json", () => {
    const r = run('check', place('user-spec.ts', 'my-spec.ts'), '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ spec: 'Counter', invariant: 'Small', traceLength: 4, met: true });
  });
  it('names the line of a syntax error', () => {
    const r = run('check', place('broken/syntax-error.ts'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^leasecheck: could not load the spec module .*syntax-error\.ts: Transform failed with 1 error: .*syntax-error\.ts:2:\d+: ERROR: Expected "}" but found "next"\n$/);
  });
});

describe('every command on a spec module outside the project', () => {
  it('check: with its expect, then ad hoc with --set (exit 0 nothing found, 12 a violation)', async () => {
    const p = place('modules/counter.ts');
    const r = await cli('check', p, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ spec: 'Counter', constants: { N: 3, Limit: 2 }, expected: 'violates Small in 4', met: true, traceLength: 4, module: p });
    const ok = await cli('check', p, '--set', 'Limit=5', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ label: 'Counter Limit=5', adHoc: true, result: 'ok', distinctStates: 4, constants: { N: 3, Limit: 5 } });
    const bad = await cli('check', p, '--set', 'N=9', '--set', 'Limit=6');
    expect(bad.code).toBe(12);
    expect(bad.out).toMatch(/Counter N=9 Limit=6 +ad hoc +violates Small in 8/);
    const range = await cli('check', p, '--set', 'N=10');
    expect(range.code).toBe(2);
    expect(range.err).toMatch(/N=10 is out of range: N \(the counter stops at N\) must be from 1 to 9/);
  });

  it('check: options.deadlock and an expected deadlock; ad hoc, a deadlock exits 11', async () => {
    const p = place('modules/stuck.ts');
    const r = await cli('check', p, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ spec: 'Stuck', expected: 'deadlock in 3', result: 'deadlock', traceLength: 3, met: true });
    const adHoc = await cli('check', p, '--invariant', 'Typed', '--quiet');
    expect(adHoc.code).toBe(11);
    expect(adHoc.out).toMatch(/Stuck invariant=Typed: deadlock after 3 states/);
  });

  it('list shows its constants with defaults, its expectation and options', async () => {
    const p = place('modules/counter.ts');
    const r = await cli('list', p);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Counter\n {4}spec module .*counter\.ts\n {4}N=3 Limit=2 symmetry off\n {4}expects: violates Small in 4 states/);
    expect(r.out).toMatch(/N +1\.\.9 \(default 3\) +the counter stops at N/);
    const j = (await cli('list', p, '--json')).out.trim().split('\n').map((l) => JSON.parse(l));
    expect(j.map((o) => o.kind)).toEqual(['spec', 'model']);
    expect(j[1]).toMatchObject({ model: 'Counter', module: p, invariants: ['Small'] });
  });

  it('--report-dir writes the report with the module path, and replay finds the module from it', async () => {
    const p = place('modules/counter.ts');
    const out = join(tmp, 'reports-counter');
    const r = await cli('check', p, '--report-dir', out, '--quiet');
    expect(r.code).toBe(0);
    const trace = join(out, 'Counter', 'trace.json');
    expect(r.out).toContain(`written to ${trace}`);
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    expect(t).toMatchObject({ module: p, invariant: 'Small', constants: { N: 3, Limit: 2 } });
    for (const f of ['trace.itf.json', 'trace.txt', 'index.html']) expect(existsSync(join(out, 'Counter', f)), f).toBe(true);
    const rep = await cli('replay', trace, '--json');
    expect(rep.code).toBe(0);
    expect(JSON.parse(rep.out)).toMatchObject({ replays: true, violated: true, traceLength: 4, module: p });
    // A relative module path is taken from the trace file's folder.
    const moved = join(tmp, 'moved.json');
    writeFileSync(moved, JSON.stringify({ ...t, module: relative(tmp, p) }));
    expect((await cli('replay', moved)).code).toBe(0);
    // A passing run removes the counterexample folder of an earlier failing one.
    const again = await cli('check', p, '--set', 'Limit=5', '--report-dir', out, '--quiet');
    expect(again.code).toBe(0);
    expect(existsSync(join(out, 'Counter+Limit=5'))).toBe(false);
    expect(existsSync(join(out, 'Counter'))).toBe(true);
  });

  it('fuzz finds and shrinks the violation, and writes a trace that replays', async () => {
    const p = place('modules/counter.ts');
    const out = join(tmp, 'fuzz-counter');
    const r = await cli('fuzz', p, '--runs', '20', '--depth', '10', '--report-dir', out, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ result: 'violation', invariant: 'Small', traceLength: 4, met: true });
    expect((await cli('replay', j.tracePath, '--json')).code).toBe(0);
  });

  it('graph draws its state graph (DOT and SVG)', async () => {
    const p = place('modules/counter.ts');
    const dot = join(tmp, 'counter.dot');
    const r = await cli('graph', p, '--set', 'Limit=9', '--out', dot);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/state graph of Counter Limit=9, 4 states, 3 transitions/);
    expect(readFileSync(dot, 'utf8').split('\n').filter((l) => /^ {2}s\d+ \[/.test(l))).toHaveLength(4);
    const svg = join(tmp, 'counter.svg');
    expect((await cli('graph', p, '--out', svg)).code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/<svg[\s\S]*<\/svg>/);
  });
});

/** A broken module: the fixture, extra arguments, the exit code, the first line of stderr. */
type Case = [fixture: string, args: string[], code: number, first: RegExp];

describe('broken spec modules: loading (exit 2, one paragraph)', () => {
  const cases: Case[] = [
    ['no-spec-export.ts', [], 2, /no-spec-export\.ts exports no spec: export default a spec .*; it exports: answer\./],
    ['not-a-spec.mjs', [], 2, /not-a-spec\.mjs must export a spec \(default export or 'spec'\).*\(got 42\)/],
    ['missing-next.ts', [], 2, /missing-next\.ts: the spec has no function 'next'/],
    ['expect-typo.ts', [], 2, /'expect' of kind 'holds' has an unknown key 'distinctState'; allowed: kind, distinctStates, symmetricStates, depth\./],
    ['expect-bad-kind.ts', [], 2, /'expect'\.kind must be 'holds', 'violates' or 'deadlock' \(got "hold"\)\./],
    ['expect-unknown-invariant.ts', [], 2, /'expect'\.invariant names an unknown property 'Smal'; the spec has: Small\./],
    ['expect-bad-length.ts', [], 2, /'expect'\.traceLength must be a positive integer \(got "4"\)\./],
    ['constants-bad-range.ts', [], 2, /constant N: min 5 is above max 1\./],
    ['constants-bad-kind.ts', [], 2, /constant N: 'kind' must be 'int' or 'bool' \(got "integer"\)\./],
    ['constants-not-a-builder.ts', [], 2, /exports constants, so its spec must be a function of their values/],
    ['options-typo.ts', [], 2, /'options' has an unknown key 'deadlok'; allowed: deadlock, symmetry, invariants, maxStates, maxDepth\./],
    ['throws-on-load.ts', [], 2, /could not load the spec module .*throws-on-load\.ts: the model file is broken/],
    // (vitest compiles it here, with its own words; the subprocess test below pins tsx's)
    ['syntax-error.ts', [], 2, /could not load the spec module .*syntax-error\.ts: Transform failed with 1 error: .*Expected/],
    ['builder-throws.ts', ['--set', 'N=5'], 2, /builder-throws\.ts: building the spec with N=5 threw: N above 4 is not supported/],
    ['not-a-spec.mjs', ['--set', 'N=1'], 2, /must export a spec/],
  ];
  for (const [fixture, args, code, first] of cases) {
    it(`${fixture}${args.length ? ` ${args.join(' ')}` : ''}`, async () => {
      const r = await cli('check', place(`broken/${fixture}`), ...args);
      expect(r.code).toBe(code);
      expect(firstLine(r.err)).toMatch(first);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
    });
  }
});

describe('broken spec modules: checking', () => {
  it('an invariant that throws is an evaluation error (exit 75), named with the property', async () => {
    const r = await cli('check', place('broken/invariant-throws.ts'), '--workers', '1', '--quiet');
    expect(r.code).toBe(75);
    expect(firstLine(r.err)).toBe('leasecheck: InvariantThrows: evaluation error in Fine: cannot judge n=2');
  });
});

// The engine's guards (checker/core/verify.ts): what each broken module gives with --strict,
// and without it for the cases the default guards catch (issue 14).
describe('broken spec modules: engine guards (--strict)', () => {
  const cases: Case[] = [
    ['mutating-next.ts', [], 75, /^leasecheck: MutatingNext: evaluation error in .*next\(\).*(changed|mutat).*Push/i],
    ['nondeterministic.ts', [], 75, /^leasecheck: Nondeterministic: evaluation error in .*actions\(\).*(different|depend only on the state)/i],
    ['set-order.ts', [], 75, /^leasecheck: SetOrder: evaluation error in .*actions\(\).*(different|order|depend only on the state)/i],
    ['next-undefined.ts', [], 75, /^leasecheck: NextUndefined: evaluation error in next: next\(\) returned undefined for Oops: it must return the successor state$/],
    ['set-equal-records.ts', ['--max-states', '1000'], 75, /^leasecheck: SetEqualRecords: evaluation error in .*Set.*equal/i],
  ];
  it('without --strict too: SetOrder, a mutating next and next() returning undefined are errors, never a violation', async () => {
    for (const [fixture, first] of [
      ['set-order.ts', /^leasecheck: SetOrder: evaluation error in actions: actions\(\) listed different actions for equal states/],
      ['mutating-next.ts', /^leasecheck: MutatingNext: evaluation error in next: next\(\) changed the state it was given/],
      ['next-undefined.ts', /^leasecheck: NextUndefined: evaluation error in next: next\(\) returned undefined for Oops/],
    ] as const) {
      const r = await cli('check', place(`broken/${fixture}`), '--workers', '1', '--quiet');
      expect([fixture, r.code]).toEqual([fixture, 75]);
      expect(firstLine(r.err)).toMatch(first);
    }
  });
  for (const [fixture, args, code, first] of cases) {
    it(`${fixture}: an error naming the cause, never a count or a violation`, async () => {
      const r = await cli('check', place(`broken/${fixture}`), '--strict', '--workers', '1', '--quiet', ...args);
      expect(r.code).toBe(code);
      expect(firstLine(r.err)).toMatch(first);
      expect(r.out).not.toMatch(/violated|every expectation met/);
    });
  }
});

describe("the README's modules", () => {
  it('check and type-check as the README says, copied out of the project', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n(\/\/ (\S+\.ts)[^\n]*\n[\s\S]*?)```/g)].filter((m) => ['my-spec.ts', 'clock.ts'].includes(m[2]!));
    expect(blocks.map((m) => m[2])).toEqual(['my-spec.ts', 'clock.ts']);
    const dir = join(tmp, 'readme');
    mkdirSync(dir);
    for (const m of blocks) writeFileSync(join(dir, m[2]!), m[1]!.replace("'./checker/types.js'", JSON.stringify(join(root, 'checker/types.js'))));
    const mine = await cli('check', join(dir, 'my-spec.ts'), '--json');
    expect([mine.code, JSON.parse(mine.out)]).toEqual([0, expect.objectContaining({ invariant: 'Small', traceLength: 4, met: true })]);
    const clock = await cli('check', join(dir, 'clock.ts'), '--json');
    expect([clock.code, JSON.parse(clock.out)]).toEqual([0, expect.objectContaining({ spec: 'Clock', result: 'ok', distinctStates: 12, met: true, deadlock: true, options: expect.objectContaining({ deadlock: false }) })]);
    const five = await cli('check', join(dir, 'clock.ts'), '--set', 'N=5', '--json');
    expect([five.code, JSON.parse(five.out)]).toEqual([0, expect.objectContaining({ label: 'Clock N=5', adHoc: true, distinctStates: 5 })]);
    const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', '', 'my-spec.ts', 'clock.ts'], { cwd: dir, encoding: 'utf8' });
    expect([tsc.status, tsc.stdout]).toEqual([0, '']);
  });
});
