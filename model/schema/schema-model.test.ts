/**
 * The GFS model on the schema against the packed model's pinned facts (`specs/facts.ts`):
 * the same distinct states and depth with symmetry off and on, the same first invariant and
 * counterexample length for every mutant, on one worker and on two.
 */
import { describe, expect, it } from 'vitest';
import { check, checkLiveness } from '../../checker/core/index.js';
import type { Spec, StepInfo } from '../../checker/core/spec.js';
import { checkParallel } from '../../checker/parallel/index.js';
import { violationLines, violationReads, valueAt } from '../../checker/report/report.js';
import { describeTrace } from '../../checker/report/sequence.js';
import { describeOverlap, traceTimeline } from '../../checker/report/timeline.js';
import { SCHEMA_CHECKS } from '../../specs/catalog.js';
import { HOLDS, LIVENESS } from '../../specs/facts.js';
import { gfsSpec } from '../spec.js';
import { BASE_CONSTANTS, type Constants, type Mutant } from '../state.js';
import { gfsSchemaSpec } from './spec.js';

const fmt = (n: number): string => n.toLocaleString('en-US');
/** The schema checks run here (about 15 s together); the larger ones run in `npm run check -- --suite schema`. */
const HERE = ['lease', 'lease-n1', 'lease-loss', 'lease-clone', 'mutant-noGraceAfterRestart', 'mutant-noGraceAfterRestart-alone', 'mutant-ignoreSkew',
  'mutant-ignoreSkew-alone', 'mutant-expiryFromReceipt', 'mutant-expiryFromReceipt-alone', 'mutant-grantWhileLeased', 'mutant-grantWhileLeased-alone',
  'mutant-arrivalOrder', 'mutant-ackBeforeReplicas', 'mutant-noVersionBump', 'mutant-cloneWhileLeased'];

const build = (c: (typeof SCHEMA_CHECKS)[number]) => {
  const spec = gfsSchemaSpec({ ...(c.constants as unknown as Constants), mutants: c.mutant ? [c.mutant as Mutant] : [] });
  return c.invariants ? { ...spec, invariants: spec.invariants!.filter((p) => c.invariants!.includes(p.name)) } : spec;
};

describe('the schema model has the packed model\'s pinned facts', () => {
  for (const name of HERE) {
    const c = SCHEMA_CHECKS.find((x) => x.name === `schema-${name}`)!;
    const e = c.expect;
    const want = e.kind === 'holds' ? `${fmt(e.distinctStates!)} states (${fmt(e.symmetricStates!)} with symmetry), depth ${e.depth}` : e.kind === 'violates' ? `${e.invariant} in ${e.traceLength} states` : 'a deadlock';
    it(`${c.name}: ${want}`, () => {
      const spec = build(c);
      const r = check(spec, { symmetry: false });
      if (e.kind === 'holds') {
        expect([r.kind, r.stats.distinctStates, r.stats.depth]).toEqual(['ok', e.distinctStates, e.depth]);
        const s = check(spec, { symmetry: true });
        expect([s.kind, s.stats.distinctStates, s.stats.depth]).toEqual(['ok', e.symmetricStates, e.depth]);
      } else {
        expect([e.kind, r.kind]).toEqual(['violates', 'violation']);
        if (r.kind !== 'violation' || e.kind !== 'violates') return;
        expect([r.violations[0]!.property, r.violations[0]!.trace.states.length]).toEqual([e.invariant, e.traceLength]);
      }
    });
  }

  it(`base configuration: ${fmt(HOLDS.lease.generated)} generated states, as TLC and the packed model`, () => {
    const r = check(gfsSchemaSpec({ ...BASE_CONSTANTS, mutants: [] }), { symmetry: false });
    expect(r.stats.generatedStates).toBe(HOLDS.lease.generated);
  });

  it('two workers: the base configuration\'s counts and a mutant\'s counterexample length', async () => {
    const ref = (mutant: Mutant | null, over: Partial<Constants> = {}) => ({
      module: new URL('../../specs/catalog.ts', import.meta.url).href,
      export: 'buildSpec',
      args: ['gfs-lease-schema', { ...BASE_CONSTANTS, ...over }, mutant, []],
    });
    const base = HOLDS.lease;
    const r = await checkParallel(ref(null), gfsSchemaSpec({ ...BASE_CONSTANTS, mutants: [] }), 2, { symmetry: false });
    expect([r.kind, r.stats.distinctStates, r.stats.generatedStates, r.stats.depth]).toEqual(['ok', base.distinct, base.generated, base.depth]);
    const m = await checkParallel(ref('ackBeforeReplicas'), gfsSchemaSpec({ ...BASE_CONSTANTS, mutants: ['ackBeforeReplicas'] }), 2, { symmetry: false, soloBelow: 0 });
    expect(m.kind).toBe('violation');
    if (m.kind === 'violation') expect([m.violations[0]!.property, m.violations[0]!.trace.states.length]).toEqual(['AckedDurable', 12]);
  });
});

