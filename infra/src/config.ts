import { isAbsolute, join, resolve } from 'node:path';
import {
  DIRECT_UPLOAD,
  type Env,
  type EnvReader,
  IDEMPOTENCY,
  INLINE_UPLOAD,
  PROCESSOR_CONCURRENCY,
  readEnv,
  stackName,
  TRANSFORM_NAMES,
  type TransformName,
  VARIABLES,
  type VariableNameOf,
} from '@streamdrop/config';

/**
 * Everything the stack can be told from outside, read once from the environment through
 * @streamdrop/config's reader; the variables, their defaults and meanings are the deploy rows
 * of its configuration reference (VARIABLES, docs/configuration.md). `loadConfig` is pure (no
 * file system, no process.env) so that tests can pass any env.
 */

export type StartingPosition = 'LATEST' | 'TRIM_HORIZON';

export interface AuthConfig {
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /** Hosted UI domain prefix: `<prefix>.auth.<region>.amazoncognito.com`, unique per region across all of AWS. */
  readonly domainPrefix: string;
  readonly adminGroupName: string;
  readonly deletionProtection: boolean;
}

export interface ApiConfig {
  readonly corsOrigins: readonly string[];
  readonly throttleBurstLimit: number;
  readonly throttleRateLimit: number;
}

export interface WebHostingConfig {
  /** Host the web client on S3 + CloudFront (STREAMDROP_WEB_HOSTING). */
  readonly hosting: boolean;
  /** The built web client (STREAMDROP_WEB_DIR), uploaded when hosting is on. */
  readonly dir: string;
}

export interface EventSourceConfig {
  readonly batchSize: number;
  readonly startingPosition: StartingPosition;
  readonly maxBatchingWindowSeconds: number;
  readonly maxRetryAttempts: number;
  readonly maxRecordAgeSeconds: number;
  readonly parallelizationFactor: number;
}

/** Alarm thresholds and where alarms go (the deploy variables STREAMDROP_ALARM_*). */
export interface AlarmConfig {
  /** Subscribed to the alarm topic by email when set. */
  readonly email?: string;
  readonly iteratorAgeSeconds: number;
  readonly functionErrors: number;
  readonly functionThrottles: number;
  readonly failures: number;
  readonly api5xxPercent: number;
  readonly upload503s: number;
  readonly kinesisWriteThrottles: number;
}

export interface StateConfig {
  /** S3 bucket for remote state; local state in `dir` when absent. */
  readonly bucket?: string;
  readonly bucketRegion: string;
  /** Folder of local state files; outside the synth output, which is regenerated. */
  readonly dir: string;
}

export interface StreamdropConfig {
  readonly stage: string;
  readonly region: string;
  /** `streamdrop-<stage>`: the stack id, hence `cdktf.out/stacks/<stackName>`. */
  readonly stackName: string;
  readonly auth: AuthConfig;
  readonly api: ApiConfig;
  readonly web: WebHostingConfig;
  readonly eventSource: EventSourceConfig;
  readonly processorConcurrency: number;
  /** What the processor makes of each upload (functions/processor/src/transforms). */
  readonly transform: TransformName;
  /** ARNs of further streams the administrators' proxy may use, besides the pipeline's own. */
  readonly proxyStreamArns: readonly string[];
  readonly maxUploadBytes: number;
  /** The largest upload session (bytes straight to S3); the processor is sized for it. */
  readonly maxDirectUploadBytes: number;
  /** How long the presigned PUT URLs of an upload session stay valid. */
  readonly uploadUrlTtlSeconds: number;
  /** How long an Idempotency-Key replays its first response; its records expire a day after. */
  readonly idempotencyTtlSeconds: number;
  readonly logRetentionDays: number;
  readonly alarms: AlarmConfig;
  /** Lets `terraform destroy` delete buckets that still hold objects. */
  readonly forceDestroy: boolean;
  readonly state: StateConfig;
  /** Folder with one esbuild output folder per function (`<bundlesDir>/upload/index.mjs`). */
  readonly bundlesDir: string;
  /** Synth output folder (cdktf's `outdir`). */
  readonly outdir: string;
}

/** A variable of the stack: a deploy row of the configuration reference. */
export type ConfigEnvName = VariableNameOf<'deploy'>;
export type ConfigEnv = Env;

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const STAGE = {
  pattern: /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/,
  description:
    '1-16 lowercase letters, digits or hyphens, not starting or ending with a hyphen (it becomes part of bucket and function names)',
};
const REGION = { pattern: /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, description: 'an AWS region such as us-east-1' };
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const GROUP_NAME = {
  pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u,
  description: '1-128 characters without spaces',
};
const STREAM_ARN =
  /^arn:aws[a-z-]*:kinesis:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:stream\/[A-Za-z0-9_.-]{1,128}$/;
