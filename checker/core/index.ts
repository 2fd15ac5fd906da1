/**
 * The public API of leasecheck's engine: write a {@link Spec}, then {@link check} it
 * (data) or {@link assert} it (throws, for tests).
 *
 * @packageDocumentation
 */
export type {
  Action,
  ActionArg,
  ActionProperty,
  Spec,
  StateEncoder,
  StateProperty,
  StepInfo,
  StepMessage,
} from './spec.js';
export { formatAction } from './spec.js';
export { check, assert, CheckFailure } from './explore.js';
export type { ActionCoverage, CheckEvent, CheckOptions, CheckResult, CheckStats, Violation } from './explore.js';
export type { Trace } from './trace.js';
export { ReplayError, StepNotEnabledError, replaySteps } from './trace.js';
export type { StepLabel } from './trace.js';
export { Fingerprinter, FingerprintError, collisionProbability } from './hash.js';
export type { HashOptions } from './hash.js';
export { CodecError, withDerivedCodec } from './codec.js';
export { FingerprintSet } from './fpset.js';
export type { VisitedSet } from './fpset.js';
export { checkParallel, defaultWorkers, WorkerPool } from './parallel.js';
export type { ParallelOptions, ParallelResult, ParallelStats, SpecRef } from './parallel.js';
export { Explorer } from './explore.js';
