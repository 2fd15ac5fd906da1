/**
 * The lease-length trade-off of the seed's section 5, measured exactly on the GFS lease model
 * (GFS paper §3.1: a lease of 60 s, extended on request; a new lease only after the old one
 * expired): a short lease costs the master extension requests, a long one lengthens the
 * recovery after the primary fails. Built on the generic `checker/core/measure.ts`.
 *
 * The configuration: `N=2 C=1 W=1`, `L` and `S` swept, no loss, no retries, no clones. Both
 * measures concern the lease, not the data flow, so a state constraint keeps the client from
 * writing: its one `LookupReq` stays in flight (a constraint drops `MLookup`'s answer), which
 * lets the master grant on demand whenever it may, and nothing else of the write path
 * happens. No guard of `MGrant`, `MExtend`, `CRequestExtend`, `CGrant` or `CExtended` reads
 * the write path, so this restriction changes neither measure.
 *
 * (a) Recovery (`MaxCrashes=1`, `MaxGrants=2`): a ghost observer starts when a chunkserver
 * that is `IsPrimary` crashes (the lease holder going down) and counts master ticks
 * (`Tick(M)` steps) until a new lease can be granted (`mUp`, `¬LeaseCurrent`,
 * `clock[M] >= mGrace`, a live replica in `mCurrent`): `grantable`; and until some
 * chunkserver is `IsPrimary` again: `newPrimary`. Time may pass without a client asking or a
 * message arriving, so in an asynchronous model the second is unbounded; it is measured under
 * urgency: once the holder is down, no clock ticks while a message can be received or
 * `MGrant` is enabled (messages in flight arrive, and the master grants as soon as it may,
 * before time passes; without it a `Grant` overtaking an earlier `Bump` to the same replica
 * is refused, and with `MaxGrants=2` no new primary would ever exist). The maximum over all
 * reachable states is the worst case over when the holder fails during the first lease (the
 * second grant is the recovery's) and the clocks' skew; an `ExtendReq` the holder sent just
 * before failing still arrives and is honoured. (Without urgency a late `ExtendReq` can
 * stretch `grantable` to `2L - 1`: found in runs of this model before urgency was added.) `newPrimary` is
 * capped at {@link cap} ticks: a value at the cap means no new primary within it (the new
 * holder's clock can run `S` ahead of the master's, and it needs `clock + S < exp`, so with
 * `L <= 2S` it may never believe in its lease). States past the end of a measured period are
 * not expanded (nothing after them can change the measure).
 *
 * (b) Master load (`MaxCrashes=0`, `MaxGrants=1`): a ghost observer counts, from the moment
 * a chunkserver becomes `IsPrimary` and while it stays so without a break, the master ticks and the `ExtendReq`
 * messages it sends (`CRequestExtend` steps), until {@link K} master ticks; the minimum of the
 * requests over the states that reach `K` ticks is the fewest requests that keep a primary
 * through `K` consecutive master ticks, in the best case for the primary (prompt messages,
 * favourable clocks). `K = 8`: longer than the longest swept lease, so that every `L` needs
 * an extension, and as small as that allows, since the ghost counters multiply the states
 * (with `K = 12` the load model of `L = 4, S = 1` already has 1.8 million states).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { measure, withGhost, type Extreme, type GhostState } from '../checker/core/measure.js';
import type { Spec } from '../checker/core/spec.js';
import type { Trace } from '../checker/core/trace.js';
import { grantEnabled } from '../model/master.js';
import { anyInFlight, Msg } from '../model/network.js';
import { gfsSpec, type GfsAction } from '../model/spec.js';
import { BASE_CONSTANTS, isPrimary, Phase, type Constants, type GfsState, type Params } from '../model/state.js';
import { toTraceFile } from '../checker/report/tracefile.js';

/** Master ticks a primary must stay primary through, for the master-load measure. */
export const K = 8;
/**
 * The cap of the `newPrimary` counter of a sweep point: above any finite answer (at most
 * about `2L + S`: a late extension of the failed holder's lease, then the skew margin).
 */
export const cap = (L: number, S: number): number => 2 * L + 2 * S + 4;

/** The swept values. */
export const LS = [1, 2, 3, 4, 5, 6] as const;
export const SS = [1, 2, 3] as const;

type G = GhostState<GfsState>;

/** The receive actions of the model that the constraint allows (`MLookup`'s answer is dropped by it). */
const RECEIVES = new Set(['MExtend', 'CGrant', 'CBump', 'CExtended', 'PWrite', 'SApply', 'PAck', 'CLearn', 'CResult']);

