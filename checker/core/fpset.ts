/**
 * The visited set: 64-bit fingerprints with a parent pointer per state, in typed arrays.
 *
 * Shaped after TLC's `FPSet.put(fp): boolean` and `TLCTrace`: {@link FingerprintSet.put}
 * is the only way in, each new state gets a dense id in discovery order, and per id we
 * keep just the fingerprint and the parent's id; a counterexample is rebuilt by replay.
 *
 * Storage per distinct state: 8 bytes of fingerprint and 4 of parent id, in fixed-size
 * chunks (no copying when they grow, at most one partly used chunk), plus the open-addressing
 * table of ids (4 bytes a slot, load factor kept in (0.375, 0.75]). That is 17.3 to 22.7
 * bytes per state.
 */

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/** An open-addressing set of 64-bit fingerprints with per-entry parent ids. */
export class FingerprintSet {
  private slots: Int32Array;
  private mask: number;
  private readonly fpChunks: Uint32Array[] = [];
  private readonly parentChunks: Int32Array[] = [];
  private count = 0;

  /** @param initialSlots - the table's starting size, rounded up to a power of two. */
  constructor(initialSlots = 1 << 12) {
    let n = 16;
    while (n < initialSlots) n *= 2;
    this.slots = new Int32Array(n);
    this.mask = n - 1;
  }

  /** How many fingerprints are stored; ids run from 0 to `size - 1`. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds the fingerprint `(hi, lo)` with parent id `parent` (-1 for an initial state).
   * @returns the new state's id, or -1 when the fingerprint was already present.
   */
  put(hi: number, lo: number, parent: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const s = slots[i]!;
      if (s === 0) break;
      const id = s - 1;
      const c = this.fpChunks[id >>> CHUNK_BITS]!;
      const o = (id & CHUNK_MASK) << 1;
      if (c[o] === hi >>> 0 && c[o + 1] === lo >>> 0) return -1;
      i = (i + 1) & mask;
    }
    const id = this.count++;
    const ci = id >>> CHUNK_BITS;
    if (ci === this.fpChunks.length) {
      this.fpChunks.push(new Uint32Array(CHUNK * 2));
      this.parentChunks.push(new Int32Array(CHUNK));
    }
    const o = (id & CHUNK_MASK) << 1;
    const fc = this.fpChunks[ci]!;
    fc[o] = hi;
    fc[o + 1] = lo;
    this.parentChunks[ci]![id & CHUNK_MASK] = parent;
    slots[i] = id + 1;
    if (this.count * 4 > slots.length * 3) this.grow();
    return id;
  }

  /** True when the fingerprint `(hi, lo)` is stored. */
  has(hi: number, lo: number): boolean {
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === 0) return false;
      const id = s - 1;
      const c = this.fpChunks[id >>> CHUNK_BITS]!;
      const o = (id & CHUNK_MASK) << 1;
      if (c[o] === hi >>> 0 && c[o + 1] === lo >>> 0) return true;
      i = (i + 1) & this.mask;
    }
  }

  /** The high word of state `id`'s fingerprint. */
  hi(id: number): number {
    return this.fpChunks[id >>> CHUNK_BITS]![(id & CHUNK_MASK) << 1]!;
  }

  /** The low word of state `id`'s fingerprint. */
  lo(id: number): number {
    return this.fpChunks[id >>> CHUNK_BITS]![((id & CHUNK_MASK) << 1) + 1]!;
  }

  /** The parent id of state `id` (-1 for an initial state). */
  parent(id: number): number {
    return this.parentChunks[id >>> CHUNK_BITS]![id & CHUNK_MASK]!;
  }

  /** Bytes held by the table and the per-state arrays. */
  get bytes(): number {
    return this.slots.byteLength + this.fpChunks.length * CHUNK * 12;
  }

  private grow(): void {
    const old = this.slots;
    const n = old.length * 2;
    const slots = new Int32Array(n);
    const mask = n - 1;
    for (let j = 0; j < old.length; j++) {
      const s = old[j]!;
      if (s === 0) continue;
      const id = s - 1;
      const c = this.fpChunks[id >>> CHUNK_BITS]!;
      const o = (id & CHUNK_MASK) << 1;
      let i = (c[o + 1]! ^ Math.imul(c[o]!, 0x9e3779b1)) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = s;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
