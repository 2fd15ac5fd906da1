/**
 * `npm run bench`: the fixed benchmark set. The synthetic grid (2,560,000 states) measures
 * the engine alone; the GFS configurations measure engine and model together (the
 * `MaxGrants=2` one is the yardstick of TLC's 6,900 distinct states/s on one core).
 */
import { fileURLToPath } from 'node:url';
import { benchMain, type BenchCase } from '../checker/bench/harness.js';
import { grid } from '../checker/fixtures/grid.js';
import { gfsSpec } from '../model/spec.js';
import { BASE_CONSTANTS } from '../model/state.js';

const cases: BenchCase[] = [
  { name: 'grid-4x40', spec: () => grid(4, 40) },
  { name: 'gfs-n1', spec: () => gfsSpec({ ...BASE_CONSTANTS, N: 1, mutants: [] }) },
  { name: 'gfs-base', spec: () => gfsSpec({ ...BASE_CONSTANTS, mutants: [] }) },
  { name: 'gfs-maxgrants2', spec: () => gfsSpec({ ...BASE_CONSTANTS, MaxGrants: 2, mutants: [] }) },
];

process.exitCode = benchMain(cases, fileURLToPath(import.meta.url), process.argv.slice(2));
