/**
 * Scenario checks of the GFS lease model: behaviours the seed describes, as milestones that
 * some behaviour must pass through in order (see `checker/core/scenario.ts`).
 *
 * `seed-example` is the seed's worked example (its section 6; GFS paper §3.1 write flow, §4.5
 * stale replicas, §4.3 re-replication): the master makes S1 primary with S2 and S3 as
 * secondaries; the client pushes its data to all three; S1 assigns a serial number and
 * forwards; S2 applies, S3 times out; S1 reports failure; the client retries; S3 is marked
 * stale and later re-replicated. In the model the master marks S3 stale when it grants a new
 * lease while S3 is down (a stale replica is one that missed a version), and the retry can
 * only succeed after that (while the first lease is current, lookups still name S3): so the
 * milestones are: retry started, S3 stale, retry acknowledged, S3 re-replicated.
 *
 * Bounds: `N=3`, one crash (S3's: the only way for S3 to both miss the write and then be
 * marked stale, since a stale replica is one that missed a version, and `MGrant` leaves out a
 * replica that is down), one retry, two grants (the retry needs a new lease without S3:
 * while the first is current, lookups still name S3), one clone.
 *
 * The search is restricted by a state constraint to behaviours every witness has anyway, so
 * the shortest behaviour is the shortest of the whole model: with `MaxCrashes=1` and S3's
 * crash needed, nothing else crashes; and with `MaxGrants=2`, of which the recovery needs one,
 * the first lease (version 2) must go to S1.
 */
import { findScenario, findScenarioStaged, type Scenario, type ScenarioResult, type StagedResult } from '../checker/core/scenario.js';
import type { Spec } from '../checker/core/spec.js';
import { Msg, mType } from '../model/network.js';
import { gfsSpec, type GfsAction } from '../model/spec.js';
import {
  BASE_CONSTANTS,
  dataIndex,
  entryD,
  isPrimary,
  logOf,
  msgsOf,
  pendOf,
  pendWaiting,
  type Constants,
  type GfsState,
  type Params,
} from '../model/state.js';
import { f1, f2, f3 } from '../model/network.js';

/** The constants of `seed-example` (others as the base configuration). */
export const SEED_CONSTANTS: Constants = {
  ...BASE_CONSTANTS,
  N: 3,
  MaxCrashes: 1,
  MaxRetries: 1,
  MaxGrants: 2,
  MaxClones: 1,
};

const bit = (cs: number): number => 1 << (cs - 1);

/** The seed's example as milestones over the model's states (client 1's only write, `d = (1, 1)`). */
export function seedMilestones(p: Params): Scenario<GfsState>['milestones'] {
  const d = dataIndex(p, 1, 1);
  const all = bit(1) | bit(2) | bit(3);
  const inLog = (s: GfsState, cs: number): boolean => logOf(s, p, cs).some((e) => entryD(e) === d);
  const dBit = 1 << d;
  const failureInFlight = (s: GfsState): boolean =>
    msgsOf(s, p).some((m) => mType(m) === Msg.WriteResp && f1(m) === 1 && f2(m) === d && f3(m) === 0);
  return [
    {
      // 1. The master makes S1 primary, with S2 and S3 current secondaries of its version.
      name: 'S1PrimaryS2S3Secondaries',
      check: (s) =>
        isPrimary(s, p, 1) &&
        s[p.mLeaseHolder] === 1 &&
        s[p.mCurrent] === all &&
        s[p.ver + 2] === s[p.ver + 1] &&
        s[p.ver + 3] === s[p.ver + 1],
    },
    {
      // 2. The client has pushed its data to all three.
      name: 'DataPushedToAll',
      check: (s) => s[p.prim + 1] === 1 && s[p.pushed + 1] === all && (s[p.buf + 3]! & dBit) !== 0,
    },
    {
      // 3. S1 has assigned a serial number, applied, and forwarded to S2 and S3.
      name: 'S1Forwarded',
      check: (s) => inLog(s, 1) && pendOf(s, p, 1).some((e) => pendWaiting(e) === (bit(2) | bit(3))),
    },
    {
      // 4. S2 has applied the write; S3 is down without it.
      name: 'S2AppliedS3Down',
      check: (s) => inLog(s, 2) && !inLog(s, 3) && s[p.up + 3] === 0,
    },
    {
      // 5. S1 reports failure to the client (S3 timed out).
      name: 'S1ReportsFailure',
      check: failureInFlight,
    },
    {
      // 6. The client has received S1's failure report and retries, while S3 is still down.
      name: 'ClientRetries',
      check: (s) => s[p.tries + 1] === 1 && s[p.up + 3] === 0 && !failureInFlight(s),
    },
    {
      // 7. S3 is marked stale: out of the master's current replicas, behind its version.
      name: 'S3MarkedStale',
      check: (s) => (s[p.mCurrent]! & bit(3)) === 0 && s[p.ver + 3]! < s[p.mVersion]!,
    },
    {
      // 8. The retry is acknowledged, by the replicas without S3.
      name: 'RetryAcknowledged',
      check: (s) => (s[p.acked]! & dBit) !== 0 && (s[p.mCurrent]! & bit(3)) === 0,
    },
    {
      // 9. S3 is re-replicated: back in mCurrent, at the current version, holding the write.
      name: 'S3ReReplicated',
      check: (s) => (s[p.mCurrent]! & bit(3)) !== 0 && s[p.ver + 3] === s[p.mVersion] && inLog(s, 3),
    },
  ];
}

/** The `seed-example` spec: the model with the constraint of the module comment. */
export function seedSpec(): Spec<GfsState, GfsAction> & { readonly params: Params } {
  const spec = gfsSpec({ ...SEED_CONSTANTS, mutants: [] }, { name: 'seed-example' });
  const p = spec.params;
  return {
    ...spec,
    // Witnesses only: the one crash is S3's, and the first lease (version 2) is S1's.
    constraint: (s) => s[p.mUp] === 1 && s[p.up + 1] === 1 && s[p.up + 2] === 1 && !(s[p.mVersion] === 2 && s[p.mLeaseHolder] !== 1),
  };
}

/** The seed's example scenario. */
export function seedScenario(p: Params): Scenario<GfsState> {
  return { name: 'seed-example', milestones: seedMilestones(p) };
}

/** Finds the shortest behaviour of the seed's example. */
export function findSeedExample(options: Parameters<typeof findScenario>[2] = {}): ScenarioResult<GfsState> {
  const spec = seedSpec();
  return findScenario(spec, seedScenario(spec.params), options);
}

/** The seed's example found one milestone at a time (see {@link findScenarioStaged}). */
export function findSeedExampleStaged(options: Parameters<typeof findScenarioStaged>[2] = {}): StagedResult<GfsState> {
  const spec = seedSpec();
  return findScenarioStaged(spec, seedScenario(spec.params), options);
}
