/**
 * A user mistake (bad flag, unknown name, malformed file): the CLI prints its message as
 * one paragraph, without a stack trace, and exits 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Exit codes of the CLI (the README's table). A run judged against expectations (a suite, a
 * catalog spec, a spec module with its `expect`) keeps the meaning scripts rely on: 0 every
 * expectation met, 1 one failed. An ad hoc run (`--set`, `--mutant`, `--invariant`) has no
 * expectation, so its code says what it found, as TLC's do: 11 a deadlock, 12 a violated
 * invariant or action property, 13 a liveness violation, 14 an incomplete run. A spec whose
 * function threw, or that an engine guard caught, is an evaluation error (75) in either kind
 * of run. Interrupted: 130 (SIGINT) or 143 (SIGTERM), after a summary.
 */
export const EXIT = {
  /** Every expectation met (ad hoc: nothing found). */
  ok: 0,
  /** An expectation failed: a correct spec violated, a mutant not caught, a pinned count changed, a run incomplete. */
  failed: 1,
  /** Bad usage or input. */
  usage: 2,
  /** Internal error. */
  internal: 3,
  /** Ad hoc: a deadlock was found. */
  deadlock: 11,
  /** Ad hoc: an invariant or action property is violated. */
  violation: 12,
  /** Ad hoc: a liveness property is violated. */
  liveness: 13,
  /** Ad hoc: the run ended incomplete (a bound was reached first). */
  incomplete: 14,
  /** A spec function threw, or an engine guard caught a spec mistake (any run). */
  error: 75,
  /** Interrupted by SIGINT (SIGTERM: 143). */
  interrupted: 130,
} as const;

/** `a, b, c` for messages that list what is allowed. */
export const listOf = (xs: readonly string[]): string => (xs.length === 0 ? '(none)' : xs.join(', '));

/**
 * The one check of property names (invariants, action properties, liveness properties)
 * against those a model or spec has: the first unknown one is a {@link UsageError}, worded
 * by `say` from the name and the list of known ones (each caller names its source).
 */
export function requireKnown(names: readonly string[], known: readonly string[], say: (name: string, known: string) => string): void {
  for (const n of names) if (!known.includes(n)) throw new UsageError(say(n, listOf(known)));
}
