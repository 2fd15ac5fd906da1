/**
 * The frontier of a breadth-first search: the level being expanded, from which the explorer
 * takes states, and the next level, into which it puts the new ones. The explorer's pipeline
 * (`explore.ts`) sees only this interface; {@link LevelFrontier} is the one-thread frontier,
 * and the parallel checker's `SharedFrontier` (`checker/parallel/shared.ts`) is a level in
 * shared memory that every worker takes blocks of.
 */
import type { VisitedSet } from './fpset.js';
import type { Action, Spec } from './spec.js';
import { ObjectLevel, WordLevel, type Level } from './level.js';

/** A state taken from a frontier: the state, its id in the visited set, its parent id and action index. */
export interface Taken<S> {
  state: S;
  id: number;
  parent: number;
  action: number;
}

/** What {@link Frontier.admit} answers: expand the state taken last. */
export const GO = 0;
/** The state taken last was put back: pause the level (the shared table must grow first). */
export const PAUSE = 1;
/** The state taken last was put back: another worker stopped the run. */
export const STOP = 2;

/** Where an explorer takes the states it expands and puts the new states it stores. */
export interface Frontier<S> {
  /** States in the level being expanded (the whole level, taken or not). */
  readonly size: number;
  /** States put into the next level by this explorer. */
  readonly nextSize: number;
  /** Takes the next state of the current level into `out`; false when every state is taken. */
  take(out: Taken<S>): boolean;
  /**
   * Whether the state taken last, which has `successors` successors, may be expanded now:
   * {@link GO}, or {@link PAUSE} or {@link STOP}, and then the state is put back.
   */
  admit(successors: number): number;
  /** Makes room for one more initial state (the seeding explorer is the only one inserting). */
  admitSeed(): void;
  /** Puts a new state, stored with id `id` from `parent` by action `action`, into the next level. */
  put(s: S, id: number, parent: number, action: number): void;
  /** Tells whoever shares the frontier that the run stopped. */
  stop(): void;
  /** Makes the next level current; returns the number of states this explorer put into it. */
  advance(): number;
}

/**
 * The frontier of one thread: two {@link Level}s used in turn. A level's ids are consecutive
 * (the visited set numbers states in discovery order), so a taken state's id is the level's
 * first id plus its position, and its parent and action are read from the visited set.
 */
export class LevelFrontier<S> implements Frontier<S> {
  private current: Level<S>;
  private next: Level<S>;
  /** The id of the current level's first state. */
  private currentStart = 0;
  private cursor = 0;

  constructor(
    spec: Pick<Spec<S, Action>, 'encode' | 'decode'>,
    private readonly seen: VisitedSet,
  ) {
    // Words when the spec can encode and decode its states (a few bytes a state), else objects.
    const newLevel = (): Level<S> =>
      spec.decode && spec.encode ? new WordLevel<S>(spec.encode.bind(spec), spec.decode.bind(spec)) : new ObjectLevel<S>();
    this.current = newLevel();
    this.next = newLevel();
  }

  get size(): number {
    return this.current.length;
  }

  get nextSize(): number {
    return this.next.length;
  }

  take(out: Taken<S>): boolean {
    if (this.cursor >= this.current.length) return false;
    const id = this.currentStart + this.cursor++;
    out.state = this.current.take();
    out.id = id;
    out.parent = this.seen.parent(id);
    out.action = this.seen.action(id);
    return true;
  }

  admit(): number {
    return GO;
  }

  admitSeed(): void {}

  put(s: S): void {
    this.next.push(s);
  }

  stop(): void {}

  advance(): number {
    const done = this.current;
    done.clear();
    this.current = this.next;
    this.next = done;
    this.cursor = 0;
    this.currentStart = this.seen.size - this.current.length;
    return this.current.length;
  }
}
