/**
 * The thread protocol of the parallel checker, at the bottom of `checker/parallel`: where a
 * worker finds its spec ({@link SpecRef}), the shared buffers that cross threads
 * ({@link SharedTableBuffers}, {@link LevelSource}), and the messages between the coordinator
 * (`coordinator.ts`) and a worker (`worker-core.ts`, `worker.ts`). Both sides import this
 * module and neither imports the other, so a worker thread never loads the coordinator.
 */
import type { ActionCoverage, CheckOptions, Finding } from '../core/explore.js';
import type { Action, Spec } from '../core/spec.js';

/** The buffers that make up a shared fingerprint table (`shared.ts`); post them to a worker to share the table. */
export interface SharedTableBuffers {
  /** Counters: states stored, the stop flag, the level's block cursor. */
  readonly ctrl: SharedArrayBuffer;
  /** The slots: two Int32 words each. */
  readonly slots: SharedArrayBuffer;
}

/** One worker's finished level, readable by every worker. */
export interface LevelSource {
  /** The records. */
  readonly buffer: SharedArrayBuffer;
  /** Words used. */
  readonly used: number;
  /** Where each block starts (word offsets). */
  readonly blocks: Int32Array;
  /** States in the level. */
  readonly count: number;
}

/** Where a worker finds the spec: `import(module)[export]`, called with `args` when it is a function. */
export interface SpecRef {
  /** A module URL (`file://...`) or specifier. */
  readonly module: string;
  /** The export: a spec, or a function returning one. */
  readonly export: string;
  /** Arguments for the function (structured-cloneable). */
  readonly args: readonly unknown[];
}

/** Loads the spec a {@link SpecRef} names. TypeScript modules need the tsx loader in this thread. */
export async function loadSpec(ref: SpecRef): Promise<Spec<unknown, Action>> {
  const mod = (await import(ref.module)) as Record<string, unknown>;
  const x = mod[ref.export];
  if (x === undefined) throw new Error(`${ref.module} has no export '${ref.export}'`);
  return (typeof x === 'function' ? await (x as (...a: unknown[]) => unknown)(...ref.args) : x) as Spec<unknown, Action>;
}

/** Coordinator to worker. */
export type WorkerMessage =
  | {
      /** Builds the spec of a run and a fresh explorer on its table; answered with `ready`. */
      readonly type: 'load';
      readonly ref: SpecRef;
      readonly options: CheckOptions;
      readonly index: number;
      readonly workers: number;
      readonly table: SharedTableBuffers;
      /** The spec has no `encode`/`decode`: use the derived encoding (`codec.ts`). */
      readonly derive: boolean;
    }
  /** The run is over: drops its spec and buffers (not answered). */
  | { readonly type: 'unload' }
  | { readonly type: 'seed' }
  | { readonly type: 'join'; readonly depth: number; readonly slots: SharedArrayBuffer }
  | { readonly type: 'advance' }
  | { readonly type: 'open'; readonly levels: readonly LevelSource[] }
  | { readonly type: 'table'; readonly slots: SharedArrayBuffer }
  | { readonly type: 'expand'; readonly deadline: number }
  /** At the depth bound: whether some successor of the level is not stored (storing nothing); answered with `probed`. */
  | { readonly type: 'probe' }
  | { readonly type: 'lookup'; readonly gid: number }
  | { readonly type: 'stats' };

/** What a worker reports after a phase. */
export interface WorkerSummary {
  /** States this worker stored. */
  readonly size: number;
  readonly generated: number;
  /** States this worker stored for the next level. */
  readonly nextSize: number;
  readonly stopped: boolean;
  /** Expansion paused for the shared table to grow. */
  readonly paused: boolean;
  readonly findings: Finding[];
}

/** Worker to coordinator. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'summary'; readonly summary: WorkerSummary }
  | { readonly type: 'seeded'; readonly summary: WorkerSummary; readonly slots: SharedArrayBuffer }
  | { readonly type: 'advanced'; readonly summary: WorkerSummary; readonly level: LevelSource }
  | { readonly type: 'probed'; readonly summary: WorkerSummary; readonly unseen: boolean }
  | { readonly type: 'lookup'; readonly entry: [number, number] }
  | {
      readonly type: 'stats';
      readonly coverage: [string, ActionCoverage][];
      readonly sometimes: [string, number | null][];
      readonly levels: number[];
      readonly bytes: number;
    };
