/**
 * A bench script over one small fixture, for the harness's tests: `node --import tsx
 * checker/bench/fixture-bench.ts ARGS` is `npm run bench -- ARGS` with one case, `grid-3x30`.
 */
import { fileURLToPath } from 'node:url';
import { grid } from '../fixtures/grid.js';
import { benchMain, type BenchCase } from './harness.js';

const here = new URL(import.meta.url);
const cases: BenchCase[] = [
  { name: 'grid-3x30', spec: () => grid(3, 30), ref: { module: new URL('../fixtures/grid.js', here).href, export: 'grid', args: [3, 30] }, expect: { distinct: 27_000, depth: 88 } },
];

process.exitCode = await benchMain(cases, fileURLToPath(here), process.argv.slice(2));
