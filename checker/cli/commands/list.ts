/**
 * `list [SPEC...]`: the catalog's checks, suites, campaigns and models (constants, mutants,
 * invariants), or those of the named checks and spec modules; `--json` gives one object per
 * line, each with a `kind`.
 */
import type { Catalog, Check, Expectation, Model } from '../catalog.js';
import { defineCommand } from '../command.js';
import { EXIT, listOf } from '../errors.js';
import { requireCheck } from '../plan.js';

const fmtCount = (n: number): string => n.toLocaleString('en-US');

/** `holds (69,057 states, 34,533 with symmetry, depth 38)`, `violates Inv in 5 states`. */
function listExpectation(e: Expectation): string {
  if (e.kind === 'holds') {
    const counts = [
      ...(e.distinctStates !== undefined ? [`${fmtCount(e.distinctStates)} states`] : []),
      ...(e.symmetricStates !== undefined ? [`${fmtCount(e.symmetricStates)} with symmetry`] : []),
      ...(e.depth !== undefined ? [`depth ${e.depth}`] : []),
    ];
    return `holds${counts.length > 0 ? ` (${counts.join(', ')})` : ''}`;
  }
  if (e.kind === 'deadlock') return `deadlock${e.traceLength !== undefined ? ` in ${e.traceLength} states` : ''}`;
  return `violates ${e.invariant}${e.traceLength !== undefined ? ` in ${e.traceLength} states` : ''}`;
}

/** What `list` shows: the checks, their models, and whether it is the whole catalog (suites and campaigns too). */
interface Listing {
  readonly checks: readonly Check[];
  readonly models: readonly Model[];
  readonly whole: boolean;
  readonly json: boolean;
  readonly catalog: Catalog;
}

/** One JSON object per line: every check, then (for the whole catalog) the suites and campaigns, then every model. */
function listJson(l: Listing): string[] {
  const out: string[] = [];
  for (const s of l.checks) {
    out.push(
      JSON.stringify({
        kind: 'spec',
        spec: s.name,
        description: s.description,
        model: s.model.name,
        module: s.model.module ?? null,
        constants: s.constants,
        mutant: s.mutant,
        invariants: s.invariants,
        expect: s.expect,
        sometimes: s.sometimes,
        symmetry: s.symmetry,
        deadlock: s.checkDeadlock ?? false,
      }),
    );
  }
  if (l.whole) {
    for (const [suite, specs] of Object.entries(l.catalog.suites)) out.push(JSON.stringify({ kind: 'suite', suite, specs }));
    for (const f of l.catalog.campaigns) out.push(JSON.stringify({ kind: 'campaign', campaign: f.name, spec: f.check, set: f.set, runs: f.runs, depth: f.depth, seed: f.seed, expect: f.expect }));
  }
  for (const f of l.models) {
    out.push(JSON.stringify({ kind: 'model', model: f.name, module: f.module ?? null, constants: f.constants, mutants: f.mutants, invariants: f.invariants }));
  }
  return out;
}

/** The text listing: each check in four lines, the suites and campaigns, then each model's constants, mutants and invariants. */
function listText(l: Listing, tool: string): string[] {
  const lines: string[] = [];
  for (const s of l.checks) {
    const consts = Object.entries(s.constants)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const opts = [
      ...(s.mutant ? [`mutant=${s.mutant}`] : []),
      ...(s.invariants ? [`invariants=${s.invariants.join(',')}`] : []),
      ...(s.checkDeadlock ? ['deadlock'] : []),
      `symmetry ${s.symmetry ? 'on' : 'off'}`,
    ];
    lines.push(`${s.name}\n    ${s.description}\n    ${[consts, ...opts].filter((x) => x).join(' ')}\n    expects: ${listExpectation(s.expect)}`);
  }
  if (l.whole) {
    lines.push('', ...Object.entries(l.catalog.suites).map(([k, v]) => `suite ${k}: ${v.join(', ')}`));
    lines.push('', `fuzzing campaigns (${tool} fuzz NAME):`);
    for (const f of l.catalog.campaigns) {
      const e = f.expect;
      lines.push(`  ${f.name}: ${f.check} with ${Object.entries(f.set).map(([k, v]) => `${k}=${v}`).join(' ')}; ${f.runs} runs of up to ${f.depth} steps, seed ${f.seed}; expects ${e.kind === 'violates' ? `${e.invariant} violated` : 'nothing found'}`);
    }
  }
  for (const f of l.models) {
    const defaults = l.checks.find((e) => e.model === f && f.module)?.constants;
    lines.push('', `constants of ${f.name} (--set NAME=VALUE):`);
    if (f.constants.length === 0) lines.push('  (none)');
    for (const c of f.constants) {
      const def = defaults ? ` (default ${defaults[c.name]})` : '';
      lines.push(`  ${c.name.padEnd(13)} ${c.kind === 'int' ? `${c.min}..${c.max}` : 'true|false'}${def}  ${c.doc}`.trimEnd());
    }
    lines.push(`mutants (--mutant NAME): ${listOf(f.mutants)}`, `invariants (--invariant NAME): ${listOf(f.invariants)}`);
  }
  return lines;
}

/** `list [SPEC...]`. */
export const listCommand = defineCommand({
  command: 'list [specs..]',
  describe: 'list the specs, suites, constants and mutants (or those of the named specs and spec modules)',
  positionals: { specs: { type: 'string', array: true, default: [] as string[] } },
  options: {
    json: { type: 'boolean', default: false, describe: 'one JSON object per line, each with a kind: spec, suite, campaign, model' },
  },
  async load(a, { tool, catalog }): Promise<Listing> {
    const checks: Check[] = [];
    for (const w of a.specs) checks.push(await requireCheck(catalog, w, tool));
    const shown = a.specs.length === 0 ? [...catalog.checks] : checks;
    return { checks: shown, models: [...new Set(shown.map((e) => e.model))], whole: a.specs.length === 0, json: a.json, catalog };
  },
  run: (l) => l,
  render(l, { tool, io }) {
    io.out(l.json ? listJson(l).map((x) => x + '\n').join('') : listText(l, tool).join('\n') + '\n');
    return EXIT.ok;
  },
});
