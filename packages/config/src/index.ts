export {
  ConfigError,
  type ConfigProblem,
  type Env,
  type EnvReader,
  envReader,
  type Format,
  type IntOptions,
  type ListOptions,
  lazyConfig,
  type ProblemSink,
  readEnv,
} from './env';
export {
  DAY_SECONDS,
  IDEMPOTENCY,
  INLINE_UPLOAD,
  idempotencyRecordExpiryDays,
  KINESIS_ATTEMPTS,
  MIB,
  PROCESSOR_CONCURRENCY,
} from './limits';
export {
  FUNCTION_ENV,
  FUNCTION_IDS,
  type FunctionEnvName,
  type FunctionId,
  functionName,
  KEY_PREFIXES,
  ROUTES,
  type RouteKey,
  STACK_OUTPUTS,
  STREAM_PROXY_ROUTES,
  type StackOutputName,
  type StreamProxyRoute,
  serviceName,
  stackName,
} from './names';
export { VARIABLES, type Variable, type VariableName, type VariableScope, variablesOf } from './variables';
