#!/usr/bin/env node
// The installed `leasecheck` command: runs the compiled CLI (`npm run build` writes dist/).
await import('../dist/specs/cli.js');