describe('swimlane hooks', () => {
  it('name the acting node and match each message at its send and its receipt', () => {
    const spec = gfsSchemaSpec({ ...BASE_CONSTANTS, mutants: ['ackBeforeReplicas'] });
    const r = check(spec, { symmetry: false });
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation') return;
    const { states, actions } = r.violations[0]!.trace;
    const steps = actions.map((a, i) => spec.describeStep!(states[i]!, a, states[i + 1]!));
    expect(spec.nodes).toEqual(['M', 'cs0', 'cs1', 'c0']);
    const lookup = actions.findIndex((a) => a.name === 'CLookup');
    expect([steps[lookup]!.node, steps[lookup]!.sent.map((m) => [m.label, m.from, m.to])]).toEqual(['c0', [['LookupReq{c: c0}', 'c0', 'M']]]);
    // Every received message was sent earlier in the trace, with the same identity.
    const sentIds = new Set<string>();
    for (const s of steps) {
      if (s.received) expect(sentIds.has(s.received.id)).toBe(true);
      for (const m of s.sent) sentIds.add(m.id);
    }
    expect(steps.filter((s) => s.received).length).toBeGreaterThan(3);
    expect(steps.at(-1)!.events).toContain('write acknowledged');
  });

  /** A step as a line: the acting node, the messages sent, received and lost (label and ends), the events. */
  const line = (s: StepInfo): string =>
    [s.node, ...s.sent.map((m) => `sent ${m.label} ${m.from}->${m.to}`), s.received ? `received ${s.received.label} ${s.received.from}->${s.received.to}` : '', ...(s.lost ?? []).map((m) => `lost ${m.label}`), ...s.events].join(' | ');
  /**
   * A packed model's line as the schema model writes it: nodes numbered from 0, a data item as
   * `(c0, 1)`, a set of chunkservers by name. (The schema's `Apply` and `ApplyAck` also name
   * their sender, `from`, which the packed labels leave out.)
   */
  const asSchema = (l: string): string =>
    l
      .replace(/\b(cs|c)(\d+)\b/g, (_, k: string, n: string) => `${k}${Number(n) - 1}`)
      .replace(/\((\d+),(\d+)\)/g, (_, c: string, k: string) => `(c${Number(c) - 1}, ${k})`)
      .replace(/secs: \{([\d, ]*)\}/g, (_, xs: string) => `secs: {${xs.split(/[ ,]+/).filter(Boolean).map((x) => `cs${Number(x) - 1}`).join(', ')}}`);
  const MUTANTS = ['mutant-ackBeforeReplicas', 'mutant-grantWhileLeased', 'mutant-arrivalOrder', 'mutant-noVersionBump', 'mutant-cloneWhileLeased', 'mutant-noGraceAfterRestart', 'mutant-expiryFromReceipt'];
  it(`describe every step of ${MUTANTS.length} mutants' counterexamples as the packed model does`, () => {
    for (const name of MUTANTS) {
      const c = SCHEMA_CHECKS.find((x) => x.name === `schema-${name}`)!;
      const packedSpec = gfsSpec({ ...(c.constants as unknown as Constants), mutants: [c.mutant as Mutant] });
      const lines = [c.invariants ? { ...packedSpec, invariants: packedSpec.invariants!.filter((p) => c.invariants!.includes(p.name)) } : packedSpec, build(c)].map((spec: Spec<any, any>) => {
        const r = check(spec, { symmetry: false });
        if (r.kind !== 'violation') throw new Error(`${name}: ${r.kind}`);
        return describeTrace(spec, r.violations[0]!.trace).map(line);
      });
      expect(lines[1]!.map((l) => l.replace(/(Apply(?:Ack)?\{to: cs\d+, )from: cs\d+, /g, '$1')), name).toEqual(lines[0]!.map(asSchema));
    }
  });
});

describe('report hooks, as the packed model\'s', () => {
  /** The packed model's names in the schema model's numbering (its nodes count from 1, the schema's from 0). */
  const renumber = (line: string): string => line.replace(/\b(cs|c)(\d+)\b/g, (_, k: string, n: string) => `${k}${Number(n) - 1}`);
  /** What a report shows of a check's first counterexample: the lease timeline's sentence per state, the lines about the violation, what the property reads. */
  const shown = (spec: Spec<any, any>) => {
    const r = check(spec, { symmetry: false });
    if (r.kind !== 'violation') throw new Error(`${spec.name}: ${r.kind}`);
    const { property, trace } = r.violations[0]!;
    const last = trace.states.at(-1)!;
    return {
      timeline: traceTimeline(spec, trace)!.map(describeOverlap),
      lines: violationLines(spec, property, last),
      reads: violationReads(spec, property, last).map((p) => valueAt(spec.toJSON!(last), p)),
    };
  };
  for (const name of ['mutant-ignoreSkew-alone', 'mutant-grantWhileLeased', 'mutant-grantWhileLeased-alone']) {
    it(`${name}: the same lease timeline at every state, and the same lines about the violation`, () => {
      const c = SCHEMA_CHECKS.find((x) => x.name === `schema-${name}`)!;
      const packedSpec = gfsSpec({ ...(c.constants as unknown as Constants), mutants: [c.mutant as Mutant] });
      const packed = shown(c.invariants ? { ...packedSpec, invariants: packedSpec.invariants!.filter((p) => c.invariants!.includes(p.name)) } : packedSpec);
      const schema = shown(build(c));
      expect(schema.timeline).toEqual(packed.timeline.map(renumber));
      expect(schema.timeline.at(-1)).toMatch(/^cs0 and cs1 at once: /);
      expect(schema.lines).toEqual(packed.lines.map(renumber));
      expect([schema.reads.length, schema.reads.filter((v) => v === undefined).length]).toEqual([packed.reads.length, 0]);
    });
  }

  it('every path of the state tables and of every property\'s reads is in the JSON view', () => {
    const spec = gfsSchemaSpec({ ...BASE_CONSTANTS, C: 2, mutants: [] });
    const view = spec.toJSON!(spec.initStates()[0]!);
    const paths = [...spec.stateTables!.flatMap((t) => t.fields.map((f) => f.path)), ...spec.invariants!.flatMap((p) => spec.propertyReads!(p.name, spec.initStates()[0]!))];
    expect(paths.filter((p) => valueAt(view, p) === undefined)).toEqual([]);
    expect(spec.stateTables!.map((t) => t.node)).toEqual(['M', 'cs0', 'cs1', 'c0', 'c1', 'network']);
  });
});

describe('liveness, as the packed model', () => {
  const [prefix, cycle] = LIVENESS['live-Termination'] as readonly [number, number];
  it(`Termination under FairAll: a lasso of ${prefix} + ${cycle} states; under FairAll /\\ Timeouts it holds`, () => {
    const spec = gfsSchemaSpec({ ...BASE_CONSTANTS, mutants: [] });
    const r = checkLiveness(spec, { property: 'Termination', fairness: ['FairAll'], symmetry: false });
    expect(r.kind).toBe('violation');
    if (r.kind === 'violation') {
      const t = r.violations[0]!.trace;
      expect([t.loopStart, t.states.length - t.loopStart! - 1]).toEqual([prefix, cycle]);
    }
    expect(LIVENESS['live-Termination-timeouts']).toBe('holds');
    const h = checkLiveness(spec, { property: 'Termination', fairness: ['FairAll', 'Timeouts'], symmetry: false });
    expect([h.kind, h.stats.distinctStates]).toEqual(['ok', HOLDS.lease.distinct]);
  });
});
