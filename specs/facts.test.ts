/**
 * The pinned facts (`specs/facts.ts`) are the one table: every fact belongs to a check or
 * campaign of the catalog, which expects exactly it; `list` prints it; and the README's tables
 * say the same (this test fails when a README table and the facts disagree).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from './catalog.js';
import { CAUGHT, FUZZED, HOLDS, LIVENESS, type CaughtCheck } from './facts.js';
import { cli } from './test-cli.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const fmt = (n: number): string => n.toLocaleString('en-US');
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text of the README's section `## title` (or `### title`), up to the next heading of any level. */
function section(title: string): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => /^#{2,3} /.test(l) && l.replace(/^#+ /, '') === title);
  if (start < 0) throw new Error(`README has no section '${title}'`);
  const end = lines.findIndex((l, i) => i > start && /^#{2,3} /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The rows of a section's tables whose first cell is a backticked name: the cells after it, by name. */
function rows(title: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of section(title).split('\n')) {
    const m = /^\| `([^`]+)` \|(.*)\|$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.split('|').map((c) => c.trim()));
  }
  return out;
}

/** A section's prose with its line breaks as spaces. */
const prose = (title: string): string => section(title).replace(/\s+/g, ' ');

const checkOf = (name: string) => catalog.checks.find((c) => c.name === name);

describe('the pinned facts, one table', () => {
  it('every fact is the expectation of a check or campaign of the catalog', () => {
    for (const [name, f] of Object.entries(HOLDS)) {
      expect(checkOf(name)?.expect, name).toEqual({ kind: 'holds', distinctStates: f.distinct, symmetricStates: f.symmetric, depth: f.depth });
    }
    for (const [name, f] of Object.entries(CAUGHT)) expect(checkOf(name)?.expect, name).toEqual({ kind: 'violates', invariant: f.invariant, traceLength: f.length });
    for (const [name, f] of Object.entries(LIVENESS)) {
      const base = HOLDS[name.startsWith('live-crash-') ? 'lease-crash' : 'lease'];
      expect(checkOf(name)?.expect, name).toEqual(f === 'holds' ? { kind: 'holds', distinctStates: base.distinct, depth: base.depth } : { kind: 'violates', invariant: checkOf(name)!.liveness!.property, lasso: f });
    }
    expect(catalog.campaigns.map((c) => c.name)).toEqual(Object.keys(FUZZED));
    // Every check of the catalog has its fact; each has a twin on the schema model (`schema-`).
    const facts = [...Object.keys(HOLDS), ...Object.keys(CAUGHT), ...Object.keys(LIVENESS)].sort();
    expect(catalog.checks.filter((c) => c.model.name === 'gfs-lease').map((c) => c.name).sort()).toEqual(facts);
    expect(catalog.checks.filter((c) => c.model.name === 'gfs-lease-schema').map((c) => c.name).sort()).toEqual(facts.map((n) => `schema-${n}`).sort());
  });

  it('`list` prints them', async () => {
    const r = await cli('list', 'lease', 'mutant-ignoreSkew');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`expects: holds (${fmt(HOLDS.lease.distinct)} states, ${fmt(HOLDS.lease.symmetric)} with symmetry, depth ${HOLDS.lease.depth})`);
    expect(r.out).toContain(`expects: violates ${CAUGHT['mutant-ignoreSkew'].invariant} in ${CAUGHT['mutant-ignoreSkew'].length} states`);
  });
});

describe("the README's tables agree with the pinned facts", () => {
  it("the opening paragraph's counts (as TLC's)", () => {
    const [b, g] = [HOLDS.lease, HOLDS['lease-grants2']];
    expect(readme.replace(/\s+/g, ' ')).toContain(
      `base configuration: ${fmt(b.distinct)} distinct states, ${fmt(b.generated)} generated, depth ${b.depth}; with \`MaxGrants=2\`: ${fmt(g.distinct)} distinct, ${fmt(g.generated)} generated, depth ${g.depth}`,
    );
  });

  it('the default suite: a row per check, with its counts, invariant and length, or verdict', () => {
    const table = rows('The default suite');
    // A check of one invariant alone shares its mutant's row: `(`SinglePrimary` alone: 9)`.
    for (const name of catalog.suites.default!.filter((n) => !n.endsWith('-alone'))) {
      const cell = table.get(name)?.[1];
      expect(cell, name).toBeDefined();
      if (name in HOLDS) {
        const f = HOLDS[name as keyof typeof HOLDS];
        expect(cell, name).toBe(`holds: ${fmt(f.distinct)} / ${fmt(f.symmetric)}, depth ${f.depth}`);
      } else if (name in CAUGHT) {
        const f = CAUGHT[name as CaughtCheck];
        expect(cell, name).toMatch(new RegExp(`^\`${f.invariant}\` in ${f.length}\\b`));
        const alone: { invariant: string; length: number } | undefined = CAUGHT[`${name}-alone` as CaughtCheck];
        if (alone) expect(cell, name).toContain(`(\`${alone.invariant}\` alone: ${alone.length})`);
        else expect(cell, name).not.toContain('alone');
      } else {
        const f = LIVENESS[name as keyof typeof LIVENESS];
        const base = HOLDS.lease;
        expect(cell, name).toContain(f === 'holds' ? `holds: ${fmt(base.distinct)}, depth ${base.depth}` : `lasso ${f[0]}+${f[1]}`);
      }
    }
  });

  it('the deep suite: each check with its counts, or invariant and length', () => {
    const text = prose('The default suite');
    for (const name of catalog.suites.deep!) {
      if (name in HOLDS) {
        const f = HOLDS[name as keyof typeof HOLDS];
        expect(text, name).toContain(`\`${name}\` (${fmt(f.distinct)} / ${fmt(f.symmetric)}`);
      } else {
        const f = CAUGHT[name as CaughtCheck];
        expect(text, name).toMatch(new RegExp(`\`${esc(name)}\` \\([^)]*: \`${f.invariant}\` in ${f.length},`));
      }
    }
  });

  it('liveness: a row per liveness check, with its verdict and lasso', () => {
    const table = rows('Liveness');
    for (const [name, f] of Object.entries(LIVENESS)) {
      const cells = table.get(name);
      expect(cells?.slice(3, 5), name).toEqual(f === 'holds' ? ['holds', '-'] : ['violated', `${f[0]}+${f[1]}`]);
    }
  });

  it('fuzzing: a row per campaign, with what it finds, the BFS length and the shrunk and first lengths', () => {
    const table = rows('Fuzzing');
    for (const [name, f] of Object.entries(FUZZED)) {
      const cells = table.get(name);
      expect(cells, name).toBeDefined();
      if (f.invariant === null) {
        expect(cells![1], name).toMatch(/^nothing /);
        expect(cells![2], name).toBe('-');
      } else {
        const bfs = CAUGHT[catalog.campaigns.find((c) => c.name === name)!.check as CaughtCheck].length;
        expect(cells!.slice(1, 3), name).toEqual([`\`${f.invariant}\``, `${bfs} / ${f.length} (${f.first})`]);
      }
    }
  });

  it('fuzz power: a row per campaign of specs/fuzz-power.json, with its finds, median steps and lengths', () => {
    const power = JSON.parse(readFileSync(new URL('./fuzz-power.json', import.meta.url), 'utf8')) as {
      campaign: string;
      found: number;
      seeds: number;
      medianSteps: number;
      medianLength: number;
      bfsLength: number;
    }[];
    const table = rows('Fuzz power');
    expect([...table.keys()]).toEqual(power.map((p) => p.campaign));
    for (const p of power) {
      const cells = table.get(p.campaign)!;
      expect([cells[0], cells[1], cells[3]], p.campaign).toEqual([`${p.found}/${p.seeds}`, fmt(p.medianSteps), `${p.medianLength} / ${p.bfsLength}`]);
      expect(p.bfsLength, p.campaign).toBe(CAUGHT[catalog.campaigns.find((c) => c.name === p.campaign)!.check as CaughtCheck].length);
    }
  });
});
