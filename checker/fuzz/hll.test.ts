/** The HyperLogLog sketch: accuracy, repeats, merge, base64. */
import { describe, expect, it } from 'vitest';
import { HyperLogLog } from './hll.js';

describe('HyperLogLog', () => {
  const fill = (h: HyperLogLog, from: number, to: number): void => {
    for (let i = from; i < to; i++) h.add(Math.imul(i, 0x9e3779b1), Math.imul(i ^ 0x5bd1e995, 0x85ebca6b));
  };
  it('estimates 50,000 distinct fingerprints within three standard errors, and ignores repeats', () => {
    const h = new HyperLogLog();
    fill(h, 0, 50_000);
    fill(h, 0, 50_000);
    expect(Math.abs(h.estimate() - 50_000)).toBeLessThan(3 * h.relativeError * 50_000);
    const small = new HyperLogLog();
    fill(small, 0, 100);
    expect(Math.abs(small.estimate() - 100)).toBeLessThanOrEqual(3);
  });
  it('merges two overlapping sketches into the sketch of the union; survives base64', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    const all = new HyperLogLog();
    fill(a, 0, 30_000);
    fill(b, 20_000, 50_000);
    fill(all, 0, 50_000);
    a.merge(b);
    expect(a.registers).toEqual(all.registers);
    expect(HyperLogLog.fromBase64(a.toBase64())!.registers).toEqual(all.registers);
    expect(HyperLogLog.fromBase64('abc')).toBeNull();
    expect(() => a.merge(new HyperLogLog(10))).toThrow(/precision 12 and 10/);
  });
});
