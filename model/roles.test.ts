/**
 * Unit scenarios for each role's key rules, and properties of the transitions over random
 * reachable states (seeded; FC_SEED and FC_NUM_RUNS override).
 */
import { fc, test } from '@fast-check/vitest';
import { freeze } from 'immer';
import { describe, expect, it } from 'vitest';
import { formatAction } from '../checker/core/spec.js';
import { apply, grant, Msg, mType, send } from './network.js';
import { enabledActions, gfsSpec, nextState, type GfsAction } from './spec.js';
import {
  appendLog,
  BASE_CONSTANTS,
  copy,
  entryD,
  initialState,
  isPrimary,
  leaseCurrent,
  logOf,
  msgsOf,
  msgsStart,
  packEntry,
  toParams,
  type Constants,
  type GfsState,
  type Mutant,
  type Params,
} from './state.js';
import { normalise } from './clock.js';
import { mutationOrder } from './invariants.js';

const seed = process.env.FC_SEED === undefined ? 424242 : Number(process.env.FC_SEED);
const numRuns = process.env.FC_NUM_RUNS === undefined ? 100 : Number(process.env.FC_NUM_RUNS);
fc.configureGlobal({ seed, numRuns });

const params = (over: Partial<Constants> = {}, mutants: Mutant[] = []): Params => toParams({ ...BASE_CONSTANTS, ...over, mutants });
const labels = (s: GfsState, p: Params): string[] => enabledActions(s, p).map(formatAction);

/** Takes the enabled action with this label; fails the test when it is not enabled. */
function step(s: GfsState, p: Params, label: string): GfsState {
  const a = enabledActions(s, p).find((x) => formatAction(x) === label);
  if (!a) throw new Error(`${label} is not enabled; enabled: ${labels(s, p).join(', ')}`);
  return nextState(s, a, p);
}
const walk = (p: Params, steps: string[], from = initialState(p)): GfsState => steps.reduce((s, l) => step(s, p, l), from);
const tickAll = (s: GfsState, p: Params): GfsState =>
  walk(p, ['Tick(M)', ...Array.from({ length: p.N }, (_, i) => `Tick(${i + 1})`)], s);

describe('master', () => {
  it('grants a lease only on demand, and bumps the version', () => {
    const p = params();
    const s0 = initialState(p);
    expect(labels(s0, p).some((l) => l.startsWith('MGrant'))).toBe(false);
    const s = walk(p, ['CLookup(1)', 'MGrant(1)']);
    expect([s[p.mVersion], s[p.mLeaseHolder], s[p.mLeaseExp], s[p.grants]]).toEqual([2, 1, 2, 1]);
    expect(msgsOf(s, p).map((m) => mType(m))).toEqual([Msg.LookupReq, Msg.Grant, Msg.Bump]);
  });

  it('grants nothing during its grace period after a restart', () => {
    const p = params({ MaxCrashes: 1 });
    let s = walk(p, ['CLookup(1)', 'MCrash', 'MRestart']);
    expect(s[p.mGrace]).toBe(p.L);
    for (let round = 0; round < p.L; round++) {
      expect(labels(s, p).filter((l) => l.startsWith('MGrant'))).toEqual([]);
      s = tickAll(s, p);
    }
    expect(labels(s, p).filter((l) => l.startsWith('MGrant'))).toEqual(['MGrant(1)', 'MGrant(2)']);
  });

  it('without the grace period (noGraceAfterRestart) grants at once after a restart', () => {
    const p = params({ MaxCrashes: 1 }, ['noGraceAfterRestart']);
    const s = walk(p, ['CLookup(1)', 'MCrash', 'MRestart']);
    expect(labels(s, p).filter((l) => l.startsWith('MGrant'))).toEqual(['MGrant(1)', 'MGrant(2)']);
  });
});

