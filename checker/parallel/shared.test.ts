/**
 * The shared fingerprint table: the same answers as a set, with fingerprint words of 0 and
 * across growths, and exact under real concurrent insertion from several threads.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Worker } from 'node:worker_threads';
import { SharedTable } from './shared.js';

describe('SharedTable', () => {
  it('answers like a Set, with words of 0, and keeps every member when it grows', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 })), { maxLength: 400 }), (pairs) => {
        const t = new SharedTable(SharedTable.create(16));
        const ref = new Set<string>();
        for (const [h, l] of pairs) {
          if (t.full) t.attach(t.grown());
          const k = `${h},${l}`;
          expect(t.insert(h, l)).toBe(!ref.has(k));
          ref.add(k);
        }
        expect(t.count).toBe(ref.size);
        t.attach(t.grown());
        for (const [h, l] of pairs) expect(t.insert(h, l)).toBe(false);
        expect(t.count).toBe(ref.size);
      }),
    );
  });

  it('asks for a pause at 3/4 full, before a state whose successors could fill it, and after a stop', () => {
    const t = new SharedTable(SharedTable.create(64));
    for (let i = 1; i < 48; i++) t.insert(i, i);
    expect(t.mustPause(1, 1)).toBe(false);
    // 47 stored; 60 is the hard limit (15/16 of 64).
    expect(t.mustPause(7, 2)).toBe(true);
    t.insert(48, 48);
    expect(t.mustPause(1, 1)).toBe(true);
    t.attach(t.grown());
    expect(t.capacity).toBe(128);
    expect(t.mustPause(1, 1)).toBe(false);
    t.stop();
    // The stop flag is read at least every 16 states.
    let paused = false;
    for (let i = 0; i < 16; i++) paused ||= t.mustPause(1, 1);
    expect(paused).toBe(true);
  });

  it('counts exactly across threads once each has flushed its batch', () => {
    const buffers = SharedTable.create(1 << 12);
    const a = new SharedTable(buffers);
    const b = new SharedTable(buffers);
    for (let i = 1; i <= 300; i++) a.insert(i, 1);
    for (let i = 1; i <= 300; i++) b.insert(i, 2);
    a.flush();
    b.flush();
    expect(a.count).toBe(600);
    expect(new SharedTable(buffers).count).toBe(600);
  });

  it('stores each fingerprint once when threads insert overlapping sets at the same time', async () => {
    const table = SharedTable.create(1 << 17);
    const pool = new Int32Array(2 * 30_000);
    let x = 12345;
    for (let i = 0; i < pool.length; i++) pool[i] = x = (Math.imul(x, 1103515245) + 12345) | 0;
    // Worker w inserts keys [w * 10,000, w * 10,000 + 20,000) (mod 30,000): each key by two workers.
    const go = new SharedArrayBuffer(4);
    const workers = [0, 1, 2].map((w) => {
      const keys = new Int32Array(2 * 20_000);
      for (let i = 0; i < 20_000; i++) {
        const k = (w * 10_000 + i) % 30_000;
        keys[2 * i] = pool[2 * k]!;
        keys[2 * i + 1] = pool[2 * k + 1]!;
      }
      return {
        keys,
        worker: new Worker(new URL('./worker-boot.mjs', import.meta.url), {
          workerData: { entry: new URL('../fixtures/table-worker.ts', import.meta.url).href, table, keys, go },
        }),
      };
    });
    const results = workers.map(({ worker }) => new Promise<number[]>((resolve, reject) => worker.once('message', resolve).once('error', reject)));
    await new Promise((r) => setTimeout(r, 200));
    const flag = new Int32Array(go);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const fresh = await Promise.all(results);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
    const owner = new Map<string, number>();
    fresh.forEach((idx, w) => {
      for (const i of idx) {
        const k = `${workers[w]!.keys[2 * i]},${workers[w]!.keys[2 * i + 1]}`;
        expect(owner.has(k)).toBe(false);
        owner.set(k, w);
      }
    });
    expect(owner.size).toBe(30_000);
    expect(new SharedTable(table).count).toBe(30_000);
  });
});
