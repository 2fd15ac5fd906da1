/**
 * What the CLI checks, described as data, in the project's vocabulary (the README's layout
 * table names it):
 * - a {@link Model} is a parameterised model: named constants, optional mutants (deliberate
 *   bugs), the invariants, and a `build` that makes a *spec* (the engine's interface,
 *   `checker/core/spec.ts`) from constant values and a mutant;
 * - a {@link Check} is a named catalog entry: a model, its constants, a mutant, the
 *   invariants to check and the expectation (the command line calls its name a spec:
 *   `leasecheck check SPEC`);
 * - a {@link Campaign} is a fuzzing campaign of a check, and a suite a list of checks.
 * The engine and CLI are generic; a project hands its catalog to {@link main} (the GFS
 * project's is `specs/catalog.ts`).
 */
import type { SpecRef } from '../parallel/index.js';

export type { AnySpec, ConstantValues } from '../core/spec.js';
import type { AnySpec, ConstantValues } from '../core/spec.js';

/** A constant of a model: an integer in a range, or a boolean. */
export type ConstantInfo =
  | { readonly name: string; readonly kind: 'int'; readonly min: number; readonly max: number; readonly doc: string }
  | { readonly name: string; readonly kind: 'bool'; readonly doc: string };


/** A parameterised model: builds a spec from constant values and an optional mutant. */
export interface Model {
  /** The model's name, recorded in trace files (`model`). */
  readonly name: string;
  /** Its constants, in display order. */
  readonly constants: readonly ConstantInfo[];
  /** Mutant names (deliberate bugs); the empty list when there are none. */
  readonly mutants: readonly string[];
  /** Invariant names every built spec has, in check order. */
  readonly invariants: readonly string[];
  /** Checks values together (cross-constant limits); returns an error message or null. */
  validate(values: ConstantValues): string | null;
  /** Builds the spec; `sometimes` names the `sometimes` properties to require. */
  build(values: ConstantValues, mutant: string | null, sometimes: readonly string[]): AnySpec;
  /**
   * How a worker thread builds the same spec; default: the catalog's `module` and its
   * `buildSpec(model, values, mutant, sometimes)`. A spec module's model names its own.
   */
  specRef?(values: ConstantValues, mutant: string | null, sometimes: readonly string[]): SpecRef;
  /**
   * Action names that cannot fire under these values (e.g. a loss with `MaxLoss=0`), so that
   * "never taken" notes list only actions the configuration allows; optional.
   */
  impossibleActions?(values: ConstantValues): readonly string[];
  /** The absolute path of the spec module this model was loaded from (recorded in trace files). */
  readonly module?: string;
}

/** What a check expects. */
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

/** The liveness goal of a check: a property of the spec's `liveness` under named fairness groups. */
export interface LivenessCheck {
  readonly property: string;
  readonly fairness: readonly string[];
}

/** A named check: a model, its constants, a mutant, the invariants to check and the expectation. */
export interface Check {
  /** The name users type: `leasecheck check NAME`. */
  readonly name: string;
  /** One line for `leasecheck list`. */
  readonly description: string;
  /** The model it builds. */
  readonly model: Model;
  /** Constant values (every constant of the model). */
  readonly constants: ConstantValues;
  /** The mutant, or null (the correct model). */
  readonly mutant: string | null;
  /** Invariants to check; null for all of the model's. */
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

/** A fuzzing campaign: a check with overrides, the campaign's size, and what it must find. */
export interface Campaign {
  /** The campaign's name: `leasecheck fuzz NAME`. */
  readonly name: string;
  /** The name of the check it starts from. */
  readonly check: string;
  /** Constant overrides (`--set`). */
  readonly set: ConstantValues;
  /** Behaviours, steps per behaviour at most, and the seed. */
  readonly runs: number;
  readonly depth: number;
  readonly seed: number;
  /** `holds` (nothing found), or `violates INV`. */
  readonly expect: Expectation;
}

/** Everything the CLI can run. */
export interface Catalog {
  /** The named checks. */
  readonly checks: readonly Check[];
  /** Suites: name to check names. */
  readonly suites: Readonly<Record<string, readonly string[]>>;
  /** The models, for `replay` (by the trace file's `model`). */
  readonly models: readonly Model[];
  /**
   * The URL of a module exporting `buildSpec(model, values, mutant, sometimes)`, which
   * worker threads import to build their own copy of a spec (parallel checking).
   */
  readonly module: string;
  /** Fuzzing campaigns (`leasecheck fuzz`, `npm run fuzz`). */
  readonly campaigns: readonly Campaign[];
}