/** No client writes: the client is never in `Push`/`Write`, and no `LookupResp` is in flight. */
function noWrites(s: GfsState, p: Params): boolean {
  for (let c = 1; c <= p.C; c++) if (s[p.phase + c] === Phase.Push || s[p.phase + c] === Phase.Write) return false;
  return !anyInFlight(s, p, Msg.LookupResp);
}

/** Some chunkserver is `IsPrimary`. */
function anyPrimary(s: GfsState, p: Params): number {
  for (let cs = 1; cs <= p.N; cs++) if (isPrimary(s, p, cs)) return cs;
  return 0;
}

/** The master may grant a new lease now (every guard of `MGrant` but the `LookupReq`). */
function grantable(s: GfsState, p: Params): boolean {
  if (s[p.mUp] !== 1) return false;
  for (let h = 1; h <= p.N; h++) if (grantEnabled(s, p, h)) return true;
  return false;
}

/** The model of one sweep point. */
export function baseConfig(L: number, S: number, over: Partial<Constants>): Constants {
  return { ...BASE_CONSTANTS, L, S, ...over };
}

/**
 * The recovery model: ghost `[phase, grantable, newPrimary]`. Phase 0 before the holder
 * fails; 1 after it, until a new lease can be granted; 2 until a new primary exists; 3 after.
 */
export function recoverySpec(L: number, S: number): Spec<G, GfsAction> {
  const spec = gfsSpec({ ...baseConfig(L, S, { MaxCrashes: 1, MaxGrants: 2 }), mutants: [] }, { name: `recovery-L${L}-S${S}` });
  const p = spec.params;
  const CAP = cap(L, S);
  return withGhost(spec, {
    names: ['phase', 'grantableTicks', 'newPrimaryTicks'],
    init: () => [0, 0, 0],
    step: (b, a, t, g) => {
      let [ph, t1, t2] = g as [number, number, number];
      if (ph === 0) {
        if (a.name === 'CCrash' && isPrimary(b, p, a.node)) ph = 1;
        else return [0, 0, 0];
      } else if (a.name === 'Tick' && a.node === 0) {
        if (ph === 1) t1++;
        if (ph <= 2 && t2 < CAP) t2++;
      }
      if (ph === 1 && grantable(t, p)) ph = 2;
      if (ph === 2 && anyPrimary(t, p) !== 0) ph = 3;
      // A new primary can exist before the master's view says a lease may be granted only
      // under a bug; the phases still end in order.
      if (ph === 1 && anyPrimary(t, p) !== 0) ph = 3;
      return [ph, t1, t2];
    },
    allow: (_s, g, acts) => {
      // Measured states past the measure's end are not expanded: what follows cannot change it.
      if (g[0] === 3 || g[2] === CAP) return [];
      if (g[0] === 0) return acts;
      // Urgency once the holder is down: no clock ticks while a message can be received or
      // the master can grant.
      const urgent = acts.some((a) => a.name === 'MGrant' || RECEIVES.has(a.name));
      return urgent ? acts.filter((a) => a.name !== 'Tick') : acts;
    },
    // The one crash of a behaviour is the holder's: behaviours where something else crashed
    // never start the measure.
    // The second grant is the recovery's: a behaviour that spends it before the holder fails
    // is left out (with no grant left, no new primary could ever exist).
    constraint: (s, g) => noWrites(s, p) && (s[p.crashes] === 0 || g[0]! >= 1) && (g[0]! >= 1 || s[p.grants]! <= 1),
  });
}

/**
 * The master-load model: ghost `[primary, ticks, requests]` of the first unbroken period in
 * which a chunkserver is primary (from the moment it becomes primary, so every request it
 * sends in the period counts; `primary = -1` once the period ended short of K ticks).
 */
export function loadSpec(L: number, S: number, budget = K): Spec<G, GfsAction> {
  const spec = gfsSpec({ ...baseConfig(L, S, { MaxCrashes: 0, MaxGrants: 1 }), mutants: [] }, { name: `load-L${L}-S${S}` });
  const p = spec.params;
  return withGhost(spec, {
    names: ['primary', 'ticks', 'extendReqs'],
    init: () => [0, 0, 0],
    step: (_b, a, t, g) => {
      const [who, ticks, reqs] = g as [number, number, number];
      const now = anyPrimary(t, p);
      // The period ends when the primary stops being primary; a later return to primacy (a
      // late ExtendResp) would let requests sent before it count for nothing, so the
      // measure ends there (-1: not expanded further).
      if (who !== 0 && now !== who) return [-1, 0, 0];
      if (who === 0) return now === 0 ? [0, 0, 0] : [now, 0, 0];
      return [who, ticks + (a.name === 'Tick' && a.node === 0 ? 1 : 0), reqs + (a.name === 'CRequestExtend' ? 1 : 0)];
    },
    // A primary period that reached K ticks is measured and not expanded further.
    allow: (_s, g, acts) => (g[1] === K || g[0] === -1 ? [] : acts),
    // A primary can send requests without time passing (request, extension, request, ...), so
    // the requests are bounded by a budget (see measurePoint), which also keeps the space finite.
    constraint: (s, g) => noWrites(s, p) && g[2]! <= budget,
  });
}

