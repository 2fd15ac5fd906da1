/**
 * A worker thread of the parallel checker. It waits for a `load` message (a {@link SpecRef},
 * the options, its index and the shared table), builds the spec, answers `ready`, then answers
 * the coordinator's messages with a {@link workerHandler}. A thread of a {@link WorkerPool}
 * gets a `load` for each run it takes part in, and keeps what V8 compiled between runs.
 */
import { parentPort } from 'node:worker_threads';
import { loadSpec, type WorkerMessage, type WorkerReply } from './protocol.js';
import { workerHandler } from './worker-core.js';
import { withDerivedCodec } from '../core/codec.js';

const port = parentPort!;
let handle: ((m: WorkerMessage) => WorkerReply) | null = null;

async function answer(m: WorkerMessage): Promise<void> {
  switch (m.type) {
    case 'load':
      handle = null;
      {
        const spec = await loadSpec(m.ref);
        handle = workerHandler(m.derive ? withDerivedCodec(spec) : spec, m.options, m.index, m.workers, m.table);
      }
      port.postMessage({ type: 'ready' } satisfies WorkerReply);
      return;
    case 'unload':
      // The run is over: let its spec and buffers go. No reply.
      handle = null;
      return;
    default:
      if (handle === null) throw new Error(`internal error: a '${m.type}' message reached a worker with no spec loaded`);
      port.postMessage(handle(m));
  }
}

// One message at a time, in order: a message that arrives while a spec loads waits for it. A
// failure is rethrown outside the chain, where it ends the thread as an uncaught error (the
// coordinator sees the worker's 'error' event), as a throw in a plain message listener would.
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: WorkerMessage) => {
  queue = queue
    .then(() => answer(m))
    .catch((e: unknown) => {
      setImmediate(() => {
        throw e;
      });
    });
});
