/**
 * The coordinator's side of the threads: a channel to each worker ({@link LocalChannel} for
 * worker 0 in the coordinator's thread, {@link Channel} for a worker thread) and the
 * {@link WorkerPool} that keeps threads up between the runs of one command. A thread runs
 * `worker.ts` (through `worker-boot.mjs`, which registers tsx, when TypeScript must load).
 */
import { Worker } from 'node:worker_threads';
import type { WorkerMessage, WorkerReply } from './protocol.js';

/** How the coordinator talks to one worker. */
export interface WorkerChannel {
  /** Sends a message; resolves with the worker's reply (replies come in order). */
  ask(m: WorkerMessage): Promise<WorkerReply>;
  /** Ends the worker. */
  close(): Promise<unknown>;
}

/** Worker 0, in this thread: each message is answered at once. */
export class LocalChannel implements WorkerChannel {
  constructor(private readonly handle: (m: WorkerMessage) => WorkerReply) {}
  ask(m: WorkerMessage): Promise<WorkerReply> {
    try {
      return Promise.resolve(this.handle(m));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
  close(): Promise<unknown> {
    return Promise.resolve();
  }
}

/**
 * A worker thread, for one run: the channel sends it the run's `load` at once, and messages
 * sent before it has loaded wait their turn in the thread.
 */
export class Channel implements WorkerChannel {
  private waiting: ((r: WorkerReply) => void)[] = [];
  private failure: Error | undefined;
  private readonly onMessage = (r: WorkerReply): void => this.waiting.shift()?.(r);
  private readonly onError = (e: Error): void => {
    this.failure = e;
    for (const w of this.waiting.splice(0)) w({ type: 'ready' });
  };
  /**
   * @param pool - the {@link WorkerPool} the thread belongs to, if any: closing the channel then
   * gives the thread back to it (unloaded, for the next run) instead of ending it
   */
  constructor(
    readonly worker: Worker,
    load: Extract<WorkerMessage, { type: 'load' }>,
    private readonly pool: WorkerPool | undefined,
  ) {
    worker.on('message', this.onMessage);
    worker.on('error', this.onError);
    // Answered with `ready` once the thread has built the run's spec. A thread that fails
    // before it is needed is reported by the next ask, if any.
    this.ask(load).catch(() => undefined);
  }
  async close(): Promise<unknown> {
    if (!this.pool || this.failure) return this.worker.terminate();
    // Every reply must arrive while this channel listens (the thread may still be loading, if
    // the run never needed it): a late one would answer the next run's first message.
    await this.last.catch(() => undefined);
    if (this.failure) return this.worker.terminate();
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onError);
    this.worker.postMessage({ type: 'unload' } satisfies WorkerMessage);
    this.pool.release(this.worker);
    return undefined;
  }
  next(): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      if (this.failure) reject(this.failure);
      else
        this.waiting.push((r) => {
          if (this.failure) reject(this.failure);
          else resolve(r);
        });
    });
  }
  ask(m: WorkerMessage): Promise<WorkerReply> {
    const p = this.next();
    this.worker.postMessage(m);
    this.last = p;
    return p;
  }
  /** The reply to the last message sent (replies come in order). */
  private last: Promise<unknown> = Promise.resolve();
}

/** The worker thread's module, and the boot module that registers tsx before loading it. */
const here = import.meta.url;
export const fromSources = here.endsWith('.ts');
const workerUrl = new URL(fromSources ? './worker.ts' : './worker.js', here);
const bootUrl = new URL('./worker-boot.mjs', here);

/** Starts a worker thread; with `tsx`, one that can load TypeScript modules. */
export function startThread(tsx: boolean): Worker {
  return tsx ? new Worker(bootUrl, { workerData: { entry: workerUrl.href } }) : new Worker(workerUrl);
}

/**
 * Worker threads shared by successive parallel runs ({@link ParallelOptions.pool}), such as
 * the checks of a suite. A thread is started when a run first needs it and stays up between
 * runs, unreferenced (it does not keep the process alive); {@link WorkerPool.close} ends them.
 * A thread that failed is replaced by a new one at the next run.
 */
export class WorkerPool {
  private readonly threads = new Map<number, { worker: Worker; tsx: boolean; alive: boolean }>();
  private closed = false;

  /**
   * The thread for worker `index` (1 and up: worker 0 is the coordinator's thread) of a run;
   * `tsx` when the run loads TypeScript.
   */
  take(index: number, tsx: boolean): Worker {
    if (this.closed) throw new Error('internal error: the worker pool is closed');
    let t = this.threads.get(index);
    if (t && (!t.alive || (tsx && !t.tsx))) {
      void t.worker.terminate();
      t = undefined;
    }
    if (!t) {
      const entry = { worker: startThread(tsx), tsx, alive: true };
      entry.worker.on('exit', () => (entry.alive = false));
      // An error also ends the thread; the run that used it reports it.
      entry.worker.on('error', () => (entry.alive = false));
      this.threads.set(index, (t = entry));
    }
    t.worker.ref();
    return t.worker;
  }

  /** Gives a thread back after a run: it stays up, but no longer keeps the process alive. */
  release(worker: Worker): void {
    worker.unref();
  }

  /** The thread ids of the threads started and still up (`worker.threadId`). */
  get threadIds(): number[] {
    return [...this.threads.values()].filter((t) => t.alive).map((t) => t.worker.threadId);
  }

  /** Ends every thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.threads.values()].map((t) => t.worker.terminate()));
    this.threads.clear();
  }
}