describe('chunkserver', () => {
  it('a stale replica refuses a grant', () => {
    const p = params({ MaxGrants: 2 });
    // ver[1] = 1, but the grant is for version 3: cs 1 missed version 2.
    const s = send(copy(initialState(p)), p, grant(1, 3, 2));
    const t = step(s, p, 'CGrant(Grant(1, 3, 2))');
    expect([t[p.ver + 1], t[p.leaseVer + 1], t[p.leaseExp + 1]]).toEqual([1, 0, 0]);
    expect(msgsOf(t, p)).toEqual([]);
    expect(isPrimary(t, p, 1)).toBe(false);
  });

  it('a primary stops acting as primary S ticks before the master considers the lease expired', () => {
    const p = params({ L: 4, S: 2 });
    let s = walk(p, ['CLookup(1)', 'MGrant(1)', 'CGrant(Grant(1, 2, 4))']);
    const primaryUntil: boolean[] = [];
    const masterUntil: boolean[] = [];
    for (let k = 0; k <= p.L; k++) {
      primaryUntil.push(isPrimary(s, p, 1));
      masterUntil.push(leaseCurrent(s, p));
      s = tickAll(s, p);
    }
    // With all clocks equal, after k ticks: primary while k < L - S, current at the master while k < L.
    expect(primaryUntil).toEqual([true, true, false, false, false]);
    expect(masterUntil).toEqual([true, true, true, true, false]);
  });

  it('a secondary waits for the earlier serial number', () => {
    const p = params();
    const early = send(copy(initialState(p)), p, apply(2, 1, 1, 2, 0));
    expect(labels(early, p).filter((l) => l.startsWith('SApply'))).toEqual([]);
    const both = send(copy(early), p, apply(2, 1, 1, 1, 0));
    expect(labels(both, p).filter((l) => l.startsWith('SApply'))).toEqual(['SApply(Apply(2, 1, 1, 1, (1,1)))']);
    // With arrivalOrder the later one is taken on arrival.
    const pa = params({}, ['arrivalOrder']);
    expect(labels(early, pa).filter((l) => l.startsWith('SApply'))).toEqual(['SApply(Apply(2, 1, 1, 2, (1,1)))']);
  });

  it('a write whose data never reached a secondary leaves a ⊥ slot and a failed ack', () => {
    const p = params();
    const s = send(copy(initialState(p)), p, apply(2, 1, 1, 1, 0));
    const t = step(s, p, 'SApply(Apply(2, 1, 1, 1, (1,1)))');
    expect(logOf(t, p, 2).map(entryD)).toEqual([-1]);
    expect(gfsSpec({ ...BASE_CONSTANTS, mutants: [] }).toJSON!(t)).toMatchObject({
      log: { 2: [{ v: 1, sn: 1, d: null }] },
      msgs: [{ type: 'ApplyAck', to: 1, from: 2, v: 1, sn: 1, ok: false }],
    });
  });
});

describe('client', () => {
  it('a successful write is acknowledged and durable on every current replica', () => {
    const p = params();
    const s = walk(p, [
      'CLookup(1)',
      'MGrant(1)',
      'CGrant(Grant(1, 2, 2))',
      'CBump(Bump(2, 2))',
      'MLookup(LookupReq(1))',
      'CLearn(LookupResp(1, 1, {2}))',
      'CPush(1, 1)',
      'CPush(1, 2)',
      'CWrite(1)',
      'PWrite(WriteReq(1, 1, (1,1), {2}))',
      'SApply(Apply(2, 1, 2, 1, (1,1)))',
      'PAck(ApplyAck(1, 2, 2, 1, true))',
      'PReply(1, (2, 1, 1, (1,1), {}, true))',
      'CResult(WriteResp(1, (1,1), true))',
    ]);
    expect(s[p.acked]).toBe(1);
    expect(s[p.idx + 1]).toBe(2);
    expect(logOf(s, p, 1)).toEqual(logOf(s, p, 2));
  });

  it('a timeout gives up on the write when no retries are left, and retries when one is', () => {
    const p0 = params();
    const s0 = walk(p0, ['CLookup(1)', 'CTimeout(1)']);
    expect([s0[p0.idx + 1], s0[p0.tries + 1]]).toEqual([2, 0]);
    const p1 = params({ MaxRetries: 1 });
    const s1 = walk(p1, ['CLookup(1)', 'CTimeout(1)']);
    expect([s1[p1.idx + 1], s1[p1.tries + 1]]).toEqual([1, 1]);
  });
});

/** A random walk from the initial state: each choice picks one enabled action. */
function randomWalk(p: Params, choices: number[], visit: (s: GfsState, acts: GfsAction[]) => void): void {
  let s = initialState(p);
  for (const c of choices) {
    const acts = enabledActions(s, p);
    visit(s, acts);
    if (acts.length === 0) return;
    s = nextState(s, acts[c % acts.length]!, p);
  }
}

const configArb = fc.constantFrom<[Partial<Constants>, Mutant[]]>(
  [{}, []],
  [{ MaxCrashes: 1, MaxGrants: 2 }, []],
  [{ MaxLoss: 1, MaxRetries: 1, C: 2 }, []],
  [{ N: 3, L: 3, S: 2, MaxCrashes: 1 }, []],
  [{ MaxGrants: 2 }, ['noVersionBump']],
);
const walkArb = fc.array(fc.nat(), { minLength: 1, maxLength: 60 });

