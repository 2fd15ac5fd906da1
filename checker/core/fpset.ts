/**
 * The visited set: 64-bit fingerprints, with a parent pointer and an action index per
 * state, in typed arrays.
 *
 * Shaped after TLC's `FPSet.put(fp): boolean` and `TLCTrace`: {@link FingerprintSet.put}
 * is the only way in, and each new state gets a dense id in discovery order. The table
 * holds the fingerprints themselves (open addressing, linear probing), so a lookup costs
 * one cache miss; per id we keep only the parent's id and which of the parent's enabled
 * actions led here, enough to rebuild a counterexample by replaying actions.
 *
 * Storage per distinct state: 8 bytes a table slot, the table kept between 37.5% and 75%
 * full (10.7 to 21.3 bytes a state), plus 4 bytes of parent id and 2 of action index in
 * fixed-size chunks (no copying when they grow): 16.7 to 27.3 bytes a state, about 22 at
 * a million states; plus a fixed 128 KB cache of recent fingerprints
 * ({@link RecentFingerprints}) that spares the table most of its cache misses.
 */

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/**
 * Slots of the recent-fingerprint cache (2^14 pairs, 128 KB, within a core's L2 cache). On
 * the GFS model, about 85% of successors are duplicates and more than half of all successors
 * were seen within the last few thousand successors (a diamond: two actions that commute);
 * this cache answers those without a cache miss in the large table.
 */
const RECENT_BITS = 14;
const RECENT_MASK = (1 << RECENT_BITS) - 1;

/**
 * A direct-mapped cache of fingerprints this thread recently put: a hit is certainly in the
 * visited set (a miss says nothing). Never holds (0, 0), so an empty slot matches nothing.
 */
export class RecentFingerprints {
  private readonly slots = new Int32Array(2 << RECENT_BITS);

  /** True when `(hi, lo)` was put recently; else records it (and returns false). */
  hitOrRecord(hi: number, lo: number): boolean {
    if ((hi | lo) === 0) return false;
    const r = (lo & RECENT_MASK) << 1;
    const t = this.slots;
    if (t[r] === (hi | 0) && t[r + 1] === (lo | 0)) return true;
    t[r] = hi;
    t[r + 1] = lo;
    return false;
  }

  /** True when `(hi, lo)` was put recently. */
  has(hi: number, lo: number): boolean {
    if ((hi | lo) === 0) return false;
    const r = (lo & RECENT_MASK) << 1;
    return this.slots[r] === (hi | 0) && this.slots[r + 1] === (lo | 0);
  }

  /** Bytes held. */
  get bytes(): number {
    return this.slots.byteLength;
  }
}

/**
 * The slot where fingerprint `(hi, lo)` is looked for first in a table of `mask + 1` slots
 * (a power of two); the same for signed and unsigned words. Every fingerprint table of the
 * engine probes from here.
 */
