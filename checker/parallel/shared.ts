/**
 * The shared memory of the parallel checker: one fingerprint table that every worker
 * thread probes and inserts into without locks, and BFS levels that any worker can read.
 *
 * Why shared rather than partitioned: with states partitioned by fingerprint, about half of
 * all new states cross threads, each an encoding, a message and a decoding; with one shared
 * table a duplicate costs the same probe as in one thread, and nothing travels (the
 * measurement: `docs/performance.md`, "Why the parallel checker is shaped as it is").
 *
 * The table ({@link SharedTable}): linear probing over pairs of Int32 words `(hi, lo)`; a
 * slot is claimed by a compare-and-swap of its `hi` word from 0, then its `lo` word is
 * stored. A reader that finds `hi` set and `lo` still 0 waits for the store (a few
 * instructions). So that 0 can mean "empty" and "not yet written", a fingerprint word that
 * is 0 is replaced by a fixed non-zero value: the fingerprint keeps 64 bits less two
 * values per word, which changes TLC's collision estimate by a factor of about 1 + 2^-31.
 * The table is grown only while every worker is paused (see {@link SharedTable.mustPause}).
 *
 * The levels ({@link LevelWriter}, {@link SharedFrontier}, the shared implementation of the
 * explorer's `Frontier`): each worker appends the states it stores to its own buffer as records `(id, parent, action, length, words...)`, cut into
 * blocks of {@link BLOCK} states. At the next level all workers claim runs of blocks from
 * all buffers through one atomic counter, so the work is balanced whoever found the states.
 */
import { homeSlot, ParentStore, RecentFingerprints, type VisitedSet } from '../core/fpset.js';
import type { StateEncoder } from '../core/spec.js';
import { GO, PAUSE, STOP, type Frontier, type Taken } from '../core/frontier.js';
import { WordBuffer } from '../core/words.js';
import type { LevelSource, SharedTableBuffers } from './protocol.js';
export type { LevelSource, SharedTableBuffers } from './protocol.js';

/** States per block of a level: the unit a worker claims at a time. */
export const BLOCK = 64;

/** Control words, each on its own 64-byte line so that counters do not share a cache line. */
const COUNT = 0;
const STOP_FLAG = 16;
const CURSOR = 32;
/** States stored under a distinct-state bound: one ticket each (see {@link SharedTable.claimStored}). */
const STORED = 48;
const CTRL_WORDS = 64;

/**
 * A thread adds its insertions to the shared count in batches of this many: the count's
 * cache line then moves between cores once per batch, not once per new state.
 */
const FLUSH = 128;

/** A word of 0 in a fingerprint is stored as this (0 marks an empty slot). */
const ZERO_HI = 0x5bd1e995 | 0;
const ZERO_LO = 0x27d4eb2f | 0;

/** A fingerprint's high word as the table stores it (never 0). */
const storedHi = (hi: number): number => (hi | 0) || ZERO_HI;
/** A fingerprint's low word as the table stores it (never 0). */
const storedLo = (lo: number): number => (lo | 0) || ZERO_LO;

/** A fingerprint table shared by threads: lock-free insertion, growth while all are paused. */
export class SharedTable {
  /** The control words (shared). */
  readonly ctrl: Int32Array;
  private t: Int32Array;
  private mask: number;
  private soft: number;
  private hard: number;
  /** This thread's insertions not yet added to the shared count. */
  private pending = 0;
  /** The shared count as this thread last saw it (its own insertions included). */
  private known = 0;
  /** States checked by {@link SharedTable.mustPause}, to read the stop flag now and then. */
  private checks = 0;

  /** Attaches to buffers made by {@link SharedTable.create} or {@link SharedTable.grown}. */
  constructor(readonly buffers: SharedTableBuffers) {
    this.ctrl = new Int32Array(buffers.ctrl);
    this.t = new Int32Array(buffers.slots);
    this.mask = 0;
    this.soft = 0;
    this.hard = 0;
    this.attach(buffers.slots);
  }

  /**
   * New empty table buffers with `slots` slots (a power of two). Small by default, for the
   * reason {@link FingerprintSet}'s constructor gives.
   */
  static create(slots = 16): SharedTableBuffers {
    return { ctrl: new SharedArrayBuffer(CTRL_WORDS * 4), slots: new SharedArrayBuffer(slots * 8) };
  }

  /** Switches to a new slot buffer (after a growth); the control words stay. */
  attach(slots: SharedArrayBuffer): void {
    (this as { buffers: SharedTableBuffers }).buffers = { ctrl: this.buffers.ctrl, slots };
    this.t = new Int32Array(slots);
    const n = this.t.length / 2;
    this.mask = n - 1;
    // Growth is asked for at 3/4 full; a state whose successors could fill the table past
    // 15/16 waits for the growth first (one slot must always stay empty for probing).
    this.soft = (n >>> 2) * 3;
    this.hard = n - (n >>> 4);
  }