// What SNS takes as an email endpoint, roughly: one @, no spaces, a dot in the domain.
const EMAIL = { pattern: /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/, description: 'an email address' };
const BUCKET_NAME = { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, description: 'a valid S3 bucket name' };
/** When neither AWS_REGION nor AWS_DEFAULT_REGION is set. */
const DEFAULT_REGION = 'us-east-1';

/** The default of a variable, as the configuration reference states it. */
const defaultOf = (name: ConfigEnvName): string => VARIABLES[name].default;
const intDefault = (name: ConfigEnvName): number => {
  const value = Number(defaultOf(name));
  if (!Number.isSafeInteger(value)) throw new Error(`VARIABLES.${name}.default is not an integer`);
  return value;
};
const listDefault = (name: ConfigEnvName): string[] => defaultOf(name).split(',');
const boolDefault = (name: ConfigEnvName): boolean => defaultOf(name) === 'true';

export interface LoadConfigOptions {
  /** Repository root: default paths (bundles, synth output, local state) hang off it. */
  readonly repoRoot: string;
}

/** The stages the app synthesizes (one stack each) and the one acted on when none is named. */
export interface StageSelection {
  /** STREAMDROP_STAGES in the order given; STREAMDROP_STAGE alone when it is unset. */
  readonly stages: readonly string[];
  /** STREAMDROP_STAGE: the stage of `pnpm plan`, `npm start` and the CLI when no stage is named. */
  readonly defaultStage: string;
}

/**
 * Which stages to synthesize: STREAMDROP_STAGES, or STREAMDROP_STAGE alone. The default stage
 * must be one of them, so that a bare `pnpm plan` or `npm start` always finds its stack. Every
 * other variable applies to all stages alike, so STREAMDROP_AUTH_DOMAIN_PREFIX (unique per
 * region across AWS) is refused with more than one stage: the default prefix carries the stage.
 */
export function loadStages(env: ConfigEnv): StageSelection {
  return readEnv(env, (read) => {
    const defaultStage = read.optional('STREAMDROP_STAGE', STAGE) ?? defaultOf('STREAMDROP_STAGE');
    return { stages: stagesOf(read, env, defaultStage), defaultStage };
  });
}

/**
 * STREAMDROP_STAGES, checked: stage names, none twice, `stage` among them (a malformed
 * STREAMDROP_STAGE is reported where it is read, so the default standing in for it is not news),
 * and no fixed hosted UI domain prefix shared by several stages.
 */
function stagesOf(read: EnvReader, env: ConfigEnv, stage: string): string[] {
  const listed = read.list('STREAMDROP_STAGES', {
    fallback: [stage],
    item: (name) => (STAGE.pattern.test(name) ? undefined : `is not a stage name: ${STAGE.description}`),
  });
  const stages = [...new Set(listed)];
  if (stages.length < listed.length) read.problem('STREAMDROP_STAGES', 'names a stage twice');
  const given = env.STREAMDROP_STAGE?.trim() ?? '';
  const malformed = given !== '' && !STAGE.pattern.test(given);
  if (!stages.includes(stage) && !malformed) {
    read.problem(
      'STREAMDROP_STAGE',
      `is "${stage}", which is not one of STREAMDROP_STAGES (${stages.join(', ')}): add it there, or choose one of them`,
    );
  }
  if (stages.length > 1 && read.optional('STREAMDROP_AUTH_DOMAIN_PREFIX') !== undefined) {
    read.problem(
      'STREAMDROP_AUTH_DOMAIN_PREFIX',
      'would be the same for every stage of STREAMDROP_STAGES, but a hosted UI domain prefix can be used once per region: set STREAMDROP_AUTH_DOMAIN_SUFFIX instead',
    );
  }
  return stages;
}

/**
 * Reads and validates the configuration; throws @streamdrop/config's ConfigError listing every
 * problem at once, each naming the variable to fix.
 */
export function loadConfig(env: ConfigEnv, options: LoadConfigOptions): StreamdropConfig {
  return readEnv(env, (reader) => {
    const config = build(typed(reader), options);
    // The stack of a stage is one of the stages to synthesize (STREAMDROP_STAGES).
    stagesOf(reader, env, config.stage);
    return config;
  });
}

