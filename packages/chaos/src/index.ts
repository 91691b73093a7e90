/**
 * @streamdrop/chaos: fault injection into a local stack (S3 errors and latency, Kinesis
 * throttling, crashed execution environments, all seeded) and the chaos run that proves nothing
 * acknowledged is lost under them. It reaches the runtime only through @streamdrop/local's
 * public seams: endpoint overrides and the invoker wrapper of a RuntimeExtension.
 */
export { ChaosError } from './errors';
export { type CrashInjection, type CrashStats, crashInjection } from './faults/crash';
export {
  type FaultControl,
  type FaultInjection,
  type FaultInjectionOptions,
  type FaultStats,
  type FaultsSection,
  faultInjection,
  faultStatsDir,
  faultsSection,
  readFaultStats,
} from './faults/injection';
export {
  type FaultProxy,
  type FaultProxyOptions,
  type ProxyStats,
  parseS3Path,
  shardIdFor,
  startFaultProxy,
} from './faults/proxy';
export { newSeed, type Random, seededRandom } from './faults/random';
export {
  anyFault,
  describeFaults,
  FAULT_OPTIONS,
  type FaultInput,
  type FaultKey,
  type FaultOption,
  type FaultSettings,
  faultFlagsOf,
  faultSettingsFrom,
  NO_FAULTS,
} from './faults/settings';
export {
  objectVersionCounts,
  openVersionLog,
  readVersionLog,
  type VersionLog,
  type VersionLogEntry,
  versionLogPath,
} from './faults/version-log';
export {
  type AcceptedUpload,
  type DriveCounts,
  driveUploads,
  type PlannedUpload,
  planUpload,
} from './run/driver';
export { finalSweep, keysNamedByEvents } from './run/orphans';
export { type FailureIndex, type Reconciliation, reconcile } from './run/reconcile';
export { type ChaosOptions, type ChaosResult, cleanUp, runChaos, type StackTarget } from './run/run';
export { type StackCommand, type StackProcess, startStackProcess } from './run/stack-process';
