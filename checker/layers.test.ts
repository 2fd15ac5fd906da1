/**
 * The import graph of the checker and the model: no circles (type imports included), and no
 * arrow up the layers (`core` below `parallel`, `report` and `fuzz`, those below `cli` and
 * `bench`). Inside `parallel`, the thread protocol is at the bottom and a worker thread never
 * loads the coordinator. `checker/core/index.ts`, the engine's public API, re-exports the
 * parallel checker too: it stands above both, and no module of the checker imports it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(dirname(new URL(import.meta.url).pathname), '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...sources(rel));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(normalize(rel));
  }
  return out;
}

const files = [...sources('checker'), ...sources('model')].filter((f) => !f.startsWith(join('checker', 'fixtures')));
const known = new Set(files);
const edges = new Map<string, string[]>();
for (const f of files) {
  const text = readFileSync(join(root, f), 'utf8');
  const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)'/gms)]
    .map((m) => normalize(join(dirname(f), m[1]!)).replace(/\.js$/, '.ts'))
    .filter((t) => known.has(t));
  edges.set(f, targets);
}

const LAYER: Record<string, number> = { core: 0, parallel: 1, report: 1, fuzz: 1, cli: 2, bench: 2 };
/** The public API's barrel: above `core` and `parallel`, below `cli` (which does not use it). */
const API = normalize('checker/core/index.ts');
const layerOf = (f: string): number | undefined => (f === API ? 1.5 : f.startsWith('checker/') ? LAYER[f.split('/')[1]!] : undefined);

/** Every file `f` reaches through its imports (itself excluded). */
function reach(f: string): Set<string> {
  const seen = new Set<string>();
  const todo = [...(edges.get(f) ?? [])];
  while (todo.length > 0) {
    const g = todo.pop()!;
    if (seen.has(g)) continue;
    seen.add(g);
    todo.push(...(edges.get(g) ?? []));
  }
  return seen;
}

describe('the import graph', () => {
  it('reads the sources', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(edges.get(normalize('checker/core/explore.ts'))).toContain(normalize('checker/core/verify.ts'));
  });

  it('has no circle', () => {
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const circles: string[] = [];
    const visit = (u: string): void => {
      state.set(u, 1);
      stack.push(u);
      for (const v of edges.get(u) ?? []) {
        if (state.get(v) === 1) circles.push([...stack.slice(stack.indexOf(v)), v].map((x) => relative('.', x)).join(' -> '));
        else if (!state.has(v)) visit(v);
      }
      stack.pop();
      state.set(u, 2);
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(circles).toEqual([]);
  });

  it('has no arrow up the layers (core < parallel, report, fuzz < cli, bench)', () => {
    const up: string[] = [];
    for (const [f, ts] of edges) {
      for (const t of ts) {
        const a = layerOf(f);
        const b = layerOf(t);
        if (a !== undefined && b !== undefined && b > a) up.push(`${f} -> ${t}`);
      }
    }
    expect(up).toEqual([]);
    // The engine knows nothing about the GFS model.
    expect([...edges].filter(([f, ts]) => f.startsWith('checker/') && ts.some((t) => t.startsWith('model/'))).map(([f]) => f)).toEqual([]);
    // No module of the checker goes through the public API's barrel.
    expect([...edges].filter(([f, ts]) => f.startsWith('checker/') && ts.includes(API)).map(([f]) => f)).toEqual([]);
  });

  it('keeps the thread protocol at the bottom of parallel, and the coordinator out of worker threads', () => {
    const p = (name: string): string => normalize(`checker/parallel/${name}.ts`);
    expect(edges.get(p('protocol'))!.filter((t) => t.startsWith(normalize('checker/parallel/')))).toEqual([]);
    for (const w of ['worker', 'worker-core']) {
      const r = reach(p(w));
      expect(r.has(p('protocol'))).toBe(true);
      expect([...r].filter((t) => t === p('coordinator') || t === p('index') || t === p('pool'))).toEqual([]);
    }
  });
});