/** The reader, taking only the names of the stack's variables (a typo is a compile error). */
interface DeployReader {
  readonly raw: EnvReader;
  optional(name: ConfigEnvName, format?: { pattern: RegExp; description: string }): string | undefined;
  range(name: ConfigEnvName, min: number, max: number): number;
  bool(name: ConfigEnvName): boolean;
  list(name: ConfigEnvName, item: (value: string) => string | undefined, fallback?: string[]): string[];
}

function typed(raw: EnvReader): DeployReader {
  return {
    raw,
    optional: (name, format) => raw.optional(name, format),
    range: (name, min, max) => raw.int(name, { fallback: intDefault(name), min, max }),
    bool: (name) => raw.bool(name, boolDefault(name)),
    list: (name, item, fallback = listDefault(name)) => raw.list(name, { fallback, item }),
  };
}

function build(read: DeployReader, options: LoadConfigOptions): StreamdropConfig {
  // A malformed stage is reported under its name; names derived from it use the default meanwhile.
  const stage = read.optional('STREAMDROP_STAGE', STAGE) ?? defaultOf('STREAMDROP_STAGE');
  const region =
    read.optional('AWS_REGION', REGION) ?? read.raw.optional('AWS_DEFAULT_REGION', REGION) ?? DEFAULT_REGION;

  const suffix = read.optional('STREAMDROP_AUTH_DOMAIN_SUFFIX') ?? defaultOf('STREAMDROP_AUTH_DOMAIN_SUFFIX');
  const givenPrefix = read.optional('STREAMDROP_AUTH_DOMAIN_PREFIX');
  const domainPrefix = givenPrefix ?? `${stackName(stage)}-${suffix}`;
  const domainProblem = !DOMAIN_PREFIX.test(domainPrefix)
    ? 'must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen'
    : /aws|amazon|cognito/.test(domainPrefix)
      ? 'must not contain the reserved words aws, amazon or cognito'
      : undefined;
  if (domainProblem && givenPrefix !== undefined) {
    read.raw.problem('STREAMDROP_AUTH_DOMAIN_PREFIX', `${domainProblem} (got "${domainPrefix}")`);
  } else if (domainProblem) {
    read.raw.problem(
      'STREAMDROP_AUTH_DOMAIN_PREFIX',
      `is unset, and the prefix made from the stage and STREAMDROP_AUTH_DOMAIN_SUFFIX, "${domainPrefix}", ${domainProblem}: set either variable`,
    );
  }

  const adminGroupName =
    read.optional('STREAMDROP_ADMIN_GROUP', GROUP_NAME) ?? defaultOf('STREAMDROP_ADMIN_GROUP');
  const startingPosition = read.raw.oneOf<StartingPosition>(
    'STREAMDROP_STARTING_POSITION',
    ['LATEST', 'TRIM_HORIZON'],
    defaultOf('STREAMDROP_STARTING_POSITION') as StartingPosition,
  );
  const transform = read.raw.oneOf<TransformName>(
    'STREAMDROP_TRANSFORM',
    Object.values(TRANSFORM_NAMES),
    defaultOf('STREAMDROP_TRANSFORM') as TransformName,
  );

  const stateBucket = read.optional('STREAMDROP_STATE_BUCKET', BUCKET_NAME);
  const alarmEmail = read.optional('STREAMDROP_ALARM_EMAIL', EMAIL);
  const stateRegion = read.optional('STREAMDROP_STATE_REGION', REGION) ?? region;

  return {
    stage,
    region,
    stackName: stackName(stage),
    auth: {
      callbackUrls: read.list('STREAMDROP_CALLBACK_URLS', redirectUrlProblem),
      logoutUrls: read.list('STREAMDROP_LOGOUT_URLS', redirectUrlProblem),
      domainPrefix,
      adminGroupName,
      deletionProtection: read.bool('STREAMDROP_DELETION_PROTECTION'),
    },
    api: {
      corsOrigins: read.list('STREAMDROP_CORS_ORIGINS', originProblem),
      throttleBurstLimit: read.range('STREAMDROP_API_BURST_LIMIT', 1, 5000),
      throttleRateLimit: read.range('STREAMDROP_API_RATE_LIMIT', 1, 10000),
    },
    web: {
      hosting: read.bool('STREAMDROP_WEB_HOSTING'),
      dir: repoPath(options.repoRoot, read.optional('STREAMDROP_WEB_DIR'), join('dist', 'web')),
    },
    eventSource: {
      batchSize: read.range('STREAMDROP_BATCH_SIZE', 1, 10000),
      startingPosition,
      maxBatchingWindowSeconds: read.range('STREAMDROP_BATCH_WINDOW_SECONDS', 0, 300),
      maxRetryAttempts: read.range('STREAMDROP_MAX_RETRY_ATTEMPTS', -1, 10000),
      maxRecordAgeSeconds: read.raw.int('STREAMDROP_MAX_RECORD_AGE_SECONDS', {
        fallback: intDefault('STREAMDROP_MAX_RECORD_AGE_SECONDS'),
        min: -1,
        max: 604800,
        rule: '-1 (no limit) or an integer from 60 to 604800',
        accept: (n) => n === -1 || n >= 60,
      }),
      parallelizationFactor: read.range('STREAMDROP_PARALLELIZATION_FACTOR', 1, 10),
    },
    processorConcurrency: read.range('STREAMDROP_PROCESSOR_CONCURRENCY', 1, PROCESSOR_CONCURRENCY.max),
    transform,
    proxyStreamArns: read.list(
      'STREAMDROP_PROXY_STREAM_ARNS',
      (arn) =>
        STREAM_ARN.test(arn)
          ? undefined
          : 'is not a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)',
      [],
    ),
    maxUploadBytes: read.range('STREAMDROP_MAX_UPLOAD_BYTES', 1, INLINE_UPLOAD.maxBytesCeiling),
    maxDirectUploadBytes: read.range('STREAMDROP_MAX_DIRECT_UPLOAD_BYTES', 1, DIRECT_UPLOAD.maxBytesCeiling),
    uploadUrlTtlSeconds: read.range(
      'STREAMDROP_UPLOAD_URL_TTL_SECONDS',
      DIRECT_UPLOAD.minUrlTtlSeconds,
      DIRECT_UPLOAD.maxUrlTtlSeconds,
    ),
    idempotencyTtlSeconds: read.range('STREAMDROP_IDEMPOTENCY_TTL_SECONDS', 1, IDEMPOTENCY.maxTtlSeconds),
    logRetentionDays: read.raw.int('STREAMDROP_LOG_RETENTION_DAYS', {
      fallback: intDefault('STREAMDROP_LOG_RETENTION_DAYS'),
      max: Math.max(...LOG_RETENTION_DAYS),
      rule: `one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
      accept: (n) => LOG_RETENTION_DAYS.includes(n),
    }),
    alarms: {
      ...(alarmEmail === undefined ? {} : { email: alarmEmail }),
      iteratorAgeSeconds: read.range('STREAMDROP_ALARM_ITERATOR_AGE_SECONDS', 1, 604800),
      functionErrors: read.range('STREAMDROP_ALARM_FUNCTION_ERRORS', 1, 100000),
      functionThrottles: read.range('STREAMDROP_ALARM_FUNCTION_THROTTLES', 1, 100000),
      failures: read.range('STREAMDROP_ALARM_FAILURES', 1, 100000),
      api5xxPercent: read.range('STREAMDROP_ALARM_API_5XX_PERCENT', 1, 100),
      upload503s: read.range('STREAMDROP_ALARM_UPLOAD_503S', 1, 100000),
      kinesisWriteThrottles: read.range('STREAMDROP_ALARM_KINESIS_WRITE_THROTTLES', 1, 100000),
    },
    forceDestroy: read.bool('STREAMDROP_FORCE_DESTROY'),
    state: {
      ...(stateBucket === undefined ? {} : { bucket: stateBucket }),
      bucketRegion: stateRegion,
      dir: join(options.repoRoot, '.state'),
    },
    bundlesDir: repoPath(
      options.repoRoot,
      read.optional('STREAMDROP_BUNDLES_DIR'),
      join('dist', 'functions'),
    ),
    outdir: repoPath(options.repoRoot, read.optional('CDKTF_OUTDIR'), 'cdktf.out'),
  };
}

function repoPath(repoRoot: string, value: string | undefined, fallback: string): string {
  const path = value ?? fallback;
  return isAbsolute(path) ? path : resolve(repoRoot, path);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Cognito accepts https redirect URLs, and plain http only for localhost. */
function redirectUrlProblem(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url) return 'is not an absolute URL';
  if (url.hash) return 'must not contain a #fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && url.hostname === 'localhost') return undefined;
  return 'must use https (plain http is allowed only for localhost)';
}

/** A browser origin is scheme://host[:port], nothing else; a wildcard would admit any site. */
function originProblem(value: string): string | undefined {
  if (value.includes('*')) return 'is a wildcard; list the exact origins that may call the API';
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return 'is not an http(s) origin';
  if (url.origin !== value) return `is not an origin; use "${url.origin}" (no path, no trailing slash)`;
  return undefined;
}
