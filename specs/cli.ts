/**
 * The `leasecheck` program: the generic CLI with the GFS lease catalog.
 */
import { run } from '../checker/cli/main.js';
import { leasecheck } from './program.js';

await run(process.argv.slice(2), leasecheck);