/** One point of the sweep. */
export interface SweepPoint {
  readonly L: number;
  readonly S: number;
  /** Most master ticks until a new lease can be granted (null: not measured in time). */
  readonly grantable: number | null;
  /** Most master ticks until a new primary exists (at the cap: none within it). */
  readonly newPrimary: number | null;
  /** Fewest ExtendReq messages to stay primary through K master ticks (null: impossible or not measured). */
  readonly extendReqs: number | null;
  /** Whether a primary can stay primary through K master ticks at all. */
  readonly loadFeasible: boolean | null;
  readonly recoveryStates: number;
  /** States of the last load model run (the budget that found the minimum). */
  readonly loadStates: number;
  readonly seconds: number;
  /** Witnesses of the three numbers (absent where not measured). */
  readonly witnesses: { grantable?: Trace<G>; newPrimary?: Trace<G>; extendReqs?: Trace<G> };
}

/**
 * The state bound of one model of the sweep: a state count, not a time, so that the sweep's
 * output is the same on every machine (`npm run report` regenerates it byte for byte).
 */
export const MAX_STATES = 3_000_000;

/** Measures one point of the sweep; a model with more than `maxStates` states gives nulls. */
export function measurePoint(L: number, S: number, maxStates = MAX_STATES): SweepPoint {
  const t0 = Date.now();
  const CAP = cap(L, S);
  const rec = measure(recoverySpec(L, S), [
    { name: 'grantable', value: (x: G) => (x.g[0]! >= 2 ? x.g[1] : undefined) },
    { name: 'newPrimary', value: (x: G) => (x.g[0] === 3 || (x.g[0]! >= 1 && x.g[2] === CAP) ? x.g[2] : undefined) },
  ], { maxStates });
  // The fewest requests by iterative deepening on a request budget: with at most `b` requests
  // a period, the minimum found (if any) is the global one, since a period's request count
  // only grows along a behaviour (one lease: one period) and every behaviour with fewer
  // requests stays within the budget. Budgets 1, 2, 4, then K.
  let load = measure(loadSpec(L, S, 1), [{ name: 'extendReqs', value: (x: G) => (x.g[1] === K ? x.g[2] : undefined) }], { maxStates });
  let loadStates = load.distinctStates;
  for (const b of [2, 4, K]) {
    if (load.kind !== 'ok' || load.measures[0]!.min !== undefined) break;
    load = measure(loadSpec(L, S, b), [{ name: 'extendReqs', value: (x: G) => (x.g[1] === K ? x.g[2] : undefined) }], { maxStates });
    loadStates = load.distinctStates;
  }
  const ok = rec.kind === 'ok';
  const lok = load.kind === 'ok';
  const gr = rec.measures[0]!.max;
  const np = rec.measures[1]!.max;
  const ex = load.measures[0]!.min;
  const w = (e: Extreme<G> | undefined, valid: boolean): Trace<G> | undefined => (valid && e ? e.trace : undefined);
  return {
    L,
    S,
    grantable: ok && gr ? gr.value : null,
    newPrimary: ok && np ? np.value : null,
    extendReqs: lok && ex ? ex.value : null,
    loadFeasible: lok ? ex !== undefined : null,
    recoveryStates: rec.distinctStates,
    loadStates,
    seconds: (Date.now() - t0) / 1000,
    witnesses: {
      ...(w(gr, ok) ? { grantable: gr!.trace } : {}),
      ...(w(np, ok) ? { newPrimary: np!.trace } : {}),
      ...(w(ex, lok) ? { extendReqs: ex!.trace } : {}),
    },
  };
}

const cell = (v: number | null, capAt = Infinity): string => (v === null ? '-' : v >= capAt ? `> ${capAt - 1}` : String(v));

