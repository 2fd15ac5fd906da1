/**
 * What the CLI checks, described as data: families of specs (a model parameterised by
 * named constants and optional variants, e.g. mutants), named spec entries with their
 * expectations, and suites. The engine and CLI are generic; a project hands its catalog
 * to {@link main} (the GFS project's is `specs/catalog.ts`).
 */
import type { SpecRef } from '../parallel/index.js';

export type { AnySpec, ConstantValues } from '../core/spec.js';
import type { AnySpec, ConstantValues } from '../core/spec.js';

/** A constant of a family: an integer in a range, or a boolean. */
export type ConstantInfo =
  | { readonly name: string; readonly kind: 'int'; readonly min: number; readonly max: number; readonly doc: string }
  | { readonly name: string; readonly kind: 'bool'; readonly doc: string };


/** A parameterised model: build a spec from constant values and an optional variant. */
export interface Family {
  /** The family's name, recorded in trace files (`model`). */
  readonly name: string;
  /** Its constants, in display order. */
  readonly constants: readonly ConstantInfo[];
  /** Variant names (e.g. mutants); the empty list when there are none. */
  readonly variants: readonly string[];
  /** Invariant names every built spec has, in check order. */
  readonly invariants: readonly string[];
  /** Checks values together (cross-constant limits); returns an error message or null. */
  validate(values: ConstantValues): string | null;
  /** Builds the spec; `sometimes` names the `sometimes` properties to require. */
  build(values: ConstantValues, variant: string | null, sometimes: readonly string[]): AnySpec;
  /**
   * How a worker thread builds the same spec; default: the catalog's `module` and its
   * `buildSpec(family, values, variant, sometimes)`. A spec module's family names its own.
   */
  specRef?(values: ConstantValues, variant: string | null, sometimes: readonly string[]): SpecRef;
  /**
   * Action names that cannot fire under these values (e.g. a loss with `MaxLoss=0`), so that
   * "never taken" notes list only actions the configuration allows; optional.
   */
  impossibleActions?(values: ConstantValues): readonly string[];
  /** The absolute path of the spec module this family was loaded from (recorded in trace files). */
  readonly module?: string;
}

/** What a spec entry expects. */
export type Expectation =
  | {
      readonly kind: 'holds';
      /** Distinct states without symmetry reduction (comparable with TLC). */
      readonly distinctStates?: number;
      /** Distinct states with symmetry reduction (orbits), when the spec has a canonicaliser. */
      readonly symmetricStates?: number;
      /** Depth, in states (the same with and without symmetry). */
      readonly depth?: number;
    }
  | {
      readonly kind: 'violates';
      readonly invariant: string;
      readonly traceLength?: number;
      /** A liveness violation: the lasso's prefix (states before the loop) and cycle (states in it). */
      readonly lasso?: readonly [prefix: number, cycle: number];
    }
  /** A state with no enabled action is reached (checked with deadlock checking on). */
  | { readonly kind: 'deadlock'; readonly traceLength?: number };

/** A liveness check of a spec entry: a property of the spec's `liveness` under named fairness groups. */
export interface LivenessCheck {
  readonly property: string;
  readonly fairness: readonly string[];
}

/** A named check: a family, its constants, a variant, the invariants to check and the expectation. */
export interface SpecEntry {
  /** The name users type: `leasecheck check NAME`. */
  readonly name: string;
  /** One line for `leasecheck list`. */
  readonly description: string;
  /** The family it builds. */
  readonly family: Family;
  /** Constant values (every constant of the family). */
  readonly constants: ConstantValues;
  /** The variant (mutant), or null. */
  readonly variant: string | null;
  /** Invariants to check; null for all of the family's. */
  readonly invariants: readonly string[] | null;
  /** The expectation. */
  readonly expect: Expectation;
  /** `sometimes` properties that must hold somewhere (only checked when the run is not ad hoc). */
  readonly sometimes: readonly string[];
  /** Whether symmetry reduction is on by default (it only applies where the spec has a canonicaliser). */
  readonly symmetry: boolean;
  /** Deadlock checking on by default (a spec module's `options.deadlock`). */
  readonly checkDeadlock?: boolean;
  /** Default bounds (a spec module's `options`); the command line's win. */
  readonly maxStates?: number;
  readonly maxDepth?: number;
  /** A liveness check instead of a safety-only one (the one pass checks the invariants too). */
  readonly liveness?: LivenessCheck;
}

/** A fuzzing campaign: a spec entry with overrides, the campaign's size, and what it must find. */
export interface FuzzEntry {
  /** The campaign's name: `leasecheck fuzz NAME`. */
  readonly name: string;
  /** The spec entry it starts from. */
  readonly spec: string;
  /** Constant overrides (`--set`). */
  readonly set: ConstantValues;
  /** Behaviours, steps per behaviour at most, and the seed. */
  readonly runs: number;
  readonly depth: number;
  readonly seed: number;
  /** `holds` (nothing found), or `violates INV`. */
  readonly expect: Expectation;
}

/** An option of a {@link CatalogCommand}, as yargs takes it. */
export interface CommandOption {
  readonly type: 'string' | 'number' | 'boolean';
  readonly describe: string;
  readonly array?: boolean;
  readonly default?: string | number | boolean | readonly (string | number)[];
}

/**
 * A command a project adds to the CLI beside the generic ones (the GFS catalog's `measure`
 * and `scenario`): the CLI registers it as given and calls `run` with the parsed options.
 * `run` returns the exit code and throws a `UsageError` for bad input.
 */
export interface CatalogCommand {
  /** The yargs command string, e.g. `scenario <name>`. */
  readonly command: string;
  /** One line for `--help`. */
  readonly describe: string;
  /** Its options and positionals' types, by name. */
  readonly options: Readonly<Record<string, CommandOption>>;
  run(args: Readonly<Record<string, unknown>>, io: { readonly out: (text: string) => void; readonly err: (text: string) => void }): Promise<number>;
}

/** Everything the CLI can run. */
export interface Catalog {
  /** The tool's name for messages. */
  readonly tool: string;
  /** The named specs. */
  readonly specs: readonly SpecEntry[];
  /** Suites: name to spec names. */
  readonly suites: Readonly<Record<string, readonly string[]>>;
  /** The families, for `replay` (by the trace file's `model`). */
  readonly families: readonly Family[];
  /**
   * The URL of a module exporting `buildSpec(family, values, variant, sometimes)`, which
   * worker threads import to build their own copy of a spec (parallel checking).
   */
  readonly module: string;
  /** Fuzzing campaigns (`leasecheck fuzz`, `npm run fuzz`). */
  readonly fuzz: readonly FuzzEntry[];
  /** Extra commands of the project (optional). */
  readonly commands?: readonly CatalogCommand[];
}
