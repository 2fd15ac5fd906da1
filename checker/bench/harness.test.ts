/**
 * The bench harness's `--instructions` mode, end to end with a stand-in for valgrind (the real
 * one is slow, and not on every machine): the stand-in runs the child it is given and reports
 * 1,000 instructions a distinct state plus a fixed start-up cost, which the harness must cancel
 * out.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const fake = mkdtempSync(join(tmpdir(), 'leasecheck-valgrind-'));
writeFileSync(
  join(fake, 'valgrind'),
  `#!/bin/bash
if [ "$1" = "--version" ]; then echo valgrind-stand-in; exit 0; fi
args=()
for a in "$@"; do case "$a" in --tool=*|--cache-sim=*|--cachegrind-out-file=*) ;; *) args+=("$a");; esac; done
out=$("\${args[@]}") || exit $?
echo "$out"
d=$(echo "$out" | sed 's/.*"distinct":\\([0-9]*\\).*/\\1/')
echo "==1== I   refs:      $((d * 1000 + 777000))" >&2
`,
);
chmodSync(join(fake, 'valgrind'), 0o755);

/** `npm run bench -- ARGS` over the fixture bench (one case, grid-3x30: 27,000 states), with `path` first on the PATH. */
function bench(args: string[], path = fake): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['checker/bench/fixture-bench.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path}:${process.env.PATH}`, NODE_OPTIONS: '--import tsx' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bench --instructions', () => {
  it('gives the instructions per state between N and 2N states, start-up cancelled out', () => {
    const r = bench(['--instructions', '5000']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^grid-3x30 +5,000 to 10,000 +1,000$/m);
  }, 60_000);

  it('counts what there is past half the states, and says when a case is too small for N', () => {
    // Past half the states the second run ends early: the states between are fewer than N.
    expect(bench(['--instructions', '20000']).out).toMatch(/^grid-3x30 +20,000 to 27,000 +1,000$/m);
    const r = bench(['--instructions', '30000']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('grid-3x30               (27,000 states in all: too few for --instructions 30000; at most half of them)');
  }, 60_000);

  it('refuses a bad N, and a machine without valgrind, with a clear message', () => {
    const bad = bench(['--instructions', '0']);
    expect([bad.code, bad.err]).toEqual([2, "bench: --instructions must be a whole number of states of at least 1 (got '0')\n"]);
    const none = mkdtempSync(join(tmpdir(), 'leasecheck-novalgrind-'));
    const missing = spawnSync(process.execPath, ['checker/bench/fixture-bench.ts', '--instructions', '5000'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: none, NODE_OPTIONS: '--import tsx' },
    });
    expect([missing.status, missing.stderr]).toEqual([2, 'bench: --instructions needs valgrind on the PATH (Debian: apt-get install valgrind)\n']);
  }, 60_000);
});
