/**
 * The `leasecheck` program: its name, the GFS lease catalog and the project's own commands,
 * which the generic CLI runs (`specs/cli.ts`, and the tests' `specs/test-cli.ts`).
 */
import type { Program } from '../checker/cli/command.js';
import { catalog } from './catalog.js';
import { measureCommand, scenarioCommand } from './commands.js';

/** The program: the command's name (as messages, `--help` and the JSON's `tool` give it), the catalog, `measure` and `scenario`. */
export const leasecheck: Program = { name: 'leasecheck', catalog, commands: [measureCommand, scenarioCommand] };
