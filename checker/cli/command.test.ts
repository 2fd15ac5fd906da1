/**
 * The pipeline: a command's stages run in order on its parsed arguments, a usage error from
 * any stage reaches the command's `onUsageError` and then `main`, and the CLI has one exit.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineCommand, runStages, type Context } from './command.js';
import { UsageError } from './errors.js';
import { main } from './main.js';

const catalog = { checks: [], suites: {}, models: [], module: '', campaigns: [] };

describe('the staged pipeline', () => {
  it('runs load, run and render in order, each on what the one before returned', async () => {
    const seen: string[] = [];
    const c = defineCommand({
      command: 'twice <n>',
      describe: 'doubles n',
      positionals: { n: { type: 'number', demandOption: true } },
      options: { loud: { type: 'boolean', default: false } },
      load: (a) => (seen.push(`load ${a.n} ${a.loud}`), a.n),
      run: (n) => (seen.push(`run ${n}`), 2 * n),
      render: (m, { io }) => (io.out(`${m}\n`), seen.push(`render ${m}`), m),
    });
    let out = '';
    const ctx: Context = { tool: 'tool', catalog, io: { out: (t) => (out += t), err: () => {} } };
    expect(await runStages(c, { n: 21, loud: true }, ctx)).toBe(42);
    expect(seen).toEqual(['load 21 true', 'run 21', 'render 42']);
    expect(out).toBe('42\n');
  });

  it("hands a usage error to the command, then to main: one paragraph under the program's name, exit 2", async () => {
    const seen: string[] = [];
    const bad = defineCommand({
      command: 'bad',
      describe: 'fails in run',
      positionals: {},
      options: {},
      load: () => null,
      run: (): number => {
        throw new UsageError('no good.');
      },
      render: (x) => x,
      onUsageError: (e) => void seen.push(e.message),
    });
    let err = '';
    const code = await main(['bad'], { name: 'mytool', catalog, commands: [bad] }, { out: () => {}, err: (t) => (err += t) });
    expect([code, err, seen]).toEqual([2, 'mytool: no good.\n', ['no good.']]);
  });

  it('has one exit: only main.ts calls process.exit', () => {
    const here = dirname(new URL(import.meta.url).pathname);
    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') && !n.endsWith('.test.ts') ? [join(dir, n)] : []));
    const exits = files(here).filter((f) => /process\.exit\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(here, f));
    expect(exits).toEqual(['main.ts']);
  });
});
