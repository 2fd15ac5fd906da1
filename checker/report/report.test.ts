/**
 * Rendering never fails a check: a renderer that throws is reported, and the other files
 * of the report are still written. Uses the DieHard fixture (the report code is generic).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../core/explore.js';
import { dieHard } from '../fixtures/diehard.js';
import { scratchDir } from '../fixtures/scratch.js';
import { writeReport } from './report.js';

const meta = { spec: 'DieHard', model: 'diehard', constants: {}, mutant: null, symmetry: false, invariant: 'NotSolved', kind: 'invariant' as const, result: 'violation' };

describe('writeReport', () => {
  it('writes every file for a spec without renderer hooks', async () => {
    const r = check(dieHard);
    if (r.kind !== 'violation') throw new Error('expected a violation');
    const dir = scratchDir('leasecheck-rep');
    const out = await writeReport(dir, dieHard, r.violations[0]!.trace, meta);
    expect(out.errors).toEqual([]);
    expect(readFileSync(join(dir, 'trace.txt'), 'utf8')).toMatch(/State 7: <BigToSmall>\n {2}small = 3\n {2}big = 4\n\nInvariant NotSolved is violated in state 7\./);
    for (const f of ['trace.json', 'trace.itf.json', 'sequence.dot', 'sequence.svg', 'index.html']) expect(existsSync(join(dir, f))).toBe(true);
  });

  it('reports a renderer that throws and still writes the rest', async () => {
    const spec = { ...dieHard, describeStep: () => { throw new Error('no lanes today'); } };
    const r = check(spec);
    if (r.kind !== 'violation') throw new Error('expected a violation');
    const dir = scratchDir('leasecheck-rep');
    const out = await writeReport(dir, spec, r.violations[0]!.trace, meta);
    expect(out.errors).toEqual(['sequence.dot: no lanes today', 'sequence.svg: no lanes today']);
    expect(existsSync(join(dir, 'trace.json'))).toBe(true);
    expect(existsSync(join(dir, 'trace.txt'))).toBe(true);
    expect(existsSync(join(dir, 'sequence.svg'))).toBe(false);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toMatch(/the chart could not be rendered/);
  });
});
