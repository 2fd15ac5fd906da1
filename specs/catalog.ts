/**
 * The GFS lease checks: configurations of the model, the invariants checked, and the
 * expectation of each. Correct-protocol specs pin their exact distinct-state counts and
 * depths (from runs, equal to TLC's where TLC was run); mutant specs name the invariant
 * that must catch them and the shortest counterexample's length, in states.
 *
 * Each of the four lease bugs has two specs: with all invariants checked `LeaseAgreement`
 * catches it first; checked alone, `SinglePrimary` catches it two steps later.
 */
import type { Catalog, ConstantValues, Expectation, Family, FuzzEntry, SpecEntry } from '../checker/cli/catalog.js';
import { INVARIANT_NAMES, SOMETIMES_NAMES } from '../model/invariants.js';
import { gfsSpec } from '../model/spec.js';
import { measureCommand, scenarioCommand } from './commands.js';
import { BASE_CONSTANTS, maxEntriesPerVersion, MUTANTS, type Constants, type Mutant } from '../model/state.js';

/** The GFS lease model as a family: the design page's constants and seven mutants. */
export const gfsFamily: Family = {
  name: 'gfs-lease',
  constants: [
    { name: 'N', kind: 'int', min: 1, max: 5, doc: 'chunkservers holding a replica' },
    { name: 'C', kind: 'int', min: 1, max: 4, doc: 'clients' },
    { name: 'W', kind: 'int', min: 1, max: 4, doc: 'writes per client' },
    { name: 'L', kind: 'int', min: 1, max: 15, doc: 'lease duration in ticks' },
    { name: 'S', kind: 'int', min: 1, max: 15, doc: 'bound on clock skew (S >= 1)' },
    { name: 'MaxCrashes', kind: 'int', min: 0, max: 9, doc: 'crash events in a behaviour' },
    { name: 'MaxLoss', kind: 'int', min: 0, max: 9, doc: 'messages the network may lose' },
    { name: 'MaxRetries', kind: 'int', min: 0, max: 9, doc: 'extra attempts per write' },
    { name: 'MaxGrants', kind: 'int', min: 1, max: 9, doc: 'leases granted in a behaviour' },
    { name: 'PersistLease', kind: 'bool', doc: 'the master keeps its lease table across a crash' },
    { name: 'MaxClones', kind: 'int', min: 0, max: 9, doc: 're-replications (MReplicate) in a behaviour' },
  ],
  variants: MUTANTS,
  invariants: INVARIANT_NAMES,
  validate(v) {
    // Packed fields are 5 bits wide (see model/network.ts).
    const c = v as unknown as Constants;
    if (c.S + c.L > 31) return `S + L must be at most 31 (got ${c.S + c.L})`;
    if (c.C * c.W > 30) return `C * W (data items) must be at most 30 (got ${c.C * c.W})`;
    if (maxEntriesPerVersion(c) > 31) return `C * W * (MaxRetries + 1) must be at most 31 (got ${maxEntriesPerVersion(c)})`;
    return null;
  },
  build(values, variant, sometimes) {
    const mutants = variant === null ? [] : [variant as Mutant];
    return gfsSpec({ ...(values as unknown as Constants), mutants }, { sometimes });
  },
};

const ALWAYS_SOMETIMES = ['LeaseGranted', 'LeaseExtended', 'WriteAcked', 'WriteFailed', 'AllWritesDone'];

const base = BASE_CONSTANTS as unknown as ConstantValues;

function correct(
  name: string,
  description: string,
  over: Partial<Constants>,
  [distinctStates, symmetricStates]: [number, number],
  depth: number,
  extraSometimes: readonly string[] = [],
): SpecEntry {
  return {
    name,
    description,
    family: gfsFamily,
    constants: { ...base, ...over },
    variant: null,
    invariants: null,
    expect: { kind: 'holds', distinctStates, symmetricStates, depth },
    sometimes: [...ALWAYS_SOMETIMES, ...extraSometimes].filter((n) => (SOMETIMES_NAMES as readonly string[]).includes(n)),
    symmetry: true,
  };
}