/** The sweep as a Markdown table. */
export function sweepTable(points: readonly SweepPoint[]): string {
  const lines = [
    `| L | S | most ticks until a lease can be granted | most ticks until a new primary | fewest ExtendReq per ${K} ticks as primary | states (recovery / load) |`,
    '|---|---|---|---|---|---|',
  ];
  for (const q of points) {
    const load = q.loadFeasible === false ? 'impossible' : cell(q.extendReqs);
    lines.push(`| ${q.L} | ${q.S} | ${cell(q.grantable)} | ${cell(q.newPrimary, cap(q.L, q.S))} | ${load} | ${q.recoveryStates.toLocaleString('en-US')} / ${q.loadStates.toLocaleString('en-US')} |`);
  }
  return lines.join('\n') + '\n';
}

/**
 * The vega-lite plot: both measures against L, one line per S, one panel per measure. Lines
 * of different S that coincide would hide each other, so each S is drawn a little to the side
 * (x = L + 0.08 (S - 2)), with its own dash pattern.
 */
export function plotSpec(points: readonly SweepPoint[]): TopLevelSpec {
  const values: { L: number; x: number; S: string; measure: string; value: number }[] = [];
  for (const q of points) {
    const S = `S = ${q.S}`;
    const at = { L: q.L, x: q.L + 0.08 * (q.S - 2), S };
    if (q.grantable !== null) values.push({ ...at, measure: 'recovery: most master ticks until a new lease can be granted', value: q.grantable });
    if (q.newPrimary !== null && q.newPrimary < cap(q.L, q.S)) {
      values.push({ ...at, measure: 'recovery: most master ticks until a new primary (none shown: not guaranteed, L < 2S)', value: q.newPrimary });
    }
    if (q.extendReqs !== null) values.push({ ...at, measure: `master load: fewest ExtendReq per ${K} master ticks as primary (none at L = 1)`, value: q.extendReqs });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    facet: { row: { field: 'measure', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top' } } },
    spec: {
      width: 420,
      height: 150,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'lease duration L (ticks)', scale: { domain: [0.8, 6.2] }, axis: { values: [1, 2, 3, 4, 5, 6] } },
        y: { field: 'value', type: 'quantitative', title: null, axis: { tickMinStep: 1 } },
        color: { field: 'S', type: 'nominal', title: 'clock skew bound' },
        strokeDash: { field: 'S', type: 'nominal', title: 'clock skew bound' },
      },
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif' },
  };
}

/** Renders the plot to SVG with vega's headless renderer (no browser, no network). */
export async function plotSvg(points: readonly SweepPoint[]): Promise<string> {
  const view = new vega.View(vega.parse(compile(plotSpec(points)).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg + '\n';
}

/** Writes `table.md`, `tradeoff.svg`, `points.json` and the three witness traces under `dir`. */
export async function writeSweep(dir: string, points: readonly SweepPoint[], witnessAt: { L: number; S: number }): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, text: string): void => {
    writeFileSync(join(dir, name), text);
    files.push(join(dir, name));
  };
  put('table.md', sweepTable(points));
  put('tradeoff.svg', await plotSvg(points));
  put('points.json', JSON.stringify(points.map(({ witnesses: _, seconds: __, ...q }) => q), null, 1) + '\n');
  const at = points.find((q) => q.L === witnessAt.L && q.S === witnessAt.S);
  if (at) {
    for (const [name, trace] of Object.entries(at.witnesses)) {
      const constants = witnessConstants(name, at.L, at.S);
      // The plain model's states and steps: `leasecheck replay` re-executes them (the urgency
      // and the constraint only restrict the model, so every step is one of its steps); the
      // ghost's value is in `result` and in the last state's `ghost` of `measure --json`.
      const plain = gfsSpec({ ...constants, mutants: [] });
      const value = (at as unknown as Record<string, number>)[name];
      const file = toTraceFile(
        plain,
        {
          spec: `measure-${name}-L${at.L}-S${at.S}`,
          model: 'gfs-lease',
          constants: constants as unknown as Record<string, number | boolean>,
          mutant: null,
          symmetry: false,
          invariant: null,
          kind: null,
          result: `witness: ${name} = ${value} (ghost ${JSON.stringify(trace!.states.at(-1)!.g)})`,
        },
        { states: trace!.states.map((x) => x.s), actions: trace!.actions },
      );
      put(`witness-${name}.json`, JSON.stringify(file, null, 1) + '\n');
    }
  }
  return files;
}

/** The constants of the model a measure's witness belongs to. */
export function witnessConstants(name: string, L: number, S: number): Constants {
  return baseConfig(L, S, name === 'extendReqs' ? { MaxCrashes: 0, MaxGrants: 1 } : { MaxCrashes: 1, MaxGrants: 2 });
}