export function homeSlot(hi: number, lo: number, mask: number): number {
  return (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
}

/** The largest action index a state can record (the position among its parent's enabled actions). */
export const MAX_ACTION_INDEX = 0xffff;

/**
 * What the explorer needs of a visited set: {@link VisitedSet.put} is the only way in and
 * gives each new state an id; per id, the parent's id and the action index that led there.
 * {@link FingerprintSet} is the one-thread set; the parallel checker's `SharedVisitedSet`
 * shares its fingerprint table between threads.
 */
export interface VisitedSet {
  /**
   * Adds fingerprint `(hi, lo)` reached from state `parent` (-1: initial) by its enabled
   * action number `action`; returns the new state's id, or -1 when it was already present.
   */
  put(hi: number, lo: number, parent: number, action: number): number;
  /**
   * Reads the slot where `(hi, lo)` would be looked for first and returns a word of it: a
   * hint that brings the slot into cache before {@link VisitedSet.put} (JavaScript has no
   * prefetch instruction). Changes nothing.
   */
  touch(hi: number, lo: number): number;
  /** Whether `(hi, lo)` is stored (by any thread sharing the set). Changes nothing. */
  has(hi: number, lo: number): boolean;
  /** The parent id of state `id` (-1 for an initial state). */
  parent(id: number): number;
  /** The action index that led to state `id`. */
  action(id: number): number;
  /** States this set gave an id to. */
  readonly size: number;
  /** States stored in all, by every thread sharing the set. */
  readonly total: number;
  /** Bytes held. */
  readonly bytes: number;
}

/**
 * Per-state parent ids (Int32) and action indices (Uint16) by dense id, in fixed-size chunks,
 * so growing never copies: 6 bytes a state.
 */
export class ParentStore {
  private readonly parentChunks: Int32Array[] = [];
  private readonly actionChunks: Uint16Array[] = [];
  /** Entries stored; ids run from 0 to `count - 1`. */
  count = 0;

  /** Stores one entry; returns its id. */
  add(parent: number, action: number): number {
    const id = this.count++;
    const ci = id >>> CHUNK_BITS;
    if (ci === this.parentChunks.length) {
      this.parentChunks.push(new Int32Array(CHUNK));
      this.actionChunks.push(new Uint16Array(CHUNK));
    }
    this.parentChunks[ci]![id & CHUNK_MASK] = parent;
    this.actionChunks[ci]![id & CHUNK_MASK] = action;
    return id;
  }

  /** The parent of entry `id`. */
  parent(id: number): number {
    return this.parentChunks[id >>> CHUNK_BITS]![id & CHUNK_MASK]!;
  }

  /** The action index of entry `id`. */
  action(id: number): number {
    return this.actionChunks[id >>> CHUNK_BITS]![id & CHUNK_MASK]!;
  }

  /** Bytes held by the chunks. */
  get bytes(): number {
    return this.parentChunks.length * CHUNK * 6;
  }
}

/** An open-addressing set of 64-bit fingerprints with per-entry parent ids and action indices. */
export class FingerprintSet implements VisitedSet {
  private table: Uint32Array;
  private mask: number;
  private readonly store = new ParentStore();
  private readonly recent = new RecentFingerprints();
  private hasZero = false;

  /**
   * @param initialSlots - the table's starting size, rounded up to a power of two. Small on
   * purpose: growing then happens in the first levels, before V8 optimises the explorer's
   * loop; a first growth in optimised code would make V8 discard that code and compile the
   * loop again ("insufficient type feedback").
   */
  constructor(initialSlots = 16) {
    let n = 16;
    while (n < initialSlots) n *= 2;
    this.table = new Uint32Array(n * 2);
    this.mask = n - 1;
  }

  /** How many fingerprints are stored; ids run from 0 to `size - 1`. */
  get size(): number {
    return this.store.count;
  }

  /** The same as {@link FingerprintSet.size}: this set is not shared. */
  get total(): number {
    return this.store.count;
  }

  /**
   * Adds the fingerprint `(hi, lo)` with parent id `parent` (-1 for an initial state) and
   * `action`, the index of the action (among the parent's enabled ones, or among the
   * initial states) that led here.
   * @returns the new state's id, or -1 when the fingerprint was already present.
   */
  put(hi: number, lo: number, parent: number, action: number): number {
    hi >>>= 0;
    lo >>>= 0;
    const t = this.table;
    const mask = this.mask;
    if (hi === 0 && lo === 0) {
      // (0, 0) marks an empty slot, so that one fingerprint lives outside the table.
      if (this.hasZero) return -1;
      this.hasZero = true;
    } else {
      if (this.recent.hitOrRecord(hi, lo)) return -1;
      let i = homeSlot(hi, lo, mask);
      for (;;) {
        const h = t[2 * i]!;
        const l = t[2 * i + 1]!;
        if (h === 0 && l === 0) break;
        if (h === hi && l === lo) return -1;
        i = (i + 1) & mask;
      }
      t[2 * i] = hi;
      t[2 * i + 1] = lo;
    }
    const id = this.store.add(parent, action);
    if (this.store.count * 4 > (mask + 1) * 3) this.grow();
    return id;
  }

  /** Reads the first slot probed for `(hi, lo)` (see {@link VisitedSet.touch}). */
  touch(hi: number, lo: number): number {
    if (this.recent.has(hi, lo)) return 0;
    return this.table[2 * homeSlot(hi, lo, this.mask)]!;
  }

  /** True when the fingerprint `(hi, lo)` is stored. */
  has(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) return this.hasZero;
    const t = this.table;
    let i = homeSlot(hi, lo, this.mask);
    for (;;) {
      const h = t[2 * i]!;
      const l = t[2 * i + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
      i = (i + 1) & this.mask;
    }
  }

  /** The parent id of state `id` (-1 for an initial state). */
  parent(id: number): number {
    return this.store.parent(id);
  }

  /** The action index that led to state `id` (for an initial state, its index among the initial states). */
  action(id: number): number {
    return this.store.action(id);
  }

  /** Bytes held by the table and the per-state arrays. */
  get bytes(): number {
    return this.table.byteLength + this.store.bytes + this.recent.bytes;
  }

  private grow(): void {
    const old = this.table;
    const n = (this.mask + 1) * 2;
    const t = new Uint32Array(n * 2);
    const mask = n - 1;
    for (let j = 0; j < old.length; j += 2) {
      const h = old[j]!;
      const l = old[j + 1]!;
      if (h === 0 && l === 0) continue;
      let i = homeSlot(h, l, mask);
      while (t[2 * i] !== 0 || t[2 * i + 1] !== 0) i = (i + 1) & mask;
      t[2 * i] = h;
      t[2 * i + 1] = l;
    }
    this.table = t;
    this.mask = mask;
  }
}