function mutant(
  bug: Mutant,
  over: Partial<Constants>,
  invariant: string,
  traceLength: number,
  alone = false,
  suffix = '',
): SpecEntry {
  const expect: Expectation = { kind: 'violates', invariant, traceLength };
  return {
    name: `mutant-${bug}${alone ? '-alone' : ''}${suffix}`,
    description: alone ? `${bug}, only ${invariant} checked` : `${bug}, all invariants checked${suffix ? ` (${suffix.slice(1)})` : ''}`,
    family: gfsFamily,
    constants: { ...base, ...over },
    variant: bug,
    invariants: alone ? [invariant] : null,
    expect,
    sometimes: [],
    symmetry: false,
  };
}

/** Every named spec. Counts and lengths are pinned from runs (see specs/catalog.test.ts). */
export const SPECS: readonly SpecEntry[] = [
  correct('lease', 'the base configuration of the design page (TLC: 69,057 states, depth 38)', {}, [69_057, 34_533], 38),
  correct('lease-n1', 'one chunkserver', { N: 1 }, [3_155, 3_155], 31),
  correct('lease-n3', 'three chunkservers', { N: 3 }, [1_264_479, 228_019], 45),
  correct('lease-crash', 'one crash (master or chunkserver)', { MaxCrashes: 1 }, [576_372, 288_210], 40, [
    'CrashRestarted',
    'StaleReplicaDropped',
    'InconsistentRegion',
  ]),
  correct('lease-persist', 'one crash, the master persists its lease table', { MaxCrashes: 1, PersistLease: true }, [463_473, 231_750], 40, [
    'CrashRestarted',
    'StaleReplicaDropped',
  ]),
  correct('lease-loss', 'one lost message', { MaxLoss: 1 }, [256_943, 128_479], 40, ['MessageLost', 'StaleReplicaDropped']),
  correct('lease-retry', 'one retry per write', { MaxRetries: 1 }, [1_275_647, 637_831], 49, ['InconsistentRegion']),
  correct('lease-grants2', 'a second grant (TLC: 1,020,777 states, depth 50)', { MaxGrants: 2 }, [1_020_777, 510_393], 50, [
    'StaleReplicaDropped',
  ]),
  correct('lease-clone', 're-replication: one lost message, one clone', { MaxLoss: 1, MaxClones: 1 }, [258_875, 129_445], 40, [
    'MessageLost',
    'StaleReplicaDropped',
    'StaleReplicaCloned',
  ]),
  correct('lease-w2', 'two writes by one client', { W: 2 }, [1_855_871, 927_943], 50),
  correct('lease-c2', 'two clients', { C: 2 }, [3_327_111, 839_376], 49),
  correct('lease-crash-grants2', 'one crash and a second grant', { MaxCrashes: 1, MaxGrants: 2 }, [8_534_112, 4_267_080], 52, [
    'CrashRestarted',
    'StaleReplicaDropped',
    'InconsistentRegion',
  ]),
  mutant('noGraceAfterRestart', { MaxCrashes: 1, MaxGrants: 2 }, 'LeaseAgreement', 7),
  mutant('noGraceAfterRestart', { MaxCrashes: 1, MaxGrants: 2 }, 'SinglePrimary', 9, true),
  mutant('ignoreSkew', { MaxGrants: 2 }, 'LeaseAgreement', 9),
  mutant('ignoreSkew', { MaxGrants: 2 }, 'SinglePrimary', 11, true),
  mutant('expiryFromReceipt', { MaxGrants: 2 }, 'LeaseAgreement', 9),
  mutant('expiryFromReceipt', { MaxGrants: 2 }, 'SinglePrimary', 11, true),
  mutant('grantWhileLeased', { MaxGrants: 2 }, 'LeaseAgreement', 5),
  mutant('grantWhileLeased', { MaxGrants: 2 }, 'SinglePrimary', 7, true),
  mutant('arrivalOrder', { W: 2 }, 'MutationOrder', 20),
  mutant('ackBeforeReplicas', {}, 'AckedDurable', 12),
  mutant('noVersionBump', { MaxCrashes: 1 }, 'AckedDurable', 12),
  // Re-replication (the design page's extension). A replica outside mCurrent needs a lost
  // Bump or a crash; cloneDuringWrite also needs a third replica (the source must lag a write
  // that reached the primary and another secondary). A lost Bump shows it as well as the
  // crash the page names, with half the states; the crash configuration is in the deep suite.
  mutant('cloneWhileLeased', { MaxLoss: 1, MaxClones: 1 }, 'AckedDurable', 14),
  mutant('cloneDuringWrite', { N: 3, MaxLoss: 1, MaxClones: 1 }, 'AckedDurable', 23),
  mutant('cloneDuringWrite', { N: 3, MaxCrashes: 1, MaxClones: 1 }, 'AckedDurable', 23, false, '-crash'),
];

