/**
 * A worker thread of the parallel checker: builds the spec from its {@link SpecRef}, then
 * answers the coordinator's messages with a {@link workerHandler}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckOptions } from './explore.js';
import { loadSpec, type SpecRef, type WorkerMessage, type WorkerReply } from './parallel.js';
import type { SharedTableBuffers } from './shared.js';
import { workerHandler } from './worker-core.js';

const { ref, options, index, workers, table } = workerData as {
  ref: SpecRef;
  options: CheckOptions;
  index: number;
  workers: number;
  table: SharedTableBuffers;
};

const handle = workerHandler(await loadSpec(ref), options, index, workers, table);
const port = parentPort!;
port.on('message', (m: WorkerMessage) => port.postMessage(handle(m)));
port.postMessage({ type: 'ready' } satisfies WorkerReply);
