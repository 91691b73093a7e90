import { DIRECT_UPLOAD, IDEMPOTENCY, INLINE_UPLOAD, KINESIS_ATTEMPTS, PROCESSOR_CONCURRENCY } from './limits';
import { ALARM_DEFAULTS } from './monitoring';
import { DEFAULT_TRANSFORM, FUNCTION_ENV, TRANSFORM_NAMES } from './names';

/**
 * The configuration reference: every environment variable streamdrop reads, who reads it, its
 * default and what it means. docs/configuration.md shows exactly these rows (a test keeps the
 * two in step), and the stack's error messages take their wording from here.
 */

/** Who reads a variable. */
export type VariableScope =
  /** `pnpm synth` / `cdktf synth`: shapes the stack. */
  | 'deploy'
  /** Set on a function by the stack (or the local runtime); read by the function. */
  | 'function'
  /** `npm start` and the `streamdrop` CLI. */
  | 'local'
  /** The build, plan, deploy and bench scripts. */
  | 'tools';

export interface Variable {
  readonly scope: VariableScope;
  /** The value used when the variable is unset, as a person would write it; `—` when there is none. */
  readonly default: string;
  readonly meaning: string;
}

const uploadCap = `1-${INLINE_UPLOAD.maxBytesCeiling}`;
const ttlRange = `1-${IDEMPOTENCY.maxTtlSeconds}`;
const transforms = Object.values(TRANSFORM_NAMES).join(', ');
const directCap = `1-${DIRECT_UPLOAD.maxBytesCeiling}`;
const urlTtlRange = `${DIRECT_UPLOAD.minUrlTtlSeconds}-${DIRECT_UPLOAD.maxUrlTtlSeconds}`;

/** A row of one scope; the scope stays in the type, so that `VariableNameOf<'deploy'>` can be computed. */
const row =
  <S extends VariableScope>(scope: S) =>
  (def: string, meaning: string): Variable & { readonly scope: S } => ({ scope, default: def, meaning });
const deploy = row('deploy');
const fn = row('function');
const local = row('local');
const tools = row('tools');