/** Mutant specs of the deep suite (too slow for the default one). */
const DEEP_MUTANTS = ['mutant-cloneDuringWrite-crash'];

const mutantSpecs = SPECS.filter((s) => s.variant !== null && !DEEP_MUTANTS.includes(s.name)).map((s) => s.name);

/** Larger than any exhaustive configuration: the mutants' campaigns. */
const FUZZ_BIG: ConstantValues = { N: 3, C: 2, W: 2, MaxGrants: 3, MaxCrashes: 1 };

/**
 * Fuzzing campaigns: the correct protocol on a configuration far beyond exhaustive search
 * (5 chunkservers, 3 clients with 3 writes each, 2 crashes, 2 losses, 2 retries, 3 grants),
 * and each mutant on a configuration larger than its BFS spec. Seeds are fixed, so runs are
 * deterministic; the lengths are pinned from runs (see specs/fuzz.test.ts).
 */
export const FUZZ: readonly FuzzEntry[] = [
  {
    name: 'fuzz-lease',
    spec: 'lease',
    set: { N: 5, C: 3, W: 3, MaxRetries: 2, MaxCrashes: 2, MaxLoss: 2, MaxGrants: 3, MaxClones: 2 },
    runs: 1500,
    depth: 200,
    seed: 1,
    expect: { kind: 'holds' },
  },
  ...(
    [
      ['noGraceAfterRestart', FUZZ_BIG, 'LeaseAgreement', 1],
      ['ignoreSkew', FUZZ_BIG, 'LeaseAgreement', 1],
      ['expiryFromReceipt', FUZZ_BIG, 'LeaseAgreement', 1],
      ['grantWhileLeased', FUZZ_BIG, 'LeaseAgreement', 1],
      // Seeds 1 to 7 all find these two; 5 gives the shortest minimised traces.
      ['arrivalOrder', FUZZ_BIG, 'MutationOrder', 5],
      ['ackBeforeReplicas', FUZZ_BIG, 'AckedDurable', 1],
      ['noVersionBump', { N: 3, C: 2, MaxGrants: 3, MaxCrashes: 2 }, 'AckedDurable', 5],
    ] as const
  ).map(([bug, set, invariant, seed]): FuzzEntry => ({
    name: `fuzz-${bug}`,
    spec: `mutant-${bug}`,
    set,
    runs: 20_000,
    depth: 150,
    seed,
    expect: { kind: 'violates', invariant },
  })),
];

/** The project's catalog: specs, suites and the GFS family. */
export const catalog: Catalog = {
  tool: 'leasecheck',
  specs: SPECS,
  suites: {
    default: [
      'lease',
      'lease-n1',
      'lease-n3',
      'lease-crash',
      'lease-persist',
      'lease-loss',
      'lease-retry',
      'lease-grants2',
      'lease-clone',
      ...mutantSpecs,
    ],
    deep: ['lease-w2', 'lease-c2', 'lease-crash-grants2', ...DEEP_MUTANTS],
    mutants: mutantSpecs,
    gallery: SPECS.filter((s) => s.variant !== null && s.invariants === null && !DEEP_MUTANTS.includes(s.name)).map((s) => s.name),
  },
  families: [gfsFamily],
  module: import.meta.url,
  fuzz: FUZZ,
  commands: [measureCommand, scenarioCommand],
};

/**
 * Builds a spec of one of the catalog's families: what a parallel-checking worker thread
 * calls (through a `SpecRef` naming this module) to get its own copy of a spec.
 */
export function buildSpec(family: string, values: ConstantValues, variant: string | null, sometimes: readonly string[]) {
  const f = catalog.families.find((x) => x.name === family);
  if (!f) throw new Error(`unknown family ${family}`);
  return f.build(values, variant, sometimes);
}
