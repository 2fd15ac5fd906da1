/**
 * The command line: every command through one pipeline, `parse -> load -> run -> render ->
 * exit` (`command.ts`). {@link main} returns the exit code; {@link run} is the only place that
 * calls `process.exit`. A user mistake is a {@link UsageError}: one paragraph, exit 2, no stack.
 *
 * Commands (`commands/`): `list`, `check [SPEC...]`, `fuzz [CAMPAIGN...]`, `merge FILE...`,
 * `replay TRACE.json`, `graph SPEC --out FILE`, and the program's own ({@link Program}), whose
 * name comes from the entry point.
 */
import yargs from 'yargs';
import { VERSION } from '../version.js';
import { runStages, type AnyCommand, type Context, type Io, type Program } from './command.js';
import { checkCommand } from './commands/check.js';
import { fuzzCommand } from './commands/fuzz.js';
import { graphCommand } from './commands/graph.js';
import { listCommand } from './commands/list.js';
import { mergeCommand } from './commands/merge.js';
import { replayCommand } from './commands/replay.js';
import { EXIT, UsageError } from './errors.js';

export type { Io, Program } from './command.js';

/** The generic commands, in the order `--help` lists them. */
const COMMANDS: readonly AnyCommand[] = [listCommand, checkCommand, fuzzCommand, mergeCommand, replayCommand, graphCommand];

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  ...(process.stderr.isTTY ? { tty: process.stderr } : {}),
  signals: true,
  exit: (code) => process.exit(code),
};

/**
 * Parses `argv`, runs the command and reports errors; returns the exit code. Never calls
 * `process.exit`. A {@link UsageError} is printed as one paragraph (exit 2); anything else
 * is an internal error (exit 3), with its stack only when LEASECHECK_DEBUG is set.
 */
export async function main(argv: readonly string[], program: Program, io: Io = defaultIo): Promise<number> {
  const ctx: Context = { tool: program.name, catalog: program.catalog, io };
  try {
    return await parseAndRun(argv, [...COMMANDS, ...(program.commands ?? [])], ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${ctx.tool}: ${e.message}\n`);
      return EXIT.usage;
    }
    const detail = e instanceof Error ? (process.env.LEASECHECK_DEBUG ? e.stack : e.message) : String(e);
    io.err(`${ctx.tool}: internal error: ${detail}\n`);
    return EXIT.internal;
  }
}

/** The parse stage: yargs with every command registered; the chosen command's stages run from its handler. */
async function parseAndRun(argv: readonly string[], commands: readonly AnyCommand[], ctx: Context): Promise<number> {
  let code: number = EXIT.ok;
  const parser = yargs([...argv]);
  parser.scriptName(ctx.tool).usage(`${ctx.tool} <command> [options]`);
  for (const c of commands) {
    parser.command(
      c.command,
      c.describe,
      (y) => {
        for (const [name, p] of Object.entries(c.positionals)) y.positional(name, p);
        return y.options(c.options);
      },
      async (a) => {
        // yargs types a handler's arguments from its builder, which is generic here; the
        // command's own stages see them as inferred from its definitions (`ArgsOf`).
        code = await runStages(c, a, ctx);
      },
    );
  }
  parser
    .demandCommand(1, `name a command: list, check, fuzz, replay or graph (try '${ctx.tool} --help')`)
    .strict()
    .version(VERSION)
    .alias('v', 'version')
    .help()
    .alias('h', 'help')
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  let helpShown = false;
  parser.showHelpOnFail(false);
  await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
    if (output) {
      helpShown = true;
      ctx.io.out(output + '\n');
    }
  });
  return helpShown ? EXIT.ok : code;
}

/** Runs the CLI and exits: the only `process.exit` of the program (besides a signal's, through {@link Io.exit}). */
export async function run(argv: readonly string[], program: Program): Promise<never> {
  // `leasecheck ... | head`: the reader went away. Not a crash: one line, exit 2.
  const closed = (): never => {
    process.stderr.write(`${program.name}: standard output was closed before everything was written (EPIPE); the rest is not printed.\n`);
    process.exit(EXIT.usage);
  };
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed();
  });
  const code = await main(argv, program);
  // Let buffered output reach a pipe before exiting.
  process.stdout.write('', (e) => ((e as NodeJS.ErrnoException | null | undefined)?.code === 'EPIPE' ? closed() : process.exit(code)));
  return new Promise<never>(() => {});
}
