/**
 * A user mistake (bad flag, unknown name, malformed file): the CLI prints its message as
 * one paragraph, without a stack trace, and exits 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes of the CLI. */
export const EXIT = {
  /** Every expectation met. */
  ok: 0,
  /** An expectation failed: a correct spec violated, a mutant not caught, a pinned count changed, a run incomplete. */
  failed: 1,
  /** Bad usage or input. */
  usage: 2,
  /** Internal error. */
  internal: 3,
} as const;

/** `a, b, c` for messages that list what is allowed. */
export const listOf = (xs: readonly string[]): string => (xs.length === 0 ? '(none)' : xs.join(', '));
