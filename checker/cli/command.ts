/**
 * The staged pipeline every command runs through, as in Quint's `cli.ts`:
 * `parse -> load -> run -> render -> exit`.
 * - parse: yargs reads the words against the command's option definitions; the arguments'
 *   types are yargs' own inference from those definitions ({@link ArgsOf}), not restated;
 * - load: every check of the input (numbers, names, files, folders) and every spec built, so
 *   that a user mistake is a {@link UsageError} before anything is computed;
 * - run: the work; it may stream results as they come (a progress line, a JSON line per check);
 * - render: the summary; it returns the exit code;
 * - exit: `main` turns the code (or an error) into the one exit of the program.
 */
import type { InferredOptionType, Options, PositionalOptions } from 'yargs';
import type { Catalog } from './catalog.js';
import { UsageError } from './errors.js';

/** Where the CLI writes; tests pass buffers. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The terminal for a live progress line, when stderr is one; otherwise progress comes as lines on `err`. */
  readonly tty?: NodeJS.WriteStream;
  /** Progress lines on `err` (not a terminal): the first after this many ms, then as often. Default 5000. */
  readonly progressEveryMs?: number;
  /**
   * Handle SIGINT and SIGTERM (the real process only): print what was explored, then call
   * `exit` with 130 or 143.
   */
  readonly signals?: boolean;
  readonly exit?: (code: number) => void;
}

/** A program: its name (for messages, `--help` and the JSON's `tool`), what it checks, and its own commands. */
export interface Program {
  /** The command's name, as users type it (the entry point gives it: `specs/program.ts`). */
  readonly name: string;
  readonly catalog: Catalog;
  /**
   * The project's own commands (optional; the GFS project's `measure` and `scenario`): the
   * CLI registers them after its own and runs them through the same stages.
   */
  readonly commands?: readonly AnyCommand[];
}

/** What every stage of a command sees: the program and where to write. */
export interface Context {
  /** The program's name. */
  readonly tool: string;
  readonly catalog: Catalog;
  readonly io: Io;
}

/** The arguments of a command, as yargs infers them from its positionals' and options' definitions. */
export type ArgsOf<P extends Readonly<Record<string, PositionalOptions>>, O extends Readonly<Record<string, Options>>> = {
  readonly [K in keyof P]: InferredOptionType<P[K]>;
} & { readonly [K in keyof O]: InferredOptionType<O[K]> };

/** A command: its yargs definition and its stages (see the module's comment). */
export interface Command<P extends Readonly<Record<string, PositionalOptions>>, O extends Readonly<Record<string, Options>>, L, R> {
  /** The yargs command string, e.g. `check [specs..]`. */
  readonly command: string;
  /** One line for `--help`. */
  readonly describe: string;
  /** Its positionals, in the order of the command string. */
  readonly positionals: P;
  /** Its options, in the order `--help` lists them. */
  readonly options: O;
  /** Checks the input and builds what the run needs; a user mistake throws a {@link UsageError}. */
  load(args: ArgsOf<P, O>, ctx: Context): L | Promise<L>;
  run(loaded: L, ctx: Context): R | Promise<R>;
  /** Writes the summary; returns the exit code. */
  render(result: R, ctx: Context): number;
  /**
   * Called with a usage error from any stage before `main` prints it (e.g. `replay --json`
   * always prints one object); optional.
   */
  onUsageError?(e: UsageError, args: ArgsOf<P, O>, ctx: Context): void;
}

/**
 * A command of any type, as lists of commands hold them (its stages are methods, so a
 * command with narrower arguments is one).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<Readonly<Record<string, PositionalOptions>>, Readonly<Record<string, Options>>, any, any>;

/**
 * Defines a command, inferring its arguments' types from its definitions (`const` keeps
 * `type: 'string'` a literal, which is what yargs' inference reads).
 */
export function defineCommand<
  const P extends Readonly<Record<string, PositionalOptions>>,
  const O extends Readonly<Record<string, Options>>,
  L,
  R,
>(c: Command<P, O, L, R>): Command<P, O, L, R> {
  return c;
}

/** Runs a command's stages on its parsed arguments; returns the exit code. */
export async function runStages<P extends Readonly<Record<string, PositionalOptions>>, O extends Readonly<Record<string, Options>>, L, R>(
  c: Command<P, O, L, R>,
  args: ArgsOf<P, O>,
  ctx: Context,
): Promise<number> {
  try {
    const loaded = await c.load(args, ctx);
    const result = await c.run(loaded, ctx);
    return c.render(result, ctx);
  } catch (e) {
    if (c.onUsageError && e instanceof UsageError) c.onUsageError(e, args, ctx);
    throw e;
  }
}
