/**
 * Parallel breadth-first search on worker threads (see `coordinator.ts`): the names the
 * command line and the tests use. A worker thread loads `worker.ts`, never this module.
 *
 * @packageDocumentation
 */
export { checkParallel, defaultWorkers, derivedCodecProblem, SOLO_BELOW, loadSpec } from './coordinator.js';
export type { ParallelOptions, ParallelResult, ParallelStats, SpecRef, WorkerMessage, WorkerReply, WorkerSummary } from './coordinator.js';
export { WorkerPool } from './coordinator.js';