  /** Slots in the table. */
  get capacity(): number {
    return this.mask + 1;
  }

  /**
   * Fingerprints stored: exact once every thread has {@link SharedTable.flush}ed (as each
   * worker does at the end of a phase); in between, other threads' last batches may be missing.
   */
  get count(): number {
    return Atomics.load(this.ctrl, COUNT) + this.pending;
  }

  /** Adds this thread's pending insertions to the shared count. */
  flush(): void {
    this.known = Atomics.add(this.ctrl, COUNT, this.pending) + this.pending;
    this.pending = 0;
  }

  /** Bytes of the slots. */
  get bytes(): number {
    return this.t.byteLength;
  }

  /**
   * Adds `(hi, lo)`; true when it was not present. Safe against concurrent calls from other
   * threads on the same table (never during a growth: see {@link SharedTable.mustPause}).
   */
  insert(hi: number, lo: number): boolean {
    hi = storedHi(hi);
    lo = storedLo(lo);
    const t = this.t;
    const mask = this.mask;
    let i = homeSlot(hi, lo, mask);
    for (let probes = 0; probes <= mask; probes++) {
      const at = 2 * i;
      let h = t[at]!;
      if (h === 0) {
        h = Atomics.compareExchange(t, at, 0, hi);
        if (h === 0) {
          // A plain store: readers spin on Atomics.load until `lo` is non-zero, and an Int32
          // element is never torn, so they see 0 or `lo`. (Atomics.store would add a second
          // full fence after the compare-and-swap's.)
          t[at + 1] = lo;
          if (++this.pending >= FLUSH) this.flush();
          return true;
        }
      }
      if (h === hi) {
        let l = t[at + 1]!;
        // Claimed by another thread that has not stored `lo` yet.
        while (l === 0) l = Atomics.load(t, at + 1);
        if (l === lo) return false;
      }
      i = (i + 1) & mask;
    }
    throw new Error('internal error: the shared fingerprint table is full');
  }

