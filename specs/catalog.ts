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
  impossibleActions(values) {
    // Guards of model/spec.ts: a crash needs `crashes < MaxCrashes` (a restart, a crashed
    // node), a loss `losses < MaxLoss`.
    return [...(values.MaxCrashes === 0 ? ['MCrash', 'MRestart', 'CCrash', 'CRestart'] : []), ...(values.MaxLoss === 0 ? ['Lose'] : [])];
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

/**
 * A liveness check of the correct protocol (symmetry off: liveness is refused under it):
 * `property` under `FairAll` alone or `FairAll /\ Timeouts` (model/liveness.ts), with its
 * verdict pinned from runs: `holds` (with the distinct-state count and depth), or the lasso's
 * prefix and cycle lengths in states. `why` is the one-line reason for the verdict.
 */
function live(
  config: 'base' | 'crash',
  property: string,
  timeouts: boolean,
  verdict: 'holds' | readonly [prefix: number, cycle: number],
  why: string,
): SpecEntry {
  const over: Partial<Constants> = config === 'crash' ? { MaxCrashes: 1 } : {};
  const [distinctStates, depth] = config === 'crash' ? [576_372, 40] : [69_057, 38];
  const fairness = timeouts ? ['FairAll', 'Timeouts'] : ['FairAll'];
  return {
    name: `live${config === 'crash' ? '-crash' : ''}-${property}${timeouts ? '-timeouts' : ''}`,
    description: `${property} under ${fairness.join(' /\\ ')}${config === 'crash' ? ', MaxCrashes=1' : ''}: ${why}`,
    family: gfsFamily,
    constants: { ...base, ...over },
    variant: null,
    invariants: null,
    expect: verdict === 'holds' ? { kind: 'holds', distinctStates, depth } : { kind: 'violates', invariant: property, lasso: verdict },
    sometimes: [],
    symmetry: false,
    liveness: { property, fairness },
  };
}

/** The liveness checks (issue #17): six properties, two fairness assumptions, two configurations. */
export const LIVENESS_SPECS: readonly SpecEntry[] = [
  // base: no crashes, no loss, no retries, one grant.
  live('base', 'Termination', false, [10, 3], 'the only grant (MaxGrants=1) reaches the chunkserver after its lease expired; the master answers a lookup only under a current lease, so without CTimeout the client waits in Lookup forever while clocks tick'),
  live('base', 'Termination', true, 'holds', 'a waiting client times out (CTimeout is fair) and, with no retries left, its write fails and it is finished'),
  live('base', 'AllAcked', false, [6, 6], 'a write may fail: the client may time out (CTimeout is possible, only not forced) and, with no retries, gives up; the lease is then extended forever'),
  live('base', 'AllAcked', true, [6, 6], 'the same lasso: fairness only adds obligations, and a write that failed is never acked'),
  live('base', 'SomePrimary', false, [10, 3], 'the only grant reaches its holder after the lease expired (exp 0), so it is never IsPrimary, and MaxGrants=1 allows no second grant'),
  live('base', 'SomePrimary', true, [11, 3], 'the same late grant; the client times out on the way (CTimeout(1) is now fair), one step more'),
  live('base', 'LookupAnswered', false, [10, 3], 'the same late, expired grant: the master answers lookups only under a current lease, and without CTimeout the client stays in Lookup'),
  live('base', 'LookupAnswered', true, 'holds', 'the waiting client times out, which leaves Lookup'),
  live('base', 'WriteAnswered', false, 'holds', 'without loss or crashes a WriteReq reaches a primary that applies it, and Apply, ApplyAck and WriteResp are delivered (receives are fair)'),
  live('base', 'WriteAnswered', true, 'holds', 'as under FairAll alone'),
  live('base', 'Failover', false, 'holds', 'vacuous here: with MaxCrashes=0 the lease holder is never down'),
  live('base', 'Failover', true, 'holds', 'vacuous here: with MaxCrashes=0 the lease holder is never down'),
  // MaxCrashes=1: the master or one chunkserver may crash once.
  live('crash', 'Termination', false, [10, 3], 'as in the base configuration: a late grant, a lookup unanswered forever'),
  live('crash', 'Termination', true, 'holds', 'the client times out whatever crashed, and a crashed node restarts (CRestart, MRestart are fair)'),
  live('crash', 'AllAcked', false, [6, 6], 'as in the base configuration: a write may fail'),
  live('crash', 'AllAcked', true, [6, 6], 'as in the base configuration'),
  live('crash', 'SomePrimary', false, [10, 3], 'as in the base configuration'),
  live('crash', 'SomePrimary', true, [11, 3], 'as in the base configuration'),
  live('crash', 'LookupAnswered', false, [10, 3], 'as in the base configuration'),
  live('crash', 'LookupAnswered', true, 'holds', 'the client times out'),
  live('crash', 'WriteAnswered', false, [20, 3], 'the primary crashes after taking the write and loses its pend entry; the ApplyAck then finds nothing to answer, and without CTimeout the client waits in Write forever'),
  live('crash', 'WriteAnswered', true, 'holds', 'the primary times out the entry or the client times out'),
  live('crash', 'Failover', false, [12, 3], 'the holder crashes before its (late) Grant arrives and restarts; the lease has expired and MaxGrants=1 allows no new one, and without CTimeout the client never finishes'),
  live('crash', 'Failover', true, 'holds', 'the waiting client times out and finishes, which meets the right side (every client finished)'),
];

/** Larger than any exhaustive configuration: the mutants' campaigns. */
const FUZZ_BIG: ConstantValues = { N: 3, C: 2, W: 2, MaxGrants: 3, MaxCrashes: 1 };

/**
 * Fuzzing campaigns: the correct protocol on a configuration far beyond exhaustive search
 * (5 chunkservers, 3 clients with 3 writes each, 2 crashes, 2 losses, 2 retries, 3 grants),
 * and each mutant on a configuration larger than its BFS spec. Every campaign runs with
 * seed 1, so runs are deterministic; the lengths are pinned from runs (see specs/fuzz.test.ts).
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
      ['noGraceAfterRestart', FUZZ_BIG, 'LeaseAgreement'],
      ['ignoreSkew', FUZZ_BIG, 'LeaseAgreement'],
      ['expiryFromReceipt', FUZZ_BIG, 'LeaseAgreement'],
      ['grantWhileLeased', FUZZ_BIG, 'LeaseAgreement'],
      ['arrivalOrder', FUZZ_BIG, 'MutationOrder'],
      ['ackBeforeReplicas', FUZZ_BIG, 'AckedDurable'],
      ['noVersionBump', { N: 3, C: 2, MaxGrants: 3, MaxCrashes: 2 }, 'AckedDurable'],
    ] as const
  ).map(([bug, set, invariant]): FuzzEntry => ({
    name: `fuzz-${bug}`,
    spec: `mutant-${bug}`,
    set,
    runs: 20_000,
    depth: 150,
    // Seed 1 for every campaign: none is tuned to its seed. `npm run fuzz:power` measures
    // how many of the seeds 1..20 find each bug within this budget (README, "Fuzz power").
    seed: 1,
    expect: { kind: 'violates', invariant },
  })),
];

/** The project's catalog: specs, suites and the GFS family. */
export const catalog: Catalog = {
  tool: 'leasecheck',
  specs: [...SPECS, ...LIVENESS_SPECS],
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
      // Two liveness checks, one of each verdict (about a second each); the rest: --suite liveness.
      'live-Termination',
      'live-Termination-timeouts',
    ],
    deep: ['lease-w2', 'lease-c2', 'lease-crash-grants2', ...DEEP_MUTANTS],
    mutants: mutantSpecs,
    // Every mutant's counterexample, and one liveness lasso.
    gallery: [...SPECS.filter((s) => s.variant !== null && s.invariants === null && !DEEP_MUTANTS.includes(s.name)).map((s) => s.name), 'live-Termination'],
    liveness: LIVENESS_SPECS.map((s) => s.name),
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
