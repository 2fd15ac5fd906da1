/**
 * The types a spec module imports, and nothing else: the spec boundary (`Spec`, `Action`,
 * properties) and the shape of a module's exports (`constants`, `options`, `expect`). It
 * imports no Node or library types, so `tsc` type-checks a user's module against it with
 * no other package installed (see the README's "Your own spec").
 *
 * @packageDocumentation
 */
export type { Action, ActionArg, ActionProperty, Spec, StateEncoder, StateProperty, StepInfo, StepMessage } from './core/spec.js';
export type { ConstantValuesOf, ModuleConstant, ModuleConstants, ModuleExpectation, ModuleOptions, SpecBuilder } from './cli/module-types.js';