export const VARIABLES = {
  // --- the stack ---------------------------------------------------------------------------
  STREAMDROP_STAGE: deploy(
    'dev',
    'stage name, 1-16 of a-z 0-9 -; names the stack streamdrop-<stage>; the default stage of the scripts, npm start and the CLI',
  ),
  STREAMDROP_STAGES: deploy(
    'STREAMDROP_STAGE alone',
    'comma-separated stages to synthesize, one stack each (cdktf deploy streamdrop-<stage>); must include STREAMDROP_STAGE',
  ),
  AWS_REGION: deploy('AWS_DEFAULT_REGION, else us-east-1', 'AWS region of the stack'),
  STREAMDROP_CALLBACK_URLS: deploy('http://localhost:3000/', 'comma-separated OAuth callback URLs'),
  STREAMDROP_LOGOUT_URLS: deploy('http://localhost:3000/', 'comma-separated OAuth sign-out URLs'),
  STREAMDROP_CORS_ORIGINS: deploy(
    'http://localhost:3000',
    'comma-separated browser origins allowed by the API (exact origins, no wildcard)',
  ),
  STREAMDROP_AUTH_DOMAIN_PREFIX: deploy(
    'streamdrop-<stage>-<suffix>',
    'full Cognito hosted UI domain prefix (unique per region across all of AWS)',
  ),
  STREAMDROP_AUTH_DOMAIN_SUFFIX: deploy('auth', 'last part of the default hosted UI domain prefix'),
  STREAMDROP_ADMIN_GROUP: deploy('admins', 'Cognito group whose members may use the streams proxy'),
  STREAMDROP_DELETION_PROTECTION: deploy('true', 'protect the user pool from deletion: true or false'),
  STREAMDROP_BATCH_SIZE: deploy('10', 'Kinesis records per processor invocation, 1-10000'),
  STREAMDROP_STARTING_POSITION: deploy(
    'LATEST',
    'where a new event source mapping starts: LATEST or TRIM_HORIZON',
  ),
  STREAMDROP_BATCH_WINDOW_SECONDS: deploy('0', 'maximum batching window in seconds, 0-300'),
  STREAMDROP_MAX_RETRY_ATTEMPTS: deploy(
    '5',
    'retries of a failing batch, -1 (until the record expires) to 10000',
  ),
  STREAMDROP_MAX_RECORD_AGE_SECONDS: deploy(
    '3600',
    'oldest record still processed: -1 (no limit) or 60-604800; uploads never acknowledged expire a day after the longer of this and the 24 h stream retention',
  ),
  STREAMDROP_PARALLELIZATION_FACTOR: deploy('1', 'concurrent batches per shard, 1-10'),
  STREAMDROP_PROCESSOR_CONCURRENCY: deploy(
    String(PROCESSOR_CONCURRENCY.default),
    `records processed at once inside one batch, 1-${PROCESSOR_CONCURRENCY.max}`,
  ),
  STREAMDROP_TRANSFORM: deploy(
    DEFAULT_TRANSFORM,
    `what the processor makes of each upload, by name: ${transforms} (see docs/extending.md)`,
  ),
  STREAMDROP_PROXY_STREAM_ARNS: deploy(
    'none (only the pipeline stream)',
    'comma-separated ARNs of further Kinesis streams the admin proxy may use',
  ),
  STREAMDROP_MAX_UPLOAD_BYTES: deploy(
    String(INLINE_UPLOAD.defaultMaxBytes),
    `largest decoded inline upload accepted, ${uploadCap} bytes`,
  ),
  STREAMDROP_MAX_DIRECT_UPLOAD_BYTES: deploy(
    String(DIRECT_UPLOAD.defaultMaxBytes),
    `largest upload sent straight to S3 (an upload session), ${directCap} bytes; larger is refused with 413`,
  ),
  STREAMDROP_UPLOAD_URL_TTL_SECONDS: deploy(
    String(DIRECT_UPLOAD.defaultUrlTtlSeconds),
    `how long the presigned PUT URLs of an upload session stay valid, ${urlTtlRange} s`,
  ),
  STREAMDROP_IDEMPOTENCY_TTL_SECONDS: deploy(
    String(IDEMPOTENCY.defaultTtlSeconds),
    `how long an Idempotency-Key replays its first response, ${ttlRange} s; records expire a day later`,
  ),
  STREAMDROP_LOG_RETENTION_DAYS: deploy(
    '14',
    "CloudWatch log retention in days (one of CloudWatch's periods)",
  ),
  STREAMDROP_ALARM_EMAIL: deploy(
    'none (alarms go to the SNS topic only)',
    "an email address subscribed to the stack's alarm topic (it must confirm the subscription)",
  ),
  STREAMDROP_ALARM_ITERATOR_AGE_SECONDS: deploy(
    String(ALARM_DEFAULTS.iteratorAgeSeconds),
    "alarm when the processor's iterator age (its oldest unprocessed record) exceeds this, 1-604800 s",
  ),
  STREAMDROP_ALARM_FUNCTION_ERRORS: deploy(
    String(ALARM_DEFAULTS.functionErrors),
    'alarm when one function has at least this many errors in a minute, 1-100000',
  ),
  STREAMDROP_ALARM_FUNCTION_THROTTLES: deploy(
    String(ALARM_DEFAULTS.functionThrottles),
    'alarm when one function is throttled at least this many times in a minute, 1-100000',
  ),
  STREAMDROP_ALARM_FAILURES: deploy(
    String(ALARM_DEFAULTS.failures),
    'alarm when at least this many records fail permanently or reach the on-failure destination in a minute, 1-100000',
  ),
  STREAMDROP_ALARM_API_5XX_PERCENT: deploy(
    String(ALARM_DEFAULTS.api5xxPercent),
    'alarm when more than this percent of API requests answer 5xx over five minutes, 1-100',
  ),
  STREAMDROP_ALARM_UPLOAD_503S: deploy(
    String(ALARM_DEFAULTS.upload503s),
    'alarm when at least this many uploads answer 503 in five minutes, 1-100000',
  ),
  STREAMDROP_ALARM_KINESIS_WRITE_THROTTLES: deploy(
    String(ALARM_DEFAULTS.kinesisWriteThrottles),
    'alarm when Kinesis throttles at least this many writes in five minutes, 1-100000',
  ),
  STREAMDROP_FORCE_DESTROY: deploy('false', 'let destroy delete non-empty buckets: true or false'),
  STREAMDROP_API_BURST_LIMIT: deploy('100', 'API throttling burst, 1-5000'),
  STREAMDROP_API_RATE_LIMIT: deploy('50', 'API throttling steady rate per second, 1-10000'),
  STREAMDROP_STATE_BUCKET: deploy('none (local state in .state/)', 'S3 bucket for Terraform state'),
  STREAMDROP_STATE_REGION: deploy('the stack region', 'region of the state bucket'),
  STREAMDROP_WEB_HOSTING: deploy(
    'true',
    'host the web client on a private S3 bucket behind CloudFront, its URL added to the sign-in callbacks and CORS origins: true or false',
  ),
  STREAMDROP_WEB_DIR: deploy(
    '<repo>/dist/web',
    'folder of the built web client (pnpm build writes it; synth uploads it when STREAMDROP_WEB_HOSTING is true)',
  ),
  STREAMDROP_BUNDLES_DIR: deploy(
    '<repo>/dist/functions',
    'folder of the function bundles (the build writes it; synth and the bench read it)',
  ),
  CDKTF_OUTDIR: deploy('<repo>/cdktf.out', 'synth output folder'),

  // --- the functions (set by the stack; never by hand) --------------------------------------
  [FUNCTION_ENV.dataBucket]: fn('— (required)', 'bucket of uploads/, processed/ and idempotency/'),
  [FUNCTION_ENV.failuresBucket]: fn('— (required by the processor)', 'bucket of failure records'),
  [FUNCTION_ENV.streamName]: fn('— (required by the upload function)', 'Kinesis stream of upload events'),
  [FUNCTION_ENV.maxUploadBytes]: fn(
    String(INLINE_UPLOAD.defaultMaxBytes),
    `upload function: largest decoded inline upload, ${uploadCap}`,
  ),
  [FUNCTION_ENV.idempotencyTtlSeconds]: fn(
    String(IDEMPOTENCY.defaultTtlSeconds),
    `upload function: how long an Idempotency-Key replays its first response, ${ttlRange}`,
  ),
  [FUNCTION_ENV.uploadsTable]: fn(
    '— (required by the session routes)',
    'DynamoDB table of upload statuses (upload function and processor)',
  ),
  [FUNCTION_ENV.maxDirectUploadBytes]: fn(
    String(DIRECT_UPLOAD.defaultMaxBytes),
    `upload function: largest upload session, ${directCap}`,
  ),
  [FUNCTION_ENV.uploadUrlTtlSeconds]: fn(
    String(DIRECT_UPLOAD.defaultUrlTtlSeconds),
    `upload function: validity of a session's presigned PUT URLs, ${urlTtlRange}`,
  ),
  [FUNCTION_ENV.kinesisMaxAttempts]: fn(
    `${KINESIS_ATTEMPTS.uploadDefault} (upload), ${KINESIS_ATTEMPTS.streamsDefault} (streams)`,
    `tries per Kinesis call, the first included, 1-${KINESIS_ATTEMPTS.ceiling}`,
  ),
  [FUNCTION_ENV.processorConcurrency]: fn(
    String(PROCESSOR_CONCURRENCY.default),
    `processor: records of one batch processed at once, 1-${PROCESSOR_CONCURRENCY.max}`,
  ),
  [FUNCTION_ENV.transform]: fn(DEFAULT_TRANSFORM, `processor: its transform, by name: ${transforms}`),
  [FUNCTION_ENV.adminGroup]: fn('— (required by the streams function)', 'Cognito group of administrators'),
  [FUNCTION_ENV.allowedStreams]: fn(
    '— (required by the streams function)',
    'comma-separated stream names the proxy may use',
  ),
  [FUNCTION_ENV.s3ForcePathStyle]: fn('false', 'path-style S3 URLs; set only by the local runtime (s3rver)'),
  [FUNCTION_ENV.serviceName]: fn('streamdrop-<function>', "Powertools' service name in every log line"),
  [FUNCTION_ENV.metricsNamespace]: fn(
    'Streamdrop/<stage>',
    "Powertools Metrics' namespace of the function's metrics (EMF)",
  ),
  [FUNCTION_ENV.memorySize]: fn(
    '— (set by Lambda)',
    "processor: the function's memory in MB; records buffer at most a quarter of it (128 MiB when unset)",
  ),

  // --- npm start and the streamdrop CLI ------------------------------------------------------
  STREAMDROP_PORT: local('3001', 'port of the local HTTP API gateway'),
  STREAMDROP_WEB_PORT: local('3000', 'port of the local web client (http://localhost:<port>/)'),
  STREAMDROP_COGNITO_PORT: local('9229', 'port of cognito-local'),
  STREAMDROP_S3_PORT: local('4568', 'port of s3rver'),
  STREAMDROP_KINESIS_PORT: local('4567', 'port of kinesalite'),
  STREAMDROP_DYNAMODB_PORT: local('4569', 'port of dynalite'),
  STREAMDROP_STATE_DIR: local('<repo>/.streamdrop', "the local stack's state folder"),
  STREAMDROP_ROOT: local('the folder above holding pnpm-workspace.yaml', 'repository root'),
  STREAMDROP_FAULT_S3_ERROR_RATE: local('0', "share of the functions' S3 requests answered 503 or 500"),
  STREAMDROP_FAULT_S3_LATENCY_MS: local('0', "latency added to the functions' S3 requests: N or MIN-MAX"),
  STREAMDROP_FAULT_KINESIS_THROTTLE_RATE: local('0', "share of the functions' Kinesis calls throttled"),
  STREAMDROP_FAULT_CRASH_RATE: local('0', 'share of invocations whose environment dies mid-invocation'),
  STREAMDROP_FAULT_CRASH_FUNCTIONS: local(
    'the functions fed by an event source mapping',
    'comma-separated functions that may crash',
  ),
  STREAMDROP_FAULT_SEED: local('random (printed in the banner)', 'seed of every fault decision'),
  STREAMDROP_S3_VERSION_LOG: local('false', 'record every object version the functions write: true or false'),
  STREAMDROP_USERNAME: local('—', 'CLI against a deployed stack: the user to sign in as'),
  STREAMDROP_PASSWORD: local('—', "CLI against a deployed stack: that user's password"),

  // --- scripts and benchmarks ----------------------------------------------------------------
  STREAMDROP_TF_MIRROR: tools(
    'the first mirror found (/opt/tf-plugins, ~/.terraform.d/plugins, …)',
    'Terraform provider mirror for offline plans and the rehearsal',
  ),
  STREAMDROP_REHEARSAL_MARKER: tools(
    '<repo>/.state/rehearsal.json',
    'where the apply rehearsal writes its result',
  ),
  STREAMDROP_CDKTF_MARKER: tools(
    '<repo>/.state/cdktf-deploy.json',
    'where the cdktf deploy test writes its result',
  ),
  STREAMDROP_CHROMIUM: tools(
    "a chromium or google-chrome on PATH, else Playwright's own download",
    'Chromium (or Chrome) executable the browser tests drive',
  ),
  STREAMDROP_BENCH_CPU_PROF: tools('—', 'folder for CPU profiles of the benchmark children'),
  AWS_ENDPOINT_URL: tools(
    'none (the real AWS endpoints)',
    'one endpoint for every AWS service, e.g. an emulator (moto, LocalStack); read by plan, stack:deploy, stack:destroy, state:bootstrap, the CLI, and by the AWS provider under cdktf too',
  ),
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

/** The names of the variables of one scope, as a type: `VariableNameOf<'deploy'>`. */
export type VariableNameOf<S extends VariableScope> = {
  [K in VariableName]: (typeof VARIABLES)[K]['scope'] extends S ? K : never;
}[VariableName];

/** The variables of one scope, by name. */
export function variablesOf(scope: VariableScope): VariableName[] {
  return (Object.keys(VARIABLES) as VariableName[]).filter((name) => VARIABLES[name].scope === scope);
}
