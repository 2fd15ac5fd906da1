/**
 * A user's spec module as a first-class spec: loaded from anywhere (`.ts`, `.mts`, `.js`,
 * `.mjs`, with or without a package.json), its exports (`default`/`spec`, `constants`,
 * `options`, `expect`: their types are in `module-types.ts`) validated, and turned into a
 * catalog {@link Model} with one {@link Check}, so that `check`, `list`, `fuzz`,
 * `graph`, `replay` and `--set` treat it as they treat a catalog spec. Every mistake in a
 * module is a {@link UsageError} naming the module, what was wrong and what is allowed.
 */
import { register } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SpecRef } from '../parallel/index.js';
import type { AnySpec, Check, ConstantInfo, ConstantValues, Expectation, LivenessCheck, Model } from './catalog.js';
import { listOf, requireKnown, UsageError } from './errors.js';
import type { ModuleConstant, ModuleExpectation, ModuleOptions } from './module-types.js';

/**
 * A resolve hook for this thread's module loader: a `.ts` file outside `node_modules` whose
 * nearest package.json does not say `"type": "commonjs"` is TypeScript in ESM form. Without
 * it, tsx (following Node's rules for `.js`) compiles a `.ts` file in a folder without a
 * package.json, or with one that has no `"type"`, to CommonJS, where `export default` turns
 * into `{ default: { default: spec } }` and top-level `await` fails to compile.
 */
const HOOK = `
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const types = new Map();
function packageType(dir) {
  const start = dir;
  for (;;) {
    if (types.has(dir)) { const t = types.get(dir); types.set(start, t); return t; }
    let t;
    try { const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')); t = typeof p.type === 'string' ? p.type : null; }
    catch (e) { t = e && (e.code === 'ENOENT' || e.code === 'ENOTDIR') ? undefined : null; }
    if (t !== undefined) { types.set(start, t); return t; }
    const up = dirname(dir);
    if (up === dir) { types.set(start, null); return null; }
    dir = up;
  }
}
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (!r.url.startsWith('file:')) return r;
  const path = decodeURIComponent(new URL(r.url).pathname);
  if (!path.endsWith('.ts') || path.includes('/node_modules/')) return r;
  if (packageType(dirname(path)) === 'commonjs') return r;
  return { ...r, format: 'module-typescript' };
}
`;

const HOOKED = Symbol.for('leasecheck.moduleLoader');

/** Registers tsx and the ESM hook in this thread, once. */
async function ensureLoader(): Promise<void> {
  const g = globalThis as Record<symbol, unknown>;
  if (g[HOOKED]) return;
  g[HOOKED] = true;
  // tsx may already be registered (running from sources, or a worker's boot): a second
  // registration only compiles what the first already compiled.
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  // Registered after tsx, so it runs first and hands tsx the format.
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
}

/**
 * Node's own `import()`, through the hooks above. Under a test runner that evaluates this
 * module in a VM context (vitest), Node refuses it (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING)
 * and the runner's own `import()` loads the module (as ESM, whatever the folder says).
 */
