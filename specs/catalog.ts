/**
 * The GFS lease checks: configurations of the model, the invariants checked, and the
 * expectation of each. Correct-protocol checks pin their exact distinct-state counts and
 * depths; mutant checks name the invariant that must catch them and the shortest
 * counterexample's length, in states. The numbers are the pinned facts of `specs/facts.ts`.
 */
import type { Campaign, Catalog, Check, ConstantValues, Expectation, Model } from '../checker/cli/catalog.js';
import { CAUGHT, FUZZED, HOLDS, LIVENESS, type CaughtCheck, type HoldsCheck, type LivenessCheckName } from './facts.js';
import { INVARIANT_NAMES, SOMETIMES_NAMES } from '../model/invariants.js';
import { gfsSpec } from '../model/spec.js';
import { gfsSchemaSpec } from '../model/schema/spec.js';
import { BASE_CONSTANTS, maxEntriesPerVersion, MUTANTS, type Constants, type Mutant } from '../model/state.js';

/** The GFS lease model: the design page's constants and its mutants. */
export const gfsModel: Model = {
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
  mutants: MUTANTS,
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
  build(values, mutant, sometimes) {
    const mutants = mutant === null ? [] : [mutant as Mutant];
    return gfsSpec({ ...(values as unknown as Constants), mutants }, { sometimes });
  },
};

/**
 * The same protocol on the state schema (`model/schema/`): role files over named fields and
 * typed messages, the encoding, JSON, ITF and symmetry derived by the engine. Its checks
 * (`schema-*`) have the packed model's pinned counts and lengths. No constant limits of its
 * own: field bounds come from the constants, and a value past one stops the check with the
 * schema's bound error naming the field.
 */
export const gfsSchemaModel: Model = {
  ...gfsModel,
  name: 'gfs-lease-schema',
  validate: () => null,
  build(values, mutant, sometimes) {
    const mutants = mutant === null ? [] : [mutant as Mutant];
    return gfsSchemaSpec({ ...(values as unknown as Constants), mutants }, { sometimes });
  },
};

const ALWAYS_SOMETIMES = ['LeaseGranted', 'LeaseExtended', 'WriteAcked', 'WriteFailed', 'AllWritesDone'];

const base = BASE_CONSTANTS as unknown as ConstantValues;

/** A correct-protocol check, expected to hold with its pinned counts. */
function correct(name: HoldsCheck, description: string, over: Partial<Constants>, extraSometimes: readonly string[] = []): Check {
  const { distinct: distinctStates, symmetric: symmetricStates, depth } = HOLDS[name];
  return {
    name,
    description,
    model: gfsModel,
    constants: { ...base, ...over },
    mutant: null,
    invariants: null,
    expect: { kind: 'holds', distinctStates, symmetricStates, depth },
    sometimes: [...ALWAYS_SOMETIMES, ...extraSometimes].filter((n) => (SOMETIMES_NAMES as readonly string[]).includes(n)),
    symmetry: true,
  };
}

/**
 * A mutant check, expected to be caught by its pinned invariant in its pinned number of
 * states; `alone` checks that invariant only.
 */
