/**
 * Fuzz power: for each mutant campaign, how many of the seeds 1..K (none chosen by hand)
 * find its bug within the campaign's own budget, with the median steps and seconds to the
 * first find and the median shrunk length against the BFS length of the campaign's spec.
 */
import type { Catalog } from './catalog.js';
import { fuzz, type Strategy } from '../fuzz/fuzz.js';
import { meets, planCampaign } from './campaign.js';

/** One seed of one campaign. */
export interface PowerSample {
  readonly campaign: string;
  readonly seed: number;
  readonly found: boolean;
  readonly strategy: string | null;
  readonly stepsToFind: number | null;
  readonly secondsToFind: number | null;
  readonly traceLength: number | null;
  readonly seconds: number;
}

/** One campaign's row of the power table. */
export interface PowerRow {
  readonly campaign: string;
  readonly invariant: string;
  readonly seeds: number;
  readonly found: number;
  readonly medianSteps: number | null;
  readonly medianSeconds: number | null;
  readonly medianLength: number | null;
  /** The pinned shortest counterexample of the campaign's BFS spec (a smaller configuration), if any. */
  readonly bfsLength: number | null;
  /** Seconds the row took, every seed's shrinking included. */
  readonly seconds: number;
  readonly samples: readonly PowerSample[];
}

/** The median of the numbers (the lower middle for an even count), or null for none. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** Overrides of the campaigns measured: another configuration or budget. */
export interface PowerOptions {
  /** More `--set`s (the campaigns keep their expectations). */
  readonly set?: readonly string[];
  /** Behaviours per seed instead of the campaign's. */
  readonly runs?: number;
  /** The strategy mix (default all), e.g. `['uniform']` for plain random walks. */
  readonly strategies?: readonly Strategy[];
}

/** Measures the power of the catalog's violating campaigns (or of `names`) over seeds 1..`seeds`. */
export function fuzzPower(
  catalog: Catalog,
  names: readonly string[] | null,
  seeds: number,
  onSample?: (s: PowerSample) => void,
  o: PowerOptions = {},
): PowerRow[] {
  const chosen = names ?? catalog.campaigns.filter((f) => f.expect.kind === 'violates').map((f) => f.name);
  const rows: PowerRow[] = [];
  for (const name of chosen) {
    const c = planCampaign(catalog, name, { set: o.set ?? [] });
    if (c.expect.kind !== 'violates') continue;
    const bfs = catalog.checks.find((s) => s.name === c.campaign.check)!.expect;
    const samples: PowerSample[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const r = fuzz(c.spec, { runs: o.runs ?? c.campaign.runs, depth: c.campaign.depth, seed, ...(o.strategies ? { strategies: o.strategies } : {}), ...(c.invariants ? { invariants: c.invariants } : {}) });
      const found = meets(c.expect, r);
      const s: PowerSample = {
        campaign: name,
        seed,
        found,
        strategy: r.strategy,
        stepsToFind: found ? r.stepsToFind : null,
        secondsToFind: found ? r.secondsToFind : null,
        traceLength: found ? r.traceLength : null,
        seconds: r.seconds,
      };
      samples.push(s);
      onSample?.(s);
    }
    const hits = samples.filter((s) => s.found);
    rows.push({
      campaign: name,
      invariant: c.expect.invariant,
      seeds,
      found: hits.length,
      medianSteps: median(hits.map((s) => s.stepsToFind!)),
      medianSeconds: median(hits.map((s) => s.secondsToFind!)),
      medianLength: median(hits.map((s) => s.traceLength!)),
      bfsLength: bfs.kind === 'violates' ? (bfs.traceLength ?? null) : null,
      seconds: samples.reduce((t, s) => t + s.seconds, 0),
      samples,
    });
  }
  return rows;
}

/** The power table as text. */
export function renderPower(rows: readonly PowerRow[]): string {
  const head = ['campaign', 'finds', 'median steps to find', 'median s to find', 'median shrunk / BFS length', 'seconds'];
  const body = rows.map((r) => [
    r.campaign,
    `${r.found}/${r.seeds}`,
    r.medianSteps === null ? '-' : r.medianSteps.toLocaleString('en-US'),
    r.medianSeconds === null ? '-' : r.medianSeconds.toFixed(3),
    `${r.medianLength ?? '-'} / ${r.bfsLength ?? '-'}`,
    r.seconds.toFixed(1),
  ]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
