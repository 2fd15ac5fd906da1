/**
 * Reports of ordinary states: a state with a `Set`, a `Map` and an array is written to the
 * trace file and ITF with its contents (never `{}`), diffed by index and key, rendered to
 * text and HTML, and the violating state's fields that the invariant reads are found by
 * re-checking it through a proxy. Uses the `locks` fixture (not GFS).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../core/explore.js';
import { locks } from '../fixtures/locks.js';
import { scratchDir } from '../fixtures/scratch.js';
import { diffLines } from './diff.js';
import { violationReads, writeReport } from './report.js';
import { formatValue, recordReads, toItfValue, toJsonValue } from './values.js';

const meta = { spec: 'Locks', model: 'locks', constants: {}, mutant: null, symmetry: false, invariant: 'MutualExclusion', kind: 'invariant' as const, result: 'violation' };

function violation() {
  const r = check(locks);
  if (r.kind !== 'violation') throw new Error(`expected a violation, got ${r.kind}`);
  return r.violations[0]!.trace;
}

describe('values of ordinary states', () => {
  it('writes sets and maps tagged, in a canonical order', () => {
    const v = { s: new Set([3, 1]), m: new Map<string, unknown>([['b', [1]], ['a', new Set(['x'])]]), xs: [1, 'two'] };
    expect(toJsonValue(v)).toEqual({ s: { '#set': [1, 3] }, m: { '#map': [['a', { '#set': ['x'] }], ['b', [1]]] }, xs: [1, 'two'] });
    expect(toItfValue(v)).toEqual({
      s: { '#set': [{ '#bigint': '1' }, { '#bigint': '3' }] },
      m: { '#map': [['a', { '#set': ['x'] }], ['b', [{ '#bigint': '1' }]]] },
      xs: [{ '#bigint': '1' }, 'two'],
    });
    expect(formatValue(v)).toBe('{s: {1, 3}, m: ("a" ↦ {"x"}, "b" ↦ [1]), xs: [1, "two"]}');
  });

  it('diffs arrays by index, maps by key, sets by elements', () => {
    expect(diffLines({ pc: ['idle', 'idle'] }, { pc: ['idle', 'checked'] })).toEqual(['pc[1] = "checked"']);
    expect(diffLines({ m: new Map([['k', 1]]) }, { m: new Map([['k', 2], ['j', 0]]) })).toEqual(['m["k"] = 2', 'm["j"] = 0']);
    expect(diffLines({ s: new Set([1, 2]) }, { s: new Set([2, 3]) })).toEqual(['s: + 3, - 1']);
    expect(diffLines({ log: [1] }, { log: [1, 2] })).toEqual(['log[1] = 2']);
    // A sorted array used as a set that lost one element and gained another: not index rewrites.
    expect(diffLines({ msgs: [{ t: 'A', n: 1 }, { t: 'B', n: 2 }, { t: 'C', n: 3 }] }, { msgs: [{ t: 'A', n: 1 }, { t: 'C', n: 3 }, { t: 'D', n: 4 }] })).toEqual([
      'msgs: + {t: "D", n: 4}, - {t: "B", n: 2}',
    ]);
  });

  it('records what a property reads through a proxy', () => {
    const s = { pc: ['critical', 'critical'], waiting: new Set<number>(), holder: new Map([['lock', 1]]), other: 5 };
    expect(recordReads(s, (x) => (x as typeof s).pc.filter((p) => p === 'critical').length <= 1)).toEqual(['pc[0]', 'pc[1]']);
    expect(recordReads(s, (x) => (x as typeof s).waiting.has(1) || (x as typeof s).holder.get('lock') === 0)).toEqual(['holder', 'waiting']);
    expect(recordReads(42, () => true)).toBeNull();
  });
});

describe('reports of the locks fixture', () => {
  it('trace.json, ITF, trace.txt and index.html show the Set, the Map and the array', async () => {
    const trace = violation();
    expect(trace.states).toHaveLength(5);
    expect(violationReads(locks, 'MutualExclusion', trace.states.at(-1)!)).toEqual(['pc[0]', 'pc[1]']);
    const dir = scratchDir('leasecheck-locks');
    const out = await writeReport(dir, locks, trace, meta);
    expect(out.errors).toEqual([]);
    const file = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8'));
    expect(file.states[4]).toEqual({ pc: ['critical', 'critical'], waiting: { '#set': [] }, holder: { '#map': [['lock', 1]] } });
    expect(file.states[3].waiting).toEqual({ '#set': [1] });
    const itf = JSON.parse(readFileSync(join(dir, 'trace.itf.json'), 'utf8'));
    expect(itf.vars).toEqual(['pc', 'waiting', 'holder']);
    expect(itf.states[4].holder).toEqual({ '#map': [['lock', { '#bigint': '1' }]] });
    expect(itf.states[3].waiting).toEqual({ '#set': [{ '#bigint': '1' }] });
    const txt = readFileSync(join(dir, 'trace.txt'), 'utf8');
    expect(txt).toContain('State 2: <Request(0)>\n  pc[0] = "waiting"\n  waiting: + 0\n');
    expect(txt).toContain('State 5: <Enter(1)>\n  pc[1] = "critical"\n  waiting: - 1\n  holder["lock"] = 1\n');
    expect(txt).toContain('Invariant MutualExclusion is violated in state 5.\n  pc[0] = "critical"\n  pc[1] = "critical"\n');
    expect(txt).toContain('State 5 in full (* marks what MutualExclusion reads):\n*/\\ pc = ["critical", "critical"]\n /\\ waiting = {}\n /\\ holder = ("lock" ↦ 1)\n');
    const page = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(page).toContain('<tr class="changed read" data-path="pc"><th>pc</th><td>[&quot;critical&quot;, &quot;critical&quot;]</td></tr>');
    expect(page).toContain('<tr class="changed" data-path="holder"><th>holder</th><td>(&quot;lock&quot; ↦ 1)</td></tr>');
  });
});