const nativeImportFn = new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, unknown>>;
async function nativeImport(url: string): Promise<Record<string, unknown>> {
  try {
    return await nativeImportFn(url);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING') throw e;
    return (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  }
}

const loaded = new Map<string, Promise<Record<string, unknown>>>();

/** Imports a module by absolute path (cached per path). */
async function importModule(full: string, shown: string): Promise<Record<string, unknown>> {
  let p = loaded.get(full);
  if (!p) {
    p = (async () => {
      await ensureLoader();
      let mod = await nativeImport(pathToFileURL(full).href);
      // A module compiled to CommonJS (a package that says "type": "commonjs"): its exports
      // are the namespace's default.
      const d = mod.default as Record<string, unknown> | undefined;
      if (d && typeof d === 'object' && d.__esModule === true) mod = d;
      return mod;
    })();
    loaded.set(full, p);
  }
  try {
    return await p;
  } catch (e) {
    loaded.delete(full);
    // esbuild's message is a header line, then the error with its position: keep both.
    const text = (e instanceof Error ? e.message : String(e)).replace(/\x1b\[[0-9;]*m/g, '');
    const msg = text.split('\n').filter((l) => l.trim()).slice(0, 2).join(' ');
    throw new UsageError(`could not load the spec module ${shown}: ${msg}`);
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPosInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;
const show = (x: unknown): string => (typeof x === 'function' ? 'a function' : x === undefined ? 'undefined' : JSON.stringify(x) ?? String(x));

function unknownKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    throw new UsageError(`${what} has an unknown key '${extra[0]}'; allowed: ${listOf(allowed)}.`);
  }
}

/** Validates `export const constants`; returns them as the catalog's constant infos with defaults. */
export function validateConstants(x: unknown, where: string): { infos: ConstantInfo[]; defaults: Record<string, number | boolean> } {
  const infos: ConstantInfo[] = [];
  const defaults: Record<string, number | boolean> = {};
  if (x === undefined) return { infos, defaults };
  if (!isObject(x)) throw new UsageError(`${where}: 'constants' must be an object of constants by name, e.g. { N: { kind: 'int', min: 1, max: 5, default: 3 } } (got ${show(x)}).`);
  for (const [name, c] of Object.entries(x)) {
    const what = `${where}: constant ${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`${where}: constant name '${name}' must be an identifier (letters, digits, _).`);
    if (!isObject(c)) throw new UsageError(`${what} must be { kind: 'int', min, max, default } or { kind: 'bool', default } (got ${show(c)}).`);
    const doc = c.doc;
    if (doc !== undefined && typeof doc !== 'string') throw new UsageError(`${what}: 'doc' must be a string (got ${show(doc)}).`);
    if (c.kind === 'int') {
      unknownKeys(c, ['kind', 'min', 'max', 'default', 'doc'], what);
      for (const k of ['min', 'max', 'default'] as const) {
        if (typeof c[k] !== 'number' || !Number.isSafeInteger(c[k])) throw new UsageError(`${what}: '${k}' must be an integer (got ${show(c[k])}).`);
      }
      const { min, max, default: def } = c as unknown as Extract<ModuleConstant, { kind: 'int' }>;
      if (min > max) throw new UsageError(`${what}: min ${min} is above max ${max}.`);
      if (def < min || def > max) throw new UsageError(`${what}: default ${def} is outside ${min}..${max}.`);
      infos.push({ name, kind: 'int', min, max, doc: doc ?? '' });
      defaults[name] = def;
    } else if (c.kind === 'bool') {
      unknownKeys(c, ['kind', 'default', 'doc'], what);
      if (typeof c.default !== 'boolean') throw new UsageError(`${what}: 'default' must be true or false (got ${show(c.default)}).`);
      infos.push({ name, kind: 'bool', doc: doc ?? '' });
      defaults[name] = c.default;
    } else {
      throw new UsageError(`${what}: 'kind' must be 'int' or 'bool' (got ${show(c.kind)}).`);
    }
  }
  return { infos, defaults };
}

/** Checks that a built value is a spec; names the first thing missing. */
function validateSpec(x: unknown, where: string): AnySpec {
  if (!isObject(x)) {
    throw new UsageError(`${where} must export a spec (default export or 'spec'): an object with initStates, actions and next, or a function from constant values to one (got ${show(x)}); see the README's "Your own spec".`);
  }
  for (const f of ['initStates', 'actions', 'next'] as const) {
    if (typeof x[f] !== 'function') throw new UsageError(`${where}: the spec has no function '${f}' (a spec has initStates, actions and next); see the README's "Your own spec".`);
  }
  if (x.name !== undefined && typeof x.name !== 'string') throw new UsageError(`${where}: the spec's 'name' must be a string (got ${show(x.name)}).`);
  for (const list of ['invariants', 'sometimes', 'actionProperties'] as const) {
    const ps = x[list];
    if (ps === undefined) continue;
    if (!Array.isArray(ps)) throw new UsageError(`${where}: the spec's '${list}' must be an array of { name, check } (got ${show(ps)}).`);
    const seen = new Set<string>();
    ps.forEach((p: unknown, i) => {
      if (!isObject(p) || typeof p.name !== 'string' || typeof p.check !== 'function') {
        throw new UsageError(`${where}: ${list}[${i}] must be { name: string, check: function } (got ${show(p)}).`);
      }
      if (seen.has(p.name)) throw new UsageError(`${where}: two ${list} are named '${p.name}'.`);
      seen.add(p.name);
    });
  }
  return x as unknown as AnySpec;
}

/** Validates `export const options` against the built spec. */
export function validateOptions(x: unknown, spec: AnySpec, where: string): ModuleOptions {
  if (x === undefined) return {};
  const what = `${where}: 'options'`;
  if (!isObject(x)) throw new UsageError(`${what} must be an object (got ${show(x)}).`);
  unknownKeys(x, ['deadlock', 'symmetry', 'invariants', 'maxStates', 'maxDepth'], what);
  for (const k of ['deadlock', 'symmetry'] as const) {
    if (x[k] !== undefined && typeof x[k] !== 'boolean') throw new UsageError(`${what}.${k} must be true or false (got ${show(x[k])}).`);
  }
  for (const k of ['maxStates', 'maxDepth'] as const) {
    if (x[k] !== undefined && !isPosInt(x[k])) throw new UsageError(`${what}.${k} must be a positive integer (got ${show(x[k])}).`);
  }
  if (x.invariants !== undefined) {
    const names = (spec.invariants ?? []).map((p) => p.name);
    if (!Array.isArray(x.invariants) || x.invariants.some((n) => typeof n !== 'string')) {
      throw new UsageError(`${what}.invariants must be an array of invariant names (got ${show(x.invariants)}); the spec has: ${listOf(names)}.`);
    }
    requireKnown(x.invariants as string[], names, (n, known) => `${what}.invariants names an unknown invariant '${n}'; the spec has: ${known}.`);
  }
  return x as ModuleOptions;
}

/** Validates `export const expect` against the built spec: unknown keys and bad values are errors. */
export function validateExpect(x: unknown, spec: AnySpec, where: string): ModuleExpectation {
  if (x === undefined) return { kind: 'holds' };
  const what = `${where}: 'expect'`;
  if (!isObject(x)) throw new UsageError(`${what} must be an object such as { kind: 'holds' } or { kind: 'violates', invariant: 'NAME' } (got ${show(x)}).`);
  const counts = (keys: readonly string[]): void => {
    for (const k of keys) {
      if (x[k] !== undefined && !isPosInt(x[k])) throw new UsageError(`${what}.${k} must be a positive integer (got ${show(x[k])}).`);
    }
  };
  switch (x.kind) {
    case 'holds':
      unknownKeys(x, ['kind', 'distinctStates', 'symmetricStates', 'depth'], `${what} of kind 'holds'`);
      counts(['distinctStates', 'symmetricStates', 'depth']);
      break;
    case 'violates': {
      unknownKeys(x, ['kind', 'invariant', 'traceLength'], `${what} of kind 'violates'`);
      counts(['traceLength']);
      const names = [...(spec.invariants ?? []), ...(spec.actionProperties ?? [])].map((p) => p.name);
      if (typeof x.invariant !== 'string') throw new UsageError(`${what}.invariant must name the property violated (got ${show(x.invariant)}); the spec has: ${listOf(names)}.`);
      requireKnown([x.invariant], names, (n, known) => `${what}.invariant names an unknown property '${n}'; the spec has: ${known}.`);
      break;
    }
    case 'deadlock':
      unknownKeys(x, ['kind', 'traceLength'], `${what} of kind 'deadlock'`);
      counts(['traceLength']);
      break;
    default:
      throw new UsageError(`${what}.kind must be 'holds', 'violates' or 'deadlock' (got ${show(x.kind)}).`);
  }
  return x as unknown as ModuleExpectation;
}

/**
 * The optional `liveness` export, `{property, fairness}`: the module is a liveness check of
 * one of the spec's `liveness` properties under some of its fairness groups.
 */
function validateLiveness(x: unknown, spec: AnySpec, where: string): LivenessCheck | undefined {
  if (x === undefined) return undefined;
  const names = (spec.liveness ?? []).map((p: { name: string }) => p.name);
  const groups = (spec.fairness ?? []).map((g: { name: string }) => g.name);
  const o = x as { property?: unknown; fairness?: unknown };
  if (
    !isObject(x) ||
    typeof o.property !== 'string' ||
    !names.includes(o.property) ||
    !Array.isArray(o.fairness) ||
    !o.fairness.every((f) => typeof f === 'string' && groups.includes(f)) ||
    Object.keys(x).some((k) => k !== 'property' && k !== 'fairness')
  ) {
    throw new UsageError(
      `${where}: 'liveness' must be {property, fairness} naming one of the spec's liveness properties (${listOf(names)}) and a list of its fairness groups (${listOf(groups)}) (got ${show(x)}).`,
    );
  }
  return { property: o.property, fairness: [...(o.fairness as string[])] };
}

/** A loaded, validated spec module. */
export interface LoadedModule {
  /** Its absolute path. */
  readonly path: string;
  readonly model: Model;
  readonly check: Check;
  readonly options: ModuleOptions;
  readonly expect: ModuleExpectation;
  /** The constants' defaults. */
  readonly defaults: ConstantValues;
}

const here = import.meta.url;

async function builderOf(full: string, shown: string): Promise<{ mod: Record<string, unknown>; make: (values: ConstantValues) => AnySpec; exportName: string }> {
  const mod = await importModule(full, shown);
  const exportName = mod.default !== undefined ? 'default' : 'spec';
  const x = mod[exportName];
  if (x === undefined) {
    const names = Object.keys(mod);
    throw new UsageError(
      `${shown} exports no spec: export default a spec (an object with initStates, actions and next) or a function from constant values to one, or export it as 'spec'; it exports: ${listOf(names)}. See the README's "Your own spec".`,
    );
  }
  const make = (values: ConstantValues): AnySpec => {
    if (typeof x !== 'function') return validateSpec(x, shown);
    let built: unknown;
    try {
      built = (x as (v: ConstantValues) => unknown)(values);
    } catch (e) {
      const set = Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ');
      throw new UsageError(`${shown}: building the spec${set ? ` with ${set}` : ''} threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (built instanceof Promise) throw new UsageError(`${shown}: the spec builder returned a Promise; it must return the spec itself.`);
    return validateSpec(built, shown);
  };
  return { mod, make, exportName };
}

/**
 * For worker threads ({@link SpecRef}): builds the spec of the module at `path` with
 * `values`, loading it as the main thread did.
 */
export async function buildModuleSpec(path: string, values: ConstantValues): Promise<AnySpec> {
  return (await builderOf(path, path)).make(values);
}

/** Loads and validates the spec module at `path` (as typed); `tool`, the program's name, is for messages. */
export async function loadModule(path: string, tool: string): Promise<LoadedModule> {
  const full = resolvePath(path);
  if (!existsSync(full)) throw new UsageError(`no spec module at ${path}; give a spec name (see '${tool} list') or a path to a .ts, .mts, .js or .mjs module.`);
  if (statSync(full).isDirectory()) throw new UsageError(`${path} is a folder; give the path of a spec module (.ts, .mts, .js or .mjs).`);
  const { mod, make } = await builderOf(full, path);
  const { infos, defaults } = validateConstants(mod.constants, path);
  if (infos.length > 0 && typeof (mod.default ?? mod.spec) !== 'function') {
    throw new UsageError(`${path} exports constants, so its spec must be a function of their values: export default function (values) { return spec; } (it exports an object).`);
  }
  const spec = make(defaults);
  const options = validateOptions(mod.options, spec, path);
  const expect = validateExpect(mod.expect, spec, path);
  const liveness = validateLiveness(mod.liveness, spec, path);
  const name = spec.name || basename(full).replace(/\.[^.]+$/, '');
  const invariants = (spec.invariants ?? []).map((p) => p.name);
  const model: Model = {
    name,
    constants: infos,
    mutants: [],
    invariants: [...invariants, ...(spec.actionProperties ?? []).map((p) => p.name)],
    validate: () => null,
    build: (values) => (Object.keys(values).every((k) => values[k] === defaults[k]) ? spec : make(values)),
    specRef: (values): SpecRef => ({ module: here, export: 'buildModuleSpec', args: [full, { ...values }] }),
    module: full,
  };
  const expectation: Expectation = expect;
  const check: Check = {
    name,
    description: `spec module ${path}`,
    model,
    constants: defaults,
    mutant: null,
    invariants: options.invariants ?? null,
    expect: expectation,
    sometimes: (spec.sometimes ?? []).map((p) => p.name),
    // Only where the spec has a canonicaliser (so that `list` does not promise one).
    symmetry: (options.symmetry ?? true) && typeof spec.canonicalize === 'function',
    checkDeadlock: options.deadlock ?? expect.kind === 'deadlock',
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...(liveness ? { liveness } : {}),
  };
  return { path: full, model, check, options, expect, defaults };
}
