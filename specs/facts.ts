/**
 * The pinned facts of the GFS lease checks, in one table: every number here comes from a run
 * (equal to TLC's where TLC was run on an independent encoding), and a change to one is a
 * finding to explain, never a number to update by hand. The catalog (`specs/catalog.ts`,
 * hence `check`'s expectations and `list`), the tests (`model/model.test.ts`,
 * `specs/fuzz.test.ts`) and the README's tables (checked by `specs/facts.test.ts`) read it.
 */

/** A correct-protocol check: distinct states without and with symmetry, depth (in states), and where recorded the generated states (TLC's second count). */
export interface HoldsFact {
  readonly distinct: number;
  readonly symmetric: number;
  readonly depth: number;
  readonly generated?: number;
}

/** A mutant check: the property that catches it first, and its shortest counterexample's length in states. */
export interface CaughtFact {
  readonly invariant: string;
  readonly length: number;
}

/** A liveness check's verdict: `holds`, or the lasso counterexample's prefix and cycle lengths in states. */
export type LivenessFact = 'holds' | readonly [prefix: number, cycle: number];

/** A fuzzing campaign at its seed: the property it finds (null: none), the shrunk length and the first failing behaviour's length, in states. */
export interface FuzzFact {
  readonly invariant: string | null;
  readonly length: number | null;
  readonly first: number | null;
}

/** Correct-protocol checks (symmetry off / on). */
export const HOLDS = {
  lease: { distinct: 69_057, symmetric: 34_533, depth: 38, generated: 397_825 },
  'lease-n1': { distinct: 3_155, symmetric: 3_155, depth: 31 },
  'lease-n3': { distinct: 1_264_479, symmetric: 228_019, depth: 45 },
  'lease-crash': { distinct: 576_372, symmetric: 288_210, depth: 40 },
  'lease-persist': { distinct: 463_473, symmetric: 231_750, depth: 40 },
  'lease-loss': { distinct: 256_943, symmetric: 128_479, depth: 40 },
  'lease-retry': { distinct: 1_275_647, symmetric: 637_831, depth: 49 },
  'lease-grants2': { distinct: 1_020_777, symmetric: 510_393, depth: 50, generated: 6_481_193 },
  'lease-clone': { distinct: 258_875, symmetric: 129_445, depth: 40 },
  'lease-w2': { distinct: 1_855_871, symmetric: 927_943, depth: 50 },
  'lease-c2': { distinct: 3_327_111, symmetric: 839_376, depth: 49 },
  'lease-crash-grants2': { distinct: 8_534_112, symmetric: 4_267_080, depth: 52 },
} as const satisfies Readonly<Record<string, HoldsFact>>;

/**
 * Mutant checks. Each of the four lease bugs has two: with all invariants checked
 * `LeaseAgreement` catches it first; checked alone (`-alone`), `SinglePrimary` catches it
 * two steps later.
 */
export const CAUGHT = {
  'mutant-noGraceAfterRestart': { invariant: 'LeaseAgreement', length: 7 },
  'mutant-noGraceAfterRestart-alone': { invariant: 'SinglePrimary', length: 9 },
  'mutant-ignoreSkew': { invariant: 'LeaseAgreement', length: 9 },
  'mutant-ignoreSkew-alone': { invariant: 'SinglePrimary', length: 11 },
  'mutant-expiryFromReceipt': { invariant: 'LeaseAgreement', length: 9 },
  'mutant-expiryFromReceipt-alone': { invariant: 'SinglePrimary', length: 11 },
  'mutant-grantWhileLeased': { invariant: 'LeaseAgreement', length: 5 },
  'mutant-grantWhileLeased-alone': { invariant: 'SinglePrimary', length: 7 },
  'mutant-arrivalOrder': { invariant: 'MutationOrder', length: 20 },
  'mutant-ackBeforeReplicas': { invariant: 'AckedDurable', length: 12 },
  'mutant-noVersionBump': { invariant: 'AckedDurable', length: 12 },
  'mutant-cloneWhileLeased': { invariant: 'AckedDurable', length: 14 },
  'mutant-cloneDuringWrite': { invariant: 'AckedDurable', length: 23 },
  'mutant-cloneDuringWrite-crash': { invariant: 'AckedDurable', length: 23 },
} as const satisfies Readonly<Record<string, CaughtFact>>;

/**
 * Liveness checks: six properties under `FairAll` alone or `FairAll /\ Timeouts`, on the base
 * configuration and with `MaxCrashes=1` (a check that holds has the counts of `lease` or
 * `lease-crash`).
 */
export const LIVENESS = {
  'live-Termination': [10, 3],
  'live-Termination-timeouts': 'holds',
  'live-AllAcked': [6, 6],
  'live-AllAcked-timeouts': [6, 6],
  'live-SomePrimary': [10, 3],
  'live-SomePrimary-timeouts': [11, 3],
  'live-LookupAnswered': [10, 3],
  'live-LookupAnswered-timeouts': 'holds',
  'live-WriteAnswered': 'holds',
  'live-WriteAnswered-timeouts': 'holds',
  'live-Failover': 'holds',
  'live-Failover-timeouts': 'holds',
  'live-crash-Termination': [10, 3],
  'live-crash-Termination-timeouts': 'holds',
  'live-crash-AllAcked': [6, 6],
  'live-crash-AllAcked-timeouts': [6, 6],
  'live-crash-SomePrimary': [10, 3],
  'live-crash-SomePrimary-timeouts': [11, 3],
  'live-crash-LookupAnswered': [10, 3],
  'live-crash-LookupAnswered-timeouts': 'holds',
  'live-crash-WriteAnswered': [20, 3],
  'live-crash-WriteAnswered-timeouts': 'holds',
  'live-crash-Failover': [12, 3],
  'live-crash-Failover-timeouts': 'holds',
} as const satisfies Readonly<Record<string, LivenessFact>>;

/** Fuzzing campaigns, each at seed 1 (none is tuned to its seed). */
export const FUZZED = {
  'fuzz-lease': { invariant: null, length: null, first: null },
  'fuzz-noGraceAfterRestart': { invariant: 'LeaseAgreement', length: 7, first: 11 },
  'fuzz-ignoreSkew': { invariant: 'LeaseAgreement', length: 10, first: 24 },
  'fuzz-expiryFromReceipt': { invariant: 'LeaseAgreement', length: 10, first: 33 },
  'fuzz-grantWhileLeased': { invariant: 'LeaseAgreement', length: 6, first: 19 },
  'fuzz-arrivalOrder': { invariant: 'MutationOrder', length: 21, first: 52 },
  'fuzz-ackBeforeReplicas': { invariant: 'AckedDurable', length: 14, first: 45 },
  'fuzz-noVersionBump': { invariant: 'AckedDurable', length: 16, first: 86 },
} as const satisfies Readonly<Record<string, FuzzFact>>;

/** A check that holds, by name. */
export type HoldsCheck = keyof typeof HOLDS;
/** A mutant check, by name. */
export type CaughtCheck = keyof typeof CAUGHT;
/** A liveness check, by name. */
export type LivenessCheckName = keyof typeof LIVENESS;
