/**
 * A catalog's fuzzing campaign resolved to what {@link fuzz} runs: the built spec, the
 * invariants, the budget and the expectation. Shared by fuzz power and swarm shards.
 */
import type { AnySpec, Campaign, Catalog, ConstantValues, Expectation } from './catalog.js';
import { listOf, UsageError } from './errors.js';
import { planCheck } from './plan.js';

/** A campaign ready to run. */
export interface PlannedCampaign {
  readonly name: string;
  readonly campaign: Campaign;
  readonly spec: AnySpec;
  readonly model: string;
  readonly constants: ConstantValues;
  readonly mutant: string | null;
  readonly invariants: readonly string[] | null;
  readonly expect: Expectation;
}

/** Overrides of a campaign: more `--set`s, another mutant, other invariants. */
export interface CampaignOverrides {
  readonly set?: readonly string[];
  readonly mutant?: string;
  readonly invariants?: readonly string[];
}

/**
 * Resolves campaign `name` of `catalog`; an unknown name is a {@link UsageError}. Under
 * `set` alone the campaign keeps its expectation (the same bug on a larger configuration
 * must still be caught by the same invariant); another mutant or other invariants make
 * the run ad hoc, expected to hold.
 */
export function planCampaign(catalog: Catalog, name: string, o: CampaignOverrides = {}): PlannedCampaign {
  const campaign = catalog.campaigns.find((f) => f.name === name);
  if (!campaign) throw new UsageError(`unknown campaign '${name}'; campaigns: ${listOf(catalog.campaigns.map((f) => f.name))}.`);
  const check = catalog.checks.find((s) => s.name === campaign.check);
  if (!check) throw new UsageError(`campaign '${name}' names spec '${campaign.check}', which the catalog does not have.`);
  const set = [...Object.entries(campaign.set).map(([k, v]) => `${k}=${v}`), ...(o.set ?? [])];
  const planned = planCheck(check, { set, mutant: o.mutant, invariants: o.invariants ?? [] }, catalog.module);
  const adHoc = o.mutant !== undefined || (o.invariants ?? []).length > 0;
  return {
    name,
    campaign,
    spec: planned.spec,
    model: check.model.name,
    constants: planned.constants,
    mutant: planned.mutant,
    invariants: planned.invariants,
    expect: adHoc ? planned.expect : campaign.expect,
  };
}

/** Whether a result meets a campaign's expectation. */
export function meets(expect: Expectation, r: { result: string; invariant: string | null }): boolean {
  if (expect.kind === 'holds') return r.result === 'ok';
  // The fuzzer looks for invariant violations; a deadlock expectation is not one it can meet.
  return expect.kind === 'violates' && r.result === 'violation' && r.invariant === expect.invariant;
}