function mutant(bug: Mutant, over: Partial<Constants>, alone = false, suffix = ''): Check {
  const name = `mutant-${bug}${alone ? '-alone' : ''}${suffix}`;
  const { invariant, length: traceLength } = CAUGHT[name as CaughtCheck];
  const expect: Expectation = { kind: 'violates', invariant, traceLength };
  return {
    name,
    description: alone ? `${bug}, only ${invariant} checked` : `${bug}, all invariants checked${suffix ? ` (${suffix.slice(1)})` : ''}`,
    model: gfsModel,
    constants: { ...base, ...over },
    mutant: bug,
    invariants: alone ? [invariant] : null,
    expect,
    sometimes: [],
    symmetry: false,
  };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Every named safety check. Counts and lengths are the pinned facts (`specs/facts.ts`). */
export const SAFETY_CHECKS: readonly Check[] = [
  correct('lease', `the base configuration of the design page (TLC: ${fmt(HOLDS.lease.distinct)} states, depth ${HOLDS.lease.depth})`, {}),
  correct('lease-n1', 'one chunkserver', { N: 1 }),
  correct('lease-n3', 'three chunkservers', { N: 3 }),
  correct('lease-crash', 'one crash (master or chunkserver)', { MaxCrashes: 1 }, [
    'CrashRestarted',
    'StaleReplicaDropped',
    'InconsistentRegion',
  ]),
  correct('lease-persist', 'one crash, the master persists its lease table', { MaxCrashes: 1, PersistLease: true }, [
    'CrashRestarted',
    'StaleReplicaDropped',
  ]),
  correct('lease-loss', 'one lost message', { MaxLoss: 1 }, ['MessageLost', 'StaleReplicaDropped']),
  correct('lease-retry', 'one retry per write', { MaxRetries: 1 }, ['InconsistentRegion']),
  correct('lease-grants2', `a second grant (TLC: ${fmt(HOLDS['lease-grants2'].distinct)} states, depth ${HOLDS['lease-grants2'].depth})`, { MaxGrants: 2 }, [
    'StaleReplicaDropped',
  ]),
  correct('lease-clone', 're-replication: one lost message, one clone', { MaxLoss: 1, MaxClones: 1 }, [
    'MessageLost',
    'StaleReplicaDropped',
    'StaleReplicaCloned',
  ]),
  correct('lease-w2', 'two writes by one client', { W: 2 }),
  correct('lease-c2', 'two clients', { C: 2 }),
  correct('lease-crash-grants2', 'one crash and a second grant', { MaxCrashes: 1, MaxGrants: 2 }, [
    'CrashRestarted',
    'StaleReplicaDropped',
    'InconsistentRegion',
  ]),
  mutant('noGraceAfterRestart', { MaxCrashes: 1, MaxGrants: 2 }),
  mutant('noGraceAfterRestart', { MaxCrashes: 1, MaxGrants: 2 }, true),
  mutant('ignoreSkew', { MaxGrants: 2 }),
  mutant('ignoreSkew', { MaxGrants: 2 }, true),
  mutant('expiryFromReceipt', { MaxGrants: 2 }),
  mutant('expiryFromReceipt', { MaxGrants: 2 }, true),
  mutant('grantWhileLeased', { MaxGrants: 2 }),
  mutant('grantWhileLeased', { MaxGrants: 2 }, true),
  mutant('arrivalOrder', { W: 2 }),
  mutant('ackBeforeReplicas', {}),
  mutant('noVersionBump', { MaxCrashes: 1 }),
  // Re-replication (the design page's extension). A replica outside mCurrent needs a lost
  // Bump or a crash; cloneDuringWrite also needs a third replica (the source must lag a write
  // that reached the primary and another secondary). A lost Bump shows it as well as the
  // crash the page names, with half the states; the crash configuration is in the deep suite.
  mutant('cloneWhileLeased', { MaxLoss: 1, MaxClones: 1 }),
  mutant('cloneDuringWrite', { N: 3, MaxLoss: 1, MaxClones: 1 }),
  mutant('cloneDuringWrite', { N: 3, MaxCrashes: 1, MaxClones: 1 }, false, '-crash'),
];

/** Mutant checks of the deep suite (too slow for the default one). */
const DEEP_MUTANTS = ['mutant-cloneDuringWrite-crash'];

/** The deep suite's checks. */
const DEEP_NAMES = ['lease-w2', 'lease-c2', 'lease-crash-grants2', ...DEEP_MUTANTS];

const mutantChecks = SAFETY_CHECKS.filter((s) => s.mutant !== null && !DEEP_MUTANTS.includes(s.name)).map((s) => s.name);

/**
 * A liveness check of the correct protocol (symmetry off: liveness is refused under it):
 * `property` under `FairAll` alone or `FairAll /\ Timeouts` (model/liveness.ts), with its
 * pinned verdict (`specs/facts.ts`): `holds` (with the distinct-state count and depth of its
 * configuration), or the lasso's prefix and cycle lengths in states. `why` is the one-line
 * reason for the verdict.
 */
function live(config: 'base' | 'crash', property: string, timeouts: boolean, why: string): Check {
  const over: Partial<Constants> = config === 'crash' ? { MaxCrashes: 1 } : {};
  const { distinct: distinctStates, depth } = HOLDS[config === 'crash' ? 'lease-crash' : 'lease'];
  const fairness = timeouts ? ['FairAll', 'Timeouts'] : ['FairAll'];
  const name = `live${config === 'crash' ? '-crash' : ''}-${property}${timeouts ? '-timeouts' : ''}`;
  const verdict = LIVENESS[name as LivenessCheckName];
  return {
    name,
    description: `${property} under ${fairness.join(' /\\ ')}${config === 'crash' ? ', MaxCrashes=1' : ''}: ${why}`,
    model: gfsModel,
    constants: { ...base, ...over },
    mutant: null,
    invariants: null,
    expect: verdict === 'holds' ? { kind: 'holds', distinctStates, depth } : { kind: 'violates', invariant: property, lasso: verdict },
    sometimes: [],
    symmetry: false,
    liveness: { property, fairness },
  };
}

/** The liveness checks (issue #17): six properties, two fairness assumptions, two configurations. */
export const LIVENESS_CHECKS: readonly Check[] = [
  // base: no crashes, no loss, no retries, one grant.
  live('base', 'Termination', false, 'the only grant (MaxGrants=1) reaches the chunkserver after its lease expired; the master answers a lookup only under a current lease, so without CTimeout the client waits in Lookup forever while clocks tick'),
  live('base', 'Termination', true, 'a waiting client times out (CTimeout is fair) and, with no retries left, its write fails and it is finished'),
  live('base', 'AllAcked', false, 'a write may fail: the client may time out (CTimeout is possible, only not forced) and, with no retries, gives up; the lease is then extended forever'),
  live('base', 'AllAcked', true, 'the same lasso: fairness only adds obligations, and a write that failed is never acked'),
  live('base', 'SomePrimary', false, 'the only grant reaches its holder after the lease expired (exp 0), so it is never IsPrimary, and MaxGrants=1 allows no second grant'),
  live('base', 'SomePrimary', true, 'the same late grant; the client times out on the way (CTimeout(1) is now fair), one step more'),
  live('base', 'LookupAnswered', false, 'the same late, expired grant: the master answers lookups only under a current lease, and without CTimeout the client stays in Lookup'),
  live('base', 'LookupAnswered', true, 'the waiting client times out, which leaves Lookup'),
  live('base', 'WriteAnswered', false, 'without loss or crashes a WriteReq reaches a primary that applies it, and Apply, ApplyAck and WriteResp are delivered (receives are fair)'),
  live('base', 'WriteAnswered', true, 'as under FairAll alone'),
  live('base', 'Failover', false, 'vacuous here: with MaxCrashes=0 the lease holder is never down'),
  live('base', 'Failover', true, 'vacuous here: with MaxCrashes=0 the lease holder is never down'),
  // MaxCrashes=1: the master or one chunkserver may crash once.
  live('crash', 'Termination', false, 'as in the base configuration: a late grant, a lookup unanswered forever'),
  live('crash', 'Termination', true, 'the client times out whatever crashed, and a crashed node restarts (CRestart, MRestart are fair)'),
  live('crash', 'AllAcked', false, 'as in the base configuration: a write may fail'),
  live('crash', 'AllAcked', true, 'as in the base configuration'),
  live('crash', 'SomePrimary', false, 'as in the base configuration'),
  live('crash', 'SomePrimary', true, 'as in the base configuration'),
  live('crash', 'LookupAnswered', false, 'as in the base configuration'),
  live('crash', 'LookupAnswered', true, 'the client times out'),
  live('crash', 'WriteAnswered', false, 'the primary crashes after taking the write and loses its pend entry; the ApplyAck then finds nothing to answer, and without CTimeout the client waits in Write forever'),
  live('crash', 'WriteAnswered', true, 'the primary times out the entry or the client times out'),
  live('crash', 'Failover', false, 'the holder crashes before its (late) Grant arrives and restarts; the lease has expired and MaxGrants=1 allows no new one, and without CTimeout the client never finishes'),
  live('crash', 'Failover', true, 'the waiting client times out and finishes, which meets the right side (every client finished)'),
];

/**
 * Every check on the schema model, liveness included: `schema-` and the packed check's name, with its
 * constants, invariants and pinned expectation (the two models explore the same graph).
 */
export const SCHEMA_CHECKS: readonly Check[] = [...SAFETY_CHECKS, ...LIVENESS_CHECKS].map((c) => ({
  ...c,
  name: `schema-${c.name}`,
  description: `${c.description}; the schema model`,
  model: gfsSchemaModel,
}));

/** Larger than any exhaustive configuration: the mutants' campaigns. */
const FUZZ_BIG: ConstantValues = { N: 3, C: 2, W: 2, MaxGrants: 3, MaxCrashes: 1 };

/** What a campaign must find at its seed: the pinned fact's property, or nothing. */
const found = (name: keyof typeof FUZZED): Expectation => {
  const invariant = FUZZED[name].invariant;
  return invariant === null ? { kind: 'holds' } : { kind: 'violates', invariant };
};

/**
 * Fuzzing campaigns: the correct protocol on a configuration far beyond exhaustive search
 * (5 chunkservers, 3 clients with 3 writes each, 2 crashes, 2 losses, 2 retries, 3 grants),
 * and each mutant on a configuration larger than its BFS check. Every campaign runs with
 * seed 1, so runs are deterministic; what each finds, and the lengths, are pinned facts
 * (`specs/facts.ts`, checked by specs/fuzz.test.ts).
 */
export const CAMPAIGNS: readonly Campaign[] = [
  {
    name: 'fuzz-lease',
    check: 'lease',
    set: { N: 5, C: 3, W: 3, MaxRetries: 2, MaxCrashes: 2, MaxLoss: 2, MaxGrants: 3, MaxClones: 2 },
    runs: 1500,
    depth: 200,
    seed: 1,
    expect: found('fuzz-lease'),
  },
  ...(
    [
      ['noGraceAfterRestart', FUZZ_BIG],
      ['ignoreSkew', FUZZ_BIG],
      ['expiryFromReceipt', FUZZ_BIG],
      ['grantWhileLeased', FUZZ_BIG],
      ['arrivalOrder', FUZZ_BIG],
      ['ackBeforeReplicas', FUZZ_BIG],
      ['noVersionBump', { N: 3, C: 2, MaxGrants: 3, MaxCrashes: 2 }],
    ] as const
  ).map(([bug, set]): Campaign => ({
    name: `fuzz-${bug}`,
    check: `mutant-${bug}`,
    set,
    runs: 20_000,
    depth: 150,
    // Seed 1 for every campaign: none is tuned to its seed. `npm run fuzz:power` measures
    // how many of the seeds 1..20 find each bug within this budget (README, "Fuzz power").
    seed: 1,
    expect: found(`fuzz-${bug}`),
  })),
];

/** The project's catalog: checks, suites, the GFS model and campaigns. */
export const catalog: Catalog = {
  checks: [...SAFETY_CHECKS, ...LIVENESS_CHECKS, ...SCHEMA_CHECKS],
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
      ...mutantChecks,
      // Two liveness checks, one of each verdict (about a second each); the rest: --suite liveness.
      'live-Termination',
      'live-Termination-timeouts',
    ],
    deep: DEEP_NAMES,
    mutants: mutantChecks,
    // Every mutant's counterexample, and one liveness lasso.
    gallery: [...SAFETY_CHECKS.filter((s) => s.mutant !== null && s.invariants === null && !DEEP_MUTANTS.includes(s.name)).map((s) => s.name), 'live-Termination'],
    liveness: LIVENESS_CHECKS.map((s) => s.name),
    // The schema model on the default suite's safety checks and every liveness check.
    schema: SCHEMA_CHECKS.filter((c) => !DEEP_NAMES.includes(c.name.slice('schema-'.length))).map((c) => c.name),
  },
  models: [gfsModel, gfsSchemaModel],
  module: import.meta.url,
  campaigns: CAMPAIGNS,
};

/**
 * Builds a spec of one of the catalog's models: what a parallel-checking worker thread
 * calls (through a `SpecRef` naming this module) to get its own copy of a spec.
 */
export function buildSpec(model: string, values: ConstantValues, mutant: string | null, sometimes: readonly string[]) {
  const f = catalog.models.find((x) => x.name === model);
  if (!f) throw new Error(`unknown model ${model}`);
  return f.build(values, mutant, sometimes);
}
