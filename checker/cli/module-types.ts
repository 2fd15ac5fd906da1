/**
 * The shape of a spec module, as types only: what a user's `my-spec.ts` may export for
 * `leasecheck check ./my-spec.ts` (and `list`, `fuzz`, `graph`, `replay`). This file imports
 * nothing but the spec types, so a module type-checks against it with TypeScript alone (see
 * the README's "Your own spec"); the loader that validates these exports at run time is
 * `module.ts`.
 *
 * A module exports:
 * - `default` (or `spec`): a {@link Spec}, or a function from constant values to one
 *   (required when it exports `constants`);
 * - `constants` (optional): {@link ModuleConstants}, so that `--set NAME=VALUE` works;
 * - `options` (optional): {@link ModuleOptions}, its run options;
 * - `expect` (optional): {@link ModuleExpectation}, what `check` requires (default: holds).
 */
import type { Spec } from '../core/spec.js';

/** A constant of a spec module: an integer in a range, or a boolean, with its default value. */
export type ModuleConstant =
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly default: number; readonly doc?: string }
  | { readonly kind: 'bool'; readonly default: boolean; readonly doc?: string };

/** A spec module's constants by name, in display order. */
export type ModuleConstants = Readonly<Record<string, ModuleConstant>>;

/** The values a module's spec is built from: a number per `int` constant, a boolean per `bool`. */
export type ConstantValuesOf<C extends ModuleConstants> = {
  readonly [K in keyof C]: C[K] extends { readonly kind: 'bool' } ? boolean : number;
};

/** A spec module's run options: what its `check` does unless the command line says otherwise. */
export interface ModuleOptions {
  /** Report a state with no enabled action as a deadlock (`--deadlock`). Default false. */
  readonly deadlock?: boolean;
  /** Symmetry reduction, where the spec has `canonicalize` (`--symmetry`). Default true. */
  readonly symmetry?: boolean;
  /** Check only these invariants (`--invariant`); default: all of the spec's. */
  readonly invariants?: readonly string[];
  /** Stop (incomplete) after this many distinct states (`--max-states`). */
  readonly maxStates?: number;
  /** Expand no state at this depth, in states (`--max-depth`). */
  readonly maxDepth?: number;
}

/**
 * What `leasecheck check` requires of a spec module with its default constants. Counts are
 * distinct states and depths in states (the initial state included), as the table prints them.
 */
export type ModuleExpectation =
  | {
      readonly kind: 'holds';
      /** Distinct states without symmetry reduction. */
      readonly distinctStates?: number;
      /** Distinct states with symmetry reduction, when the spec has `canonicalize`. */
      readonly symmetricStates?: number;
      /** Depth, in states. */
      readonly depth?: number;
    }
  | {
      readonly kind: 'violates';
      /** The invariant (or action property) that must be violated first. */
      readonly invariant: string;
      /** The shortest counterexample's length, in states. */
      readonly traceLength?: number;
    }
  | {
      readonly kind: 'deadlock';
      /** The shortest trace to a deadlocked state, in states. */
      readonly traceLength?: number;
    };

/** The default export of a module with constants: builds the spec from their values. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SpecBuilder<C extends ModuleConstants = ModuleConstants> = (values: ConstantValuesOf<C>) => Spec<any, any>;
