/**
 * `npm run bench`: the fixed benchmark set, each with one and two workers. The synthetic
 * grid (2,560,000 states) measures the engine alone; the GFS configurations measure engine
 * and model together. `gfs-maxgrants2` is the yardstick: TLC 1.8 does about 6,900 distinct
 * states/s on it with one core. `gfs-n1` is the smallest configuration, the baseline for
 * memory per state. Symmetry cases (`-sym`) show the reduction on N=3 and C=2.
 */
import { fileURLToPath } from 'node:url';
import { benchMain, type BenchCase } from '../checker/bench/harness.js';
import { grid } from '../checker/fixtures/grid.js';
import type { ConstantValues } from '../checker/cli/catalog.js';
import { BASE_CONSTANTS, type Constants } from '../model/state.js';
import { buildSpec } from './catalog.js';

const here = import.meta.url;
const gfs = (name: string, over: Partial<Constants>, extra = false, symmetry = false): BenchCase => {
  const values = { ...BASE_CONSTANTS, ...over } as unknown as ConstantValues;
  return {
    name,
    spec: () => buildSpec('gfs-lease', values, null, []),
    ref: { module: new URL('./catalog.js', here).href, export: 'buildSpec', args: ['gfs-lease', values, null, []] },
    symmetry,
    extra,
  };
};

const cases: BenchCase[] = [
  { name: 'grid-4x40', spec: () => grid(4, 40), ref: { module: new URL('../checker/fixtures/grid.js', here).href, export: 'grid', args: [4, 40] } },
  gfs('gfs-n1', { N: 1 }),
  gfs('gfs-base', {}),
  gfs('gfs-maxgrants2', { MaxGrants: 2 }),
  gfs('gfs-n3', { N: 3 }, true),
  gfs('gfs-n3-sym', { N: 3 }, true, true),
  gfs('gfs-c2', { C: 2 }, true),
  gfs('gfs-c2-sym', { C: 2 }, true, true),
];

process.exitCode = await benchMain(cases, fileURLToPath(here), process.argv.slice(2));
