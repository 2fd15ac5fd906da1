/**
 * From command-line words to checks to run: spec names, suites, a user's spec module, and
 * overrides (`--set`, `--mutant`, `--invariant`), every mistake a {@link UsageError} that
 * names what was wrong and lists what is allowed.
 */
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { SpecRef } from '../core/parallel.js';
import type { AnySpec, Catalog, ConstantValues, Expectation, Family, LivenessCheck, SpecEntry } from './catalog.js';
import { listOf, UsageError } from './errors.js';

/** One check to run. */
export interface PlannedCheck {
  /** The name shown in the table and JSON. */
  readonly name: string;
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
  return {
    name: entry.name,
    spec: fam.build(constants, mutant, sometimes),
    ref: { module, export: 'buildSpec', args: [fam.name, constants, mutant, [...sometimes]] },
    family: fam,
    constants,
    mutant,
    invariants: o.invariants.length > 0 ? o.invariants : entry.invariants,
    expect,
    sometimes: adHoc ? [] : entry.sometimes,
    adHoc,
    symmetry: entry.symmetry && mutant === null,
    ...(entry.liveness ? { liveness: entry.liveness } : {}),
  };
}

/** True when a word names a spec module rather than a catalog entry. */
export const isPath = (word: string): boolean => /[\\/]/.test(word) || /\.(m?[jt]s)$/.test(word);

/**
 * Loads a user's spec module: its default export (or `spec`) is a {@link AnySpec}; an
 * optional `expect` export is its {@link Expectation} (default: holds).
 */
export async function planModule(path: string, o: Overrides): Promise<PlannedCheck> {
  const full = resolvePath(path);
  if (!existsSync(full)) throw new UsageError(`no spec module at ${path}; give a spec name (see 'leasecheck list') or a path to a .ts/.js module.`);
  if (o.set.length > 0 || o.mutant !== undefined) {
    throw new UsageError(`--set and --mutant apply to catalog specs, not to a spec module (${path}).`);
  }
  let mod: Record<string, unknown>;
  try {
    const url = pathToFileURL(full).href;
    if (/\.m?ts$/.test(full)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (e) {
    throw new UsageError(`could not load the spec module ${path}: ${(e as Error).message}`);
  }
  const spec = (mod.default ?? mod.spec) as AnySpec | undefined;
  if (!spec || typeof spec !== 'object' || typeof spec.initStates !== 'function' || typeof spec.actions !== 'function' || typeof spec.next !== 'function') {
    throw new UsageError(`${path} must export a spec (default export or 'spec') with initStates, actions and next; see the README's "Your own spec".`);
  }
  const invNames = (spec.invariants ?? []).map((p) => p.name);
  checkInvariants(o.invariants, invNames, `the spec ${spec.name}`);
  const expect = (mod.expect as Expectation | undefined) ?? { kind: 'holds' };
  const ref: SpecRef = { module: pathToFileURL(full).href, export: mod.default !== undefined ? 'default' : 'spec', args: [] };
  const adHoc = o.invariants.length > 0;
  // An optional `liveness` export, {property, fairness}: a liveness check of the spec.
  const liveness = mod.liveness as LivenessCheck | undefined;
  if (liveness !== undefined) {
    const names = (spec.liveness ?? []).map((p) => p.name);
    const groups = (spec.fairness ?? []).map((g) => g.name);
    if (typeof liveness !== 'object' || liveness === null || !names.includes(liveness.property) || !Array.isArray(liveness.fairness) || !liveness.fairness.every((f) => groups.includes(f))) {
      throw new UsageError(`${path} exports 'liveness', which must be {property, fairness} naming one of the spec's liveness properties (${listOf(names)}) and its fairness groups (${listOf(groups)}).`);
    }
  }
  return {
    ...(liveness !== undefined ? { liveness } : {}),
    name: spec.name ?? path,
    spec,
    ref,
    family: null,
    constants: {},
    mutant: null,
    invariants: o.invariants.length > 0 ? o.invariants : null,
    expect: adHoc ? { kind: 'holds' } : expect,
    sometimes: adHoc ? [] : (spec.sometimes ?? []).map((p) => p.name),
    adHoc,
    symmetry: true,
  };
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