  /** Whether `(hi, lo)` is in the table (never during a growth). */
  has(hi: number, lo: number): boolean {
    hi = storedHi(hi);
    lo = storedLo(lo);
    const t = this.t;
    const mask = this.mask;
    let i = homeSlot(hi, lo, mask);
    for (let probes = 0; probes <= mask; probes++) {
      const at = 2 * i;
      const h = t[at]!;
      if (h === 0) return false;
      if (h === hi) {
        let l = t[at + 1]!;
        while (l === 0) l = Atomics.load(t, at + 1);
        if (l === lo) return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  /**
   * Under a bound of `bound` distinct states: takes a ticket for one more stored state, true
   * while the tickets taken by every thread are within the bound. So that a run of several
   * workers stores exactly as many states as one worker (no more than the bound), whichever
   * thread stores the last.
   */
  claimStored(bound: number): boolean {
    return Atomics.add(this.ctrl, STORED, 1) < bound;
  }

  /** States stored under a bound, by every thread: exact at any moment ({@link SharedTable.claimStored}). */
  storedUnder(bound: number): number {
    return Math.min(Atomics.load(this.ctrl, STORED), bound);
  }

  /** Reads the first slot probed for `(hi, lo)` (a cache hint, see `VisitedSet.touch`). */
  touch(hi: number, lo: number): number {
    return this.t[2 * homeSlot(storedHi(hi), storedLo(lo), this.mask)]!;
  }

  /**
   * Whether a thread about to insert up to `successors` fingerprints must pause for a growth
   * (or because another thread stopped the run: {@link SharedTable.stopped}). `threads` is how
   * many threads may be inserting at once. Counts the other threads' unflushed batches as
   * full, so it may ask for a growth a little early, never late.
   */
  mustPause(successors: number, threads: number): boolean {
    const slack = (threads - 1) * FLUSH;
    let c = this.known + this.pending + slack;
    if (c >= this.soft || c + successors * threads >= this.hard || (++this.checks & 15) === 0) {
      this.flush();
      c = this.known + slack;
      if (c >= this.soft || c + successors * threads >= this.hard) return true;
      return Atomics.load(this.ctrl, STOP_FLAG) !== 0;
    }
    return false;
  }

  /** Whether the table must grow before more states are inserted. */
  get full(): boolean {
    return this.count >= this.soft;
  }

  /** Tells every thread to stop (a finding ended the run). */
  stop(): void {
    Atomics.store(this.ctrl, STOP_FLAG, 1);
  }

  /** Whether some thread stopped the run. */
  get stopped(): boolean {
    return Atomics.load(this.ctrl, STOP_FLAG) !== 0;
  }

  /** Resets the level's block cursor (between levels, no thread expanding). */
  resetCursor(): void {
    Atomics.store(this.ctrl, CURSOR, 0);
  }

  /**
   * Claims a run of blocks of a level of `total` blocks shared by `threads` threads: about
   * a `2 * threads`-th of what is left (at least one block), so that each thread works on
   * long contiguous runs (neighbouring states share successors, which the recent-fingerprint
   * cache then catches) and the runs shrink as the level ends (the threads finish together).
   * Returns the first block; the run ends at `min(first + size, total)`, size in {@link SharedTable.claimed}.
   */
  claimBlocks(total: number, threads: number): number {
    const left = total - Atomics.load(this.ctrl, CURSOR);
    const size = Math.max(1, Math.floor(left / (2 * threads)));
    this.claimed = size;
    return Atomics.add(this.ctrl, CURSOR, size);
  }

  /** The size of the last run of blocks claimed by {@link SharedTable.claimBlocks}. */
  claimed = 0;

  /**
   * A slot buffer twice as large (or larger, to hold `need` more fingerprints) with every
   * fingerprint rehashed into it. Only while no thread inserts; then {@link SharedTable.attach}
   * it in every thread.
   */
  grown(need = 0): SharedArrayBuffer {
    let n = this.capacity * 2;
    while ((n >>> 2) * 3 < this.count + need) n *= 2;
    const slots = new SharedArrayBuffer(n * 8);
    const t = new Int32Array(slots);
    const mask = n - 1;
    const old = this.t;
    for (let j = 0; j < old.length; j += 2) {
      const h = old[j]!;
      if (h === 0) continue;
      const l = old[j + 1]!;
      let i = homeSlot(h, l, mask);
      while (t[2 * i] !== 0) i = (i + 1) & mask;
      t[2 * i] = h;
      t[2 * i + 1] = l;
    }
    return slots;
  }
}

/**
 * The visited set of one worker: the {@link SharedTable} for membership, and this worker's
 * own {@link ParentStore} for the states it stored first. Ids are global:
 * `local * workers + index`, so the owner of any id is `id % workers`.
 */
export class SharedVisitedSet implements VisitedSet {
  private readonly store = new ParentStore();
  /** This thread's recent fingerprints: a hit was put by this thread, so it is in the table. */
  private readonly recent = new RecentFingerprints();
  private readonly bounded: boolean;

  constructor(
    /** The shared table. */
    readonly table: SharedTable,
    /** This worker's index. */
    readonly index: number,
    /** How many workers share the table. */
    readonly workers: number,
    /**
     * The run's distinct-state bound (`maxStates`): every worker together stores at most this
     * many states; a new fingerprint past it is left in the table but not stored (the run is
     * stopping: the worker that stored the last state stops it).
     */
    private readonly bound = Infinity,
  ) {
    this.bounded = bound !== Infinity;
  }

  put(hi: number, lo: number, parent: number, action: number): number {
    if (this.recent.hitOrRecord(hi, lo) || !this.table.insert(hi, lo)) return -1;
    if (this.bounded && !this.table.claimStored(this.bound)) return -1;
    return this.store.add(parent, action) * this.workers + this.index;
  }

  touch(hi: number, lo: number): number {
    return this.recent.has(hi, lo) ? 0 : this.table.touch(hi, lo);
  }

  has(hi: number, lo: number): boolean {
    return this.recent.has(hi, lo) || this.table.has(hi, lo);
  }

  parent(id: number): number {
    return this.store.parent((id - this.index) / this.workers);
  }

  action(id: number): number {
    return this.store.action((id - this.index) / this.workers);
  }

  /** States this worker stored. */
  get size(): number {
    return this.store.count;
  }

  /** States stored by all workers: exact under a bound, else as {@link SharedTable.count} says. */
  get total(): number {
    return this.bounded ? this.table.storedUnder(this.bound) : this.table.count;
  }

  /** This worker's parent store and recent cache (the shared table is counted once, by the coordinator). */
  get bytes(): number {
    return this.store.bytes + this.recent.bytes;
  }
}

/** A worker's next level: records `(id, parent, action, length, words...)` in shared memory. */
export class LevelWriter extends WordBuffer {
  private blocks: number[] = [];
  /** States written. */
  count = 0;

  /** @param initialWords - the starting size, small on purpose (see {@link WordBuffer}). */
  constructor(initialWords = 64) {
    super(initialWords);
  }

  protected override alloc(words: number): Int32Array {
    return new Int32Array(new SharedArrayBuffer(words * 4));
  }

  /** Appends one state record; `encode` writes the state's words through this writer. */
  push<S>(encode: (s: S, out: StateEncoder) => void, s: S, id: number, parent: number, action: number): void {
    if (this.count % BLOCK === 0) this.blocks.push(this.used);
    const at = this.used;
    this.ensure(at + 4);
    const d = this.data;
    d[at] = id;
    d[at + 1] = parent;
    d[at + 2] = action;
    this.used = at + 4;
    encode(s, this);
    this.data[at + 3] = this.used - at - 4;
    this.count++;
  }

  /** The level written so far, to share. */
  finish(): LevelSource {
    return { buffer: this.data.buffer as SharedArrayBuffer, used: this.used, blocks: Int32Array.from(this.blocks), count: this.count };
  }

  /** Empties the writer, keeping its buffer (once no thread reads the level any more). */
  clear(): void {
    this.used = 0;
    this.count = 0;
    this.blocks = [];
  }
}

/**
 * The frontier of one worker in a parallel run: the level being expanded, read by every
 * worker (blocks of every worker's {@link LevelSource} are claimed through the table's
 * cursor), and this worker's part of the next level, written into one of its two
 * {@link LevelWriter}s (used in turn: the one written now, and the one the others read).
 */
export class SharedFrontier<S> implements Frontier<S> {
  /** This worker's part of the level made current by the last {@link SharedFrontier.advance}, to share. */
  finished: LevelSource | undefined;
  private readonly writers = [new LevelWriter(), new LevelWriter()];
  private writer = this.writers[0]!;
  private views: Int32Array[] = [];
  private sources: readonly LevelSource[] = [];
  private blockEnds: number[] = [];
  private totalBlocks = 0;
  private data: Int32Array = new Int32Array(0);
  private pos = 0;
  private end = 0;
  private last = 0;
  /** The blocks claimed and not yet started: `[nextBlock, runEnd)`. */
  private nextBlock = 0;
  private runEnd = 0;

  constructor(
    private readonly table: SharedTable,
    private readonly encode: (s: S, out: StateEncoder) => void,
    private readonly decode: (words: Int32Array, start: number, end: number) => S,
    /** How many threads share each level. */
    private readonly threads: number,
  ) {}

  /** Starts reading a level (every worker gets the same sources, in the same order). */
  open(sources: readonly LevelSource[]): void {
    this.sources = sources;
    this.views = sources.map((s) => new Int32Array(s.buffer));
    this.blockEnds = [];
    let n = 0;
    for (const s of sources) this.blockEnds.push((n += s.blocks.length));
    this.totalBlocks = n;
    this.pos = this.end = 0;
    this.nextBlock = this.runEnd = 0;
  }

  /** States in the level. */
  get size(): number {
    return this.sources.reduce((a, s) => a + s.count, 0);
  }

  get nextSize(): number {
    return this.writer.count;
  }

  /** Takes the next state of the level, or returns false when every block is claimed. */
  take(out: Taken<S>): boolean {
    if (this.pos >= this.end && !this.claim()) return false;
    const d = this.data;
    const at = this.pos;
    this.last = at;
    const id = d[at]!;
    const parent = d[at + 1]!;
    const action = d[at + 2]!;
    const len = d[at + 3]!;
    out.state = this.decode(d, at + 4, at + 4 + len);
    out.id = id;
    out.parent = parent;
    out.action = action;
    this.pos = at + 4 + len;
    return true;
  }

  /** Pauses (the state taken last is put back) when the table must grow first, or another worker stopped the run. */
  admit(successors: number): number {
    if (!this.table.mustPause(successors, this.threads)) return GO;
    this.pos = this.last;
    return this.table.stopped ? STOP : PAUSE;
  }

  /** The seeding worker inserts alone: it grows the table itself. */
  admitSeed(): void {
    if (this.table.full) this.table.attach(this.table.grown());
  }

  put(s: S, id: number, parent: number, action: number): void {
    this.writer.push(this.encode, s, id, parent, action);
  }

  stop(): void {
    this.table.stop();
  }

  /** Finishes this worker's part of the next level ({@link SharedFrontier.finished}) and starts writing the one after. */
  advance(): number {
    const level = this.writer.finish();
    this.finished = level;
    this.writer = this.writers[this.writer === this.writers[0] ? 1 : 0]!;
    this.writer.clear();
    return level.count;
  }

  private claim(): boolean {
    if (this.nextBlock >= this.runEnd) {
      const first = this.table.claimBlocks(this.totalBlocks, this.threads);
      if (first >= this.totalBlocks) {
        this.pos = this.end = 0;
        return false;
      }
      this.nextBlock = first;
      this.runEnd = Math.min(first + this.table.claimed, this.totalBlocks);
    }
    const b = this.nextBlock++;
    let w = 0;
    while (b >= this.blockEnds[w]!) w++;
    const src = this.sources[w]!;
    const j = b - (w === 0 ? 0 : this.blockEnds[w - 1]!);
    this.data = this.views[w]!;
    this.pos = src.blocks[j]!;
    this.end = j + 1 < src.blocks.length ? src.blocks[j + 1]! : src.used;
    return true;
  }
}
