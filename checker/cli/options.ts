/**
 * What several commands share on the command line: the overrides of a check (`--set`,
 * `--mutant`, `--invariant`) and numeric options given as words.
 */
import { UsageError } from './errors.js';
import type { Overrides } from './plan.js';

/** `--set`, `--mutant`, `--invariant`: what `check`, `fuzz` and `graph` change in a check. */
export const overrideOptions = {
  set: { type: 'string', array: true, default: [] as string[], describe: 'set a model constant, NAME=VALUE (repeatable)' },
  mutant: { type: 'string', describe: "turn on a deliberate bug ('none' for none)" },
  invariant: { type: 'string', array: true, default: [] as string[], describe: 'check only this invariant (repeatable)' },
} as const;

/** The overrides the command line gave. */
export function overridesOf(a: { readonly set: readonly string[]; readonly mutant: string | undefined; readonly invariant: readonly string[] }): Overrides {
  return { set: a.set, mutant: a.mutant, invariants: a.invariant };
}

/**
 * A numeric option, given as text (so that a message quotes what was typed, not NaN): an
 * integer from `min` to `max`, or with `integer` false any number above zero.
 */
export function numberOption(name: string, raw: string | number | undefined, o: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const integer = o.integer ?? true;
  const min = o.min ?? 1;
  const text = String(raw).trim();
  const v = Number(text);
  const what = !integer ? 'a number above 0' : o.max !== undefined ? `an integer from ${min} to ${o.max}` : min === 1 ? 'a positive integer' : `an integer of at least ${min}`;
  if (text === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || (integer ? v < min : v <= 0) || (o.max !== undefined && v > o.max)) {
    throw new UsageError(`--${name} must be ${what} (got '${text}').`);
  }
  return v;
}
