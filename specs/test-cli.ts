/** For the tests: runs the CLI in this process with captured output. */
import { main } from '../checker/cli/main.js';
import { leasecheck } from './program.js';

/** Runs `leasecheck ARGS...`; returns its exit code and what it printed. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, leasecheck, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}
