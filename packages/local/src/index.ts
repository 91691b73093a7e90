/**
 * @streamdrop/local: the local runtime. `startLocalStack` brings the synthesized stack up on
 * 127.0.0.1 (cognito-local, s3rver, kinesalite, the HTTP API gateway, the Kinesis poller and the
 * function runner); extensions join it through `RuntimeExtension`.
 */

export { type AlarmDefinition, type AlarmState, evaluateAlarm, readAlarms } from './alarms/alarms';
export { type BootstrapState, bootstrap, generatePassword, type LocalUser } from './bootstrap';
export {
  allRecordData,
  localCognitoClient,
  localDynamoDbClient,
  localKinesisClient,
  localS3Client,
  S3RVER_CREDENTIALS,
} from './clients';
export {
  assertPortFree,
  DEFAULT_PORTS,
  type EmulatorPorts,
  freePort,
  freePorts,
  portFlags,
  type StackPorts,
} from './emulators';
export { EmulatorError, LocalError, PortInUseError, StackError } from './errors';
export type { ExtensionContext, ExtensionHooks, RuntimeExtension } from './extensions';
export { createFunctionRunner, type FunctionRunner, type RunnerOptions } from './functions/runner';
export { type Gateway, type GatewayOptions, type HttpApiEvent, startGateway } from './gateway';
export {
  DAY_SECONDS,
  type LifecycleRule,
  type LifecycleState,
  lifecycleRules,
  lifecycleStatePath,
  readLifecycleState,
  type SweepReport,
  sweepLifecycle,
} from './lifecycle';
export {
  findLocalConfig,
  type LocalConfig,
  localConfigPath,
  readLocalConfig,
  removeLocalConfig,
  writeLocalConfig,
} from './local-config';
export { type LocalStack, type LocalStackOptions, startLocalStack } from './local-stack';
export { type MetricDatum, parseEmf } from './metrics/emf';
export { type AlarmStatus, type LocalStats, Monitor, STATS_FILE } from './metrics/monitor';
export { MetricStore, percentile } from './metrics/store';
export { defaultStackFile, defaultStage, defaultStateDir, localPackageDir, repoRoot } from './paths';
export {
  buildOnFailureRecord,
  type OnFailureRecord,
  onFailureObjectKey,
  type Poller,
  type PollerOptions,
  startPoller,
  toPendingRecord,
} from './poller';
export { type LocalTokens, signInLocalUser } from './sign-in';
export { buildRuntimeModel, LOCAL_ACCOUNT_ID, type RuntimeModel, readInventory } from './stack/model';
export {
  type EnvironmentHandle,
  type EventSourceMappingModel,
  type FunctionModel,
  type InvocationObserver,
  type InvokeResult,
  type Invoker,
  type JwtAuthorizerModel,
  type Log,
  type RouteModel,
  silentLog,
} from './types';