/** The state before normalisation: every clock and every positive timestamp one higher. */
function lift(s: GfsState, p: Params): GfsState {
  const t = copy(s);
  for (let n = 0; n <= p.N; n++) t[p.clock + n]!++;
  if (t[p.mLeaseExp]! > 0) t[p.mLeaseExp]!++;
  if (t[p.mGrace]! > 0) t[p.mGrace]!++;
  for (let cs = 1; cs <= p.N; cs++) if (t[p.leaseExp + cs]! > 0) t[p.leaseExp + cs]!++;
  for (let i = msgsStart(t, p); i < t.length; i++) {
    const m = t[i]!;
    if ((mType(m) === Msg.Grant || mType(m) === Msg.ExtendResp) && (m & 31) > 0) t[i] = m + 1;
  }
  return t;
}

describe('properties over random reachable states', () => {
  test.prop([configArb, walkArb])('normalisation never changes which actions are enabled', ([over, mutants], choices) => {
    const p = params(over, mutants);
    randomWalk(p, choices, (s, acts) => {
      const up = lift(s, p);
      const shape = (as: GfsAction[]): string[] => as.map((a) => `${a.name}/${a.node}/${a.kind}`);
      expect(shape(enabledActions(up, p))).toEqual(shape(acts));
      // And shifting back is exactly the normalisation.
      expect(normalise(copy(up), p)).toEqual(s);
    });
  });

  test.prop([configArb, walkArb])('transitions never write the state they are given (frozen states)', ([over, mutants], choices) => {
    const p = params(over, mutants);
    let s: GfsState = freeze(initialState(p) as number[], true);
    for (const c of choices) {
      const acts = enabledActions(s, p);
      if (acts.length === 0) break;
      const before = [...s];
      // A frozen array throws on any write in strict mode (ES modules are strict).
      const t = nextState(s, acts[c % acts.length]!, p);
      expect([...s]).toEqual(before);
      s = freeze(t as number[], true);
    }
  });

  test.prop([configArb, walkArb])('actionIndex gives the position of each action name in actionNames (coverage counts by it)', ([over, mutants], choices) => {
    const p = params(over, mutants);
    const spec = gfsSpec({ ...BASE_CONSTANTS, ...over, mutants });
    randomWalk(p, choices, (_, acts) => {
      for (const a of acts) expect(spec.actionNames![spec.actionIndex!(a)]).toBe(a.name);
    });
  });

  test.prop([configArb, walkArb])('the enabled actions of a state have distinct labels (so a trace step names one action)', ([over, mutants], choices) => {
    const p = params(over, mutants);
    randomWalk(p, choices, (_, acts) => {
      const ls = acts.map(formatAction);
      expect(new Set(ls).size).toBe(ls.length);
    });
  });
});

describe('random behaviours of the correct protocol on a large configuration', () => {
  const big = params({ N: 4, C: 2, W: 2, MaxRetries: 1, MaxCrashes: 2, MaxLoss: 2, MaxGrants: 3 });
  const spec = gfsSpec({ ...BASE_CONSTANTS, N: 4, C: 2, W: 2, MaxRetries: 1, MaxCrashes: 2, MaxLoss: 2, MaxGrants: 3, mutants: [] });
  test.prop([fc.array(fc.nat(), { minLength: 1, maxLength: 150, size: 'max' })])('keep every invariant and action property', (choices) => {
    let s = initialState(big);
    for (const c of choices) {
      const acts = enabledActions(s, big);
      const a = acts[c % acts.length]!;
      const t = nextState(s, a, big);
      for (const p of spec.actionProperties!) expect(p.check(s, t, a), `${p.name} after ${formatAction(a)}`).toBe(true);
      for (const inv of spec.invariants!) expect(inv.check(t), `${inv.name} after ${formatAction(a)}`).toBe(true);
      s = t;
    }
  });
});

describe('MutationOrder on logs it did not expect', () => {
  it('fails a log entry whose version is out of range, also after a larger configuration was checked', () => {
    const big = params({ MaxGrants: 5 });
    const small = params();
    // Version 6 with MaxGrants 5 is in range: serial numbers 1, 2 of it hold.
    const ok = appendLog(appendLog(initialState(big), big, 1, packEntry(6, 1, 0)), big, 1, packEntry(6, 2, -1));
    expect(mutationOrder(ok, big)).toBe(true);
    // With MaxGrants 1, version 6 cannot exist: the invariant fails rather than read a count it never reset.
    const bad = appendLog(initialState(small), small, 1, packEntry(6, 1, 0));
    expect(mutationOrder(bad, small)).toBe(false);
  });
});
