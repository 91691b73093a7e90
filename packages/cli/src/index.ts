/**
 * @streamdrop/cli: the commands a person types (`npm start`: start.ts, `pnpm streamdrop`:
 * streamdrop.ts, `pnpm chaos`: chaos.ts). What they build on is exported here: the operator tools
 * (failures, redrive, replay) that work the same against the local stack and a deployed one.
 */
export {
  describeFailure,
  type FailedRecord,
  type Failure,
  type FailureSummary,
  failuresByUpload,
  listFailureIds,
  type RecoveryTarget,
  readFailure,
  resolveFailureId,
} from './recovery/failures';
export { type RedriveOptions, type RedriveOutcome, redrive } from './recovery/redrive';
export { type ReplayCounts, type ReplayOptions, replay } from './recovery/replay';
export { recoveryTargetFrom, type Target, type TargetFlags, targetFrom } from './targets';
