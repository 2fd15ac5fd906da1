/**
 * From command-line words to checks to run: spec names, suites, a user's spec module, and
 * overrides (`--set`, `--mutant`, `--invariant`), every mistake a {@link UsageError} that
 * names what was wrong and lists what is allowed.
 */
import type { SpecRef } from '../parallel/index.js';
import type { AnySpec, Catalog, ConstantValues, Expectation, Family, LivenessCheck, SpecEntry } from './catalog.js';
import { listOf, UsageError } from './errors.js';
import { loadModule } from './module.js';

/** One check to run. */
export interface PlannedCheck {
  /** The name shown in the table and JSON. */
  readonly name: string;
  /** The name with what the command line changed: `lease MaxGrants=2 mutant=ignoreSkew`. */
  readonly label: string;
  /** The built spec. */
  readonly spec: AnySpec;
  /** How a worker thread builds the same spec (parallel checking). */
  readonly ref: SpecRef;
  /** The family it came from (null for a user's spec module). */
  readonly family: Family | null;
  readonly constants: ConstantValues;
  readonly mutant: string | null;
  /** Invariants to check (null: all). */
  readonly invariants: readonly string[] | null;
  readonly expect: Expectation;
  /** `sometimes` properties required (empty for ad hoc runs). */
  readonly sometimes: readonly string[];
  /** Overrides were given: no pinned counts or `sometimes` apply. */
  readonly adHoc: boolean;
  /** Symmetry reduction on by default for this check. */
  readonly symmetry: boolean;
  /** Deadlock checking on by default (a spec module's `options.deadlock`). */
  readonly checkDeadlock: boolean;
  /** Default bounds (a spec module's `options`). */
  readonly maxStates?: number;
  readonly maxDepth?: number;
  /** The spec module it was loaded from (absolute path), or null for a catalog spec. */
  readonly module: string | null;
  /** A liveness check (see `checker/core/liveness.ts`). */
  readonly liveness?: LivenessCheck;
}

/** Overrides from the command line. */
export interface Overrides {
  readonly set: readonly string[];
  readonly mutant: string | undefined;
  readonly invariants: readonly string[];
}

/** Parses `NAME=VALUE` words against a family's constants. */
export function parseSets(family: Family, words: readonly string[]): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  const names = family.constants.map((c) => c.name);
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes NAME=VALUE (got '${w}'); constants: ${listOf(names)}.`);
    const name = w.slice(0, eq);
    const raw = w.slice(eq + 1).trim();
    const info = family.constants.find((c) => c.name === name);
    if (name in out) throw new UsageError(`--set ${name} given twice (${name}=${out[name]} and ${w}); give each constant once.`);
    if (!info) throw new UsageError(`unknown constant '${name}'; the constants of ${family.name} are: ${listOf(names)}.`);
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

function checkMutant(family: Family, mutant: string | undefined): string | null {
  if (mutant === undefined || mutant === 'none') return null;
  if (!family.variants.includes(mutant)) {
    throw new UsageError(`unknown mutant '${mutant}'; the mutants of ${family.name} are: ${listOf(family.variants)} (or 'none').`);
  }
  return mutant;
}

function checkInvariants(names: readonly string[], all: readonly string[], where: string): void {
  for (const n of names) {
    if (!all.includes(n)) throw new UsageError(`unknown invariant '${n}'; ${where} has: ${listOf(all)}.`);
  }
}

/** Builds the planned check of a catalog entry under overrides. */
export function planEntry(entry: SpecEntry, o: Overrides, module: string): PlannedCheck {
  const fam = entry.family;
  const sets = parseSets(fam, o.set);
  const mutant = o.mutant === undefined ? entry.variant : checkMutant(fam, o.mutant);
  checkInvariants(o.invariants, fam.invariants, `the ${fam.name} model`);
  const constants = { ...entry.constants, ...sets };
  const problem = fam.validate(constants);
  if (problem) throw new UsageError(`bad configuration for ${entry.name}: ${problem}.`);
  const adHoc = o.set.length > 0 || o.mutant !== undefined || o.invariants.length > 0;
  const expect: Expectation = adHoc ? { kind: 'holds' } : entry.expect;
  const sometimes = adHoc ? [] : entry.sometimes;
  const changed = [
    ...Object.entries(sets).map(([k, v]) => `${k}=${v}`),
    ...(o.mutant !== undefined ? [`mutant=${mutant ?? 'none'}`] : []),
    ...(o.invariants.length > 0 ? [`invariant=${o.invariants.join(',')}`] : []),
  ];
  return {
    name: entry.name,
    label: [entry.name, ...changed].join(' '),
    spec: fam.build(constants, mutant, sometimes),
    ref: fam.specRef?.(constants, mutant, sometimes) ?? { module, export: 'buildSpec', args: [fam.name, constants, mutant, [...sometimes]] },
    family: fam,
    constants,
    mutant,
    invariants: o.invariants.length > 0 ? o.invariants : entry.invariants,
    expect,
    sometimes: adHoc ? [] : entry.sometimes,
    adHoc,
    // A mutant spec with `--mutant none` is the correct protocol: symmetry as for one.
    symmetry: mutant === null && (entry.symmetry || entry.variant !== null),
    checkDeadlock: entry.checkDeadlock ?? false,
    ...(entry.maxStates !== undefined ? { maxStates: entry.maxStates } : {}),
    ...(entry.maxDepth !== undefined ? { maxDepth: entry.maxDepth } : {}),
    module: fam.module ?? null,
    ...(entry.liveness ? { liveness: entry.liveness } : {}),
  };
}

/** True when a word names a spec module rather than a catalog entry. */
export const isPath = (word: string): boolean => /[\\/]/.test(word) || /\.[cm]?[jt]s$/.test(word);

/**
 * Loads a user's spec module (see `module.ts` and `module-types.ts`) and plans it as a
 * catalog entry: `--set` applies to its constants, and its `options` and `expect` to the run.
 */
export async function planModule(path: string, o: Overrides): Promise<PlannedCheck> {
  const m = await loadModule(path);
  return planEntry(m.entry, o, '');
}

/** The catalog entry a word names (a spec name or a module path), for `fuzz`, `graph` and `list`. */
export async function findEntry(catalog: Catalog, word: string): Promise<SpecEntry | undefined> {
  if (isPath(word)) return (await loadModule(word)).entry;
  return catalog.specs.find((s) => s.name === word);
}

/** Resolves spec words and `--suite` into planned checks, in order, without duplicates. */
export async function plan(catalog: Catalog, words: readonly string[], suite: string | undefined, o: Overrides): Promise<PlannedCheck[]> {
  const names: string[] = [];
  if (suite !== undefined) {
    const s = catalog.suites[suite];
    if (!s) throw new UsageError(`unknown suite '${suite}'; suites: ${listOf(Object.keys(catalog.suites))}.`);
    names.push(...s);
  }
  names.push(...words);
  if (names.length === 0) {
    throw new UsageError(`name a spec or a suite: 'leasecheck check lease', 'leasecheck check --suite default'; specs: ${listOf(catalog.specs.map((s) => s.name))}.`);
  }
  const out: PlannedCheck[] = [];
  const seen = new Set<string>();
  for (const w of names) {
    if (seen.has(w)) continue;
    seen.add(w);
    if (isPath(w)) {
      out.push(await planModule(w, o));
      continue;
    }
    const entry = catalog.specs.find((s) => s.name === w);
    if (!entry) throw new UsageError(`unknown spec '${w}'; specs: ${listOf(catalog.specs.map((s) => s.name))}.`);
    out.push(planEntry(entry, o, catalog.module));
  }
  return out;
}
