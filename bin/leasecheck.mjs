#!/usr/bin/env node
// The `leasecheck` command (`npx leasecheck` in the project, or the package's bin).
// In a checkout (the sources are here) it runs them through tsx, so it works right after
// `npm ci` and never runs a stale build; an installed package (only bin/ and dist/) runs the
// compiled CLI.
import { existsSync } from 'node:fs';

const sources = new URL('../specs/cli.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/specs/cli.js');
}
