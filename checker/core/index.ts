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
  StateField,
  TimelineClaim,
  TimelineSample,
  FairnessConstraint,
  FairnessGroup,
  TemporalKind,
  TemporalProperty,
} from './spec.js';
export { formatAction } from './spec.js';
export { check, checkAsync, assert, CheckFailure } from './explore.js';
export type { ActionCoverage, CheckEvent, CheckOptions, CheckResult, CheckStats, Violation } from './explore.js';
export type { Trace } from './trace.js';
export { checkLiveness, checkLasso, LivenessRefused } from './liveness.js';
export type { LivenessInfo, LivenessOptions, LivenessResult } from './liveness.js';
export { findScenario, findScenarioStaged, scenarioSpec } from './scenario.js';
export type { Scenario, ScenarioResult, ScenarioState, StagedResult } from './scenario.js';
export { measure, withGhost } from './measure.js';
export type { Extreme, Ghost, GhostState, Measure, MeasureOptions, MeasureOutcome, MeasureResult } from './measure.js';
export { ContractError, checkStateContract, reordered, verifyTrace } from './verify.js';
export { ReplayError, StepNotEnabledError, replaySteps } from './trace.js';
export type { StepLabel } from './trace.js';
export { Fingerprinter, FingerprintError, collisionProbability } from './hash.js';
export type { HashOptions } from './hash.js';
export { CodecError, withDerivedCodec } from './codec.js';
export { FingerprintSet } from './fpset.js';
export type { VisitedSet } from './fpset.js';
export { checkParallel, defaultWorkers, WorkerPool } from '../parallel/index.js';
export type { ParallelOptions, ParallelResult, ParallelStats, SpecRef } from '../parallel/index.js';
export { Explorer } from './explore.js';
export {
  schema,
  Schema,
  defineSpec,
  SchemaBoundError,
  Type,
  IntType,
  BoolType,
  EnumType,
  DomainType,
  OptionalType,
  RecordType,
  TupleType,
  UnionType,
  ArrayType,
  SeqType,
  SetType,
  BagType,
  BitSetValue,
  ListSetValue,
  BagValue,
  int,
  bool,
  enumOf,
  domain,
  optional,
  record,
  tuple,
  union,
  arrayOf,
  seq,
  setOf,
  bagOf,
  except,
  append,
  tail,
  toJSONValue,
  toITFValue,
  diffValues,
  formatChange,
  INTERN_LIMIT,
  BITSET_LIMIT,
  SMALL_SET_BITS,
} from './schema.js';
export type { Infer, SetValue, OfVariant, Change, Layout, Fields, SchemaSpec, SchemaSpecDef, ActionDef, StepResult, Param } from './schema.js';
