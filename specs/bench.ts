/**
 * `npm run bench`: the fixed benchmark set, each with one and two workers. The synthetic
 * grid (2,560,000 states) measures the engine alone; the GFS configurations measure engine
 * and model together. `gfs-maxgrants2` is the yardstick: TLC 1.8 does about 6,900 distinct
 * states/s on it with one core. `gfs-n1` is the smallest configuration, the baseline for
 * memory per state; `gfs-maxgrants2-schema` is the same configuration on the schema model
 * (`model/schema/`). Symmetry cases (`-sym`) show the reduction on N=3 and C=2. The `-plain`
 * cases are models of the TLA+ examples repository ported as plain-object specs (records,
 * arrays, Sets; no encode/decode), with TLC's counts pinned and TLC 1.8's one-worker rates on
 * the same machine kind (from issue #15) as a reference column; the `-schema` cases are the same
 * models declared on the state schema (`checker/core/schema.ts`).
 */
import { fileURLToPath } from 'node:url';
import { benchMain, type BenchCase } from '../checker/bench/harness.js';
import { grid } from '../checker/fixtures/grid.js';
import type { AnySpec, ConstantValues } from '../checker/cli/catalog.js';
import { twoPhasePlain } from '../checker/fixtures/examples/twophase-plain.js';
import { lamportMutexPlain } from '../checker/fixtures/examples/lamport-mutex-plain.js';
import { MAJORITY3, paxosCommitPlain } from '../checker/fixtures/examples/paxos-commit-plain.js';
import { twoPhaseSchema } from '../checker/fixtures/examples/twophase-schema.js';
import { lamportMutexSchema } from '../checker/fixtures/examples/lamport-mutex-schema.js';
import { paxosCommitSchema } from '../checker/fixtures/examples/paxos-commit-schema.js';
import { BASE_CONSTANTS, type Constants } from '../model/state.js';
import { buildSpec } from './catalog.js';

const here = import.meta.url;
const gfs = (name: string, over: Partial<Constants>, extra = false, symmetry = false, model = 'gfs-lease'): BenchCase => {
  const values = { ...BASE_CONSTANTS, ...over } as unknown as ConstantValues;
  return {
    name,
    spec: () => buildSpec(model, values, null, []),
    ref: { module: new URL('./catalog.js', here).href, export: 'buildSpec', args: [model, values, null, []] },
    symmetry,
    extra,
  };
};

const example = <T extends unknown[]>(
  name: string,
  file: string,
  build: (...args: T) => AnySpec,
  args: T,
  tlcRate: number,
  distinct: number,
  depth: number,
): BenchCase => ({
  name,
  spec: () => build(...args),
  ref: { module: new URL(`../checker/fixtures/examples/${file}`, here).href, export: build.name, args },
  tlcRate,
  expect: { distinct, depth },
});

const cases: BenchCase[] = [
  { name: 'grid-4x40', spec: () => grid(4, 40), ref: { module: new URL('../checker/fixtures/grid.js', here).href, export: 'grid', args: [4, 40] } },
  gfs('gfs-n1', { N: 1 }),
  gfs('gfs-base', {}),
  gfs('gfs-maxgrants2', { MaxGrants: 2 }),
  // The same configuration on the schema model (model/schema/): its rate against the packed one's, in the same rounds.
  gfs('gfs-maxgrants2-schema', { MaxGrants: 2 }, false, false, 'gfs-lease-schema'),
  gfs('gfs-n3', { N: 3 }, true),
  gfs('gfs-n3-sym', { N: 3 }, true, true),
  gfs('gfs-c2', { C: 2 }, true),
  gfs('gfs-c2-sym', { C: 2 }, true, true),
  example('twophase6-plain', 'twophase-plain.js', twoPhasePlain, [6], 6_600, 50_816, 20),
  example('lamport-mutex-plain', 'lamport-mutex-plain.js', lamportMutexPlain, [3, 6], 15_300, 724_274, 61),
  example('paxos-commit-plain', 'paxos-commit-plain.js', paxosCommitPlain, [2, 3, MAJORITY3, 1], 6_700, 1_321_761, 28),
  example('twophase6-schema', 'twophase-schema.js', twoPhaseSchema, [6], 6_600, 50_816, 20),
  example('lamport-mutex-schema', 'lamport-mutex-schema.js', lamportMutexSchema, [3, 7, 6], 15_300, 724_274, 61),
  example('paxos-commit-schema', 'paxos-commit-schema.js', paxosCommitSchema, [2, 3, 1], 6_700, 1_321_761, 28),
  // Both domains symmetric, symmetry on: the schema's canonicaliser (12 renamings a state).
  {
    ...example('paxos-commit-schema-sym', 'paxos-commit-schema.js', paxosCommitSchema, [2, 3, 1, { symmetric: true }], 6_700, 119_992, 28),
    tlcRate: undefined,
    symmetry: true,
    extra: true,
  },
];

process.exitCode = await benchMain(cases, fileURLToPath(here), process.argv.slice(2));
