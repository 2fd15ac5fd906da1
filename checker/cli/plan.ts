/**
 * From command-line words to checks to run: check names, suites, a user's spec module, and
 * overrides (`--set`, `--mutant`, `--invariant`), every mistake a {@link UsageError} that
 * names what was wrong and lists what is allowed.
 */
import type { SpecRef } from '../parallel/index.js';
import type { AnySpec, Catalog, Check, Expectation, Model } from './catalog.js';
import { listOf, requireKnown, UsageError } from './errors.js';
import { loadModule } from './module.js';

/**
 * A check resolved for one run: the catalog's {@link Check} with the command line's overrides
 * applied (constants, mutant, invariants, expectation), its spec built, and how a worker
 * thread builds the same spec.
 */
export interface PlannedCheck extends Check {
  /** The name with what the command line changed: `lease MaxGrants=2 mutant=ignoreSkew`. */
  readonly label: string;
  /** The built spec. */
  readonly spec: AnySpec;
  /** How a worker thread builds the same spec (parallel checking). */
  readonly ref: SpecRef;
  /** Overrides were given: no pinned counts or `sometimes` apply (`expect` is `holds`, `sometimes` empty). */
  readonly adHoc: boolean;
}

/** Overrides from the command line. */
export interface Overrides {
  readonly set: readonly string[];
  readonly mutant: string | undefined;
  readonly invariants: readonly string[];
}

/** Whether the command line changed what a check checks (the run is then ad hoc). */
export const changesCheck = (o: Overrides): boolean => o.set.length > 0 || o.mutant !== undefined || o.invariants.length > 0;

/** Parses `NAME=VALUE` words against a model's constants. */
export function parseSets(model: Model, words: readonly string[]): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  const names = model.constants.map((c) => c.name);
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes NAME=VALUE (got '${w}'); constants: ${listOf(names)}.`);
    const name = w.slice(0, eq);
    const raw = w.slice(eq + 1).trim();
    const info = model.constants.find((c) => c.name === name);
    if (name in out) throw new UsageError(`--set ${name} given twice (${name}=${out[name]} and ${w}); give each constant once.`);
    if (!info) throw new UsageError(`unknown constant '${name}'; the constants of ${model.name} are: ${listOf(names)}.`);
    if (info.kind === 'bool') {
      if (raw !== 'true' && raw !== 'false') throw new UsageError(`${name} is a boolean: use ${name}=true or ${name}=false (got '${raw}').`);
      out[name] = raw === 'true';
    } else {
      const v = Number(raw);
      if (raw === '' || !Number.isInteger(v)) throw new UsageError(`${name} must be an integer from ${info.min} to ${info.max} (got '${raw}').`);
      if (v < info.min || v > info.max) {
        throw new UsageError(`${name}=${v} is out of range: ${name} (${info.doc}) must be from ${info.min} to ${info.max}.`);
      }
      out[name] = v;
    }
  }
  return out;
}

function checkMutant(model: Model, mutant: string | undefined): string | null {
  if (mutant === undefined || mutant === 'none') return null;
  if (!model.mutants.includes(mutant)) {
    throw new UsageError(`unknown mutant '${mutant}'; the mutants of ${model.name} are: ${listOf(model.mutants)} (or 'none').`);
  }
  return mutant;
}

/**
 * Builds the planned check of a catalog check under overrides: the one place where a spec is
 * built from a check (`check`, `fuzz`, `graph`, `replay`, campaigns and shards all come here),
 * with the constants, the mutant and the invariant names checked against the model.
 */
export function planCheck(check: Check, o: Overrides, module: string): PlannedCheck {
  // `module`: the catalog's, which worker threads import (a spec module's model names its own).
  const model = check.model;
  const sets = parseSets(model, o.set);
  const mutant = o.mutant === undefined ? check.mutant : checkMutant(model, o.mutant);
  requireKnown(o.invariants, model.invariants, (n, known) => `unknown invariant '${n}'; the ${model.name} model has: ${known}.`);
  const constants = { ...check.constants, ...sets };
  const problem = model.validate(constants);
  if (problem) throw new UsageError(`bad configuration for ${check.name}: ${problem}.`);
  const adHoc = changesCheck(o);
  const expect: Expectation = adHoc ? { kind: 'holds' } : check.expect;
  const sometimes = adHoc ? [] : check.sometimes;
  const changed = [
    ...Object.entries(sets).map(([k, v]) => `${k}=${v}`),
    ...(o.mutant !== undefined ? [`mutant=${mutant ?? 'none'}`] : []),
    ...(o.invariants.length > 0 ? [`invariant=${o.invariants.join(',')}`] : []),
  ];
  return {
    ...check,
    label: [check.name, ...changed].join(' '),
    spec: model.build(constants, mutant, sometimes),
    ref: model.specRef?.(constants, mutant, sometimes) ?? { module, export: 'buildSpec', args: [model.name, constants, mutant, [...sometimes]] },
    constants,
    mutant,
    invariants: o.invariants.length > 0 ? o.invariants : check.invariants,
    expect,
    sometimes,
    adHoc,
    // A mutant check with `--mutant none` is the correct protocol: symmetry as for one.
    symmetry: mutant === null && (check.symmetry || check.mutant !== null),
  };
}

/** True when a word names a spec module rather than a check of the catalog. */
export const isPath = (word: string): boolean => /[\\/]/.test(word) || /\.[cm]?[jt]s$/.test(word);

/** The check a word names (a check's name or a spec module's path), for `check`, `fuzz`, `graph` and `list`. */
export async function findCheck(catalog: Catalog, word: string, tool: string): Promise<Check | undefined> {
  if (isPath(word)) return (await loadModule(word, tool)).check;
  return catalog.checks.find((s) => s.name === word);
}

/** The check a word names, or a {@link UsageError} listing the catalog's. */
export async function requireCheck(catalog: Catalog, word: string, tool: string): Promise<Check> {
  const c = await findCheck(catalog, word, tool);
  if (!c) throw new UsageError(`unknown spec '${word}'; specs: ${listOf(catalog.checks.map((s) => s.name))}, or the path of a spec module.`);
  return c;
}



/** Resolves spec words and `--suite` into planned checks, in order, without duplicates. */
export async function plan(catalog: Catalog, words: readonly string[], suite: string | undefined, o: Overrides, tool: string): Promise<PlannedCheck[]> {
  const names: string[] = [];
  if (suite !== undefined) {
    const s = catalog.suites[suite];
    if (!s) throw new UsageError(`unknown suite '${suite}'; suites: ${listOf(Object.keys(catalog.suites))}.`);
    names.push(...s);
  }
  names.push(...words);
  if (names.length === 0) {
    const first = catalog.checks[0]?.name ?? 'NAME';
    const suiteName = Object.keys(catalog.suites)[0] ?? 'NAME';
    throw new UsageError(`name a spec or a suite: '${tool} check ${first}', '${tool} check --suite ${suiteName}'; specs: ${listOf(catalog.checks.map((s) => s.name))}.`);
  }
  const out: PlannedCheck[] = [];
  const seen = new Set<string>();
  for (const w of names) {
    if (seen.has(w)) continue;
    seen.add(w);
    const check = await findCheck(catalog, w, tool);
    if (!check) throw new UsageError(`unknown spec '${w}'; specs: ${listOf(catalog.checks.map((s) => s.name))}.`);
    out.push(planCheck(check, o, catalog.module));
  }
  return out;
}
