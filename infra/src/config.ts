import { isAbsolute, join, resolve } from 'node:path';

/**
 * Everything the stack can be told from outside, read once from the environment.
 * `loadConfig` is pure (no file system, no process.env) so that tests can pass any env.
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

export interface EventSourceConfig {
  readonly batchSize: number;
  readonly startingPosition: StartingPosition;
  readonly maxBatchingWindowSeconds: number;
  readonly maxRetryAttempts: number;
  readonly maxRecordAgeSeconds: number;
  readonly parallelizationFactor: number;
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
  readonly eventSource: EventSourceConfig;
  readonly processorConcurrency: number;
  /** ARNs of further streams the administrators' proxy may use, besides the pipeline's own. */
  readonly proxyStreamArns: readonly string[];
  readonly maxUploadBytes: number;
  readonly logRetentionDays: number;
  /** Lets `terraform destroy` delete buckets that still hold objects. */
  readonly forceDestroy: boolean;
  readonly state: StateConfig;
  /** Folder with one esbuild output folder per function (`<bundlesDir>/upload/index.mjs`). */
  readonly bundlesDir: string;
  /** Synth output folder (cdktf's `outdir`). */
  readonly outdir: string;
}

/** Every environment variable `loadConfig` reads, with what it means (also used for error messages). */
export const CONFIG_ENV = {
  STREAMDROP_STAGE: 'stage name, 1-16 of a-z 0-9 - (default dev)',
  AWS_REGION: 'AWS region (default: AWS_DEFAULT_REGION, else us-east-1)',
  STREAMDROP_CALLBACK_URLS: 'comma-separated OAuth callback URLs (default http://localhost:3000/)',
  STREAMDROP_LOGOUT_URLS: 'comma-separated OAuth sign-out URLs (default http://localhost:3000/)',
  STREAMDROP_CORS_ORIGINS:
    'comma-separated browser origins allowed by the API (default http://localhost:3000)',
  STREAMDROP_AUTH_DOMAIN_PREFIX: 'full Cognito hosted UI domain prefix (default streamdrop-<stage>-<suffix>)',
  STREAMDROP_AUTH_DOMAIN_SUFFIX: 'last part of the default hosted UI domain prefix (default auth)',
  STREAMDROP_ADMIN_GROUP: 'Cognito group of administrators (default admins)',
  STREAMDROP_DELETION_PROTECTION: 'protect the user pool from deletion: true|false (default true)',
  STREAMDROP_BATCH_SIZE: 'Kinesis records per processor invocation, 1-10000 (default 10)',
  STREAMDROP_STARTING_POSITION: 'LATEST or TRIM_HORIZON (default LATEST)',
  STREAMDROP_BATCH_WINDOW_SECONDS: 'maximum batching window, 0-300 (default 0)',
  STREAMDROP_MAX_RETRY_ATTEMPTS: 'retries of a failing batch, -1 (until expiry) to 10000 (default 5)',
  STREAMDROP_MAX_RECORD_AGE_SECONDS: 'oldest record still processed, -1 or 60-604800 (default 3600)',
  STREAMDROP_PARALLELIZATION_FACTOR: 'concurrent batches per shard, 1-10 (default 1)',
  STREAMDROP_PROCESSOR_CONCURRENCY: 'records processed at once inside one batch, 1-100 (default 100)',
  STREAMDROP_PROXY_STREAM_ARNS:
    'comma-separated ARNs of further Kinesis streams the admin proxy may use (default: only the pipeline stream)',
  STREAMDROP_MAX_UPLOAD_BYTES: 'largest decoded upload accepted, 1-4718592 (default 4194304)',
  STREAMDROP_LOG_RETENTION_DAYS: 'CloudWatch log retention in days (default 14)',
  STREAMDROP_FORCE_DESTROY: 'let destroy delete non-empty buckets: true|false (default false)',
  STREAMDROP_API_BURST_LIMIT: 'API throttling burst, 1-5000 (default 100)',
  STREAMDROP_API_RATE_LIMIT: 'API throttling steady rate per second, 1-10000 (default 50)',
  STREAMDROP_STATE_BUCKET: 'S3 bucket for Terraform state (default: local state in .state/)',
  STREAMDROP_STATE_REGION: 'region of the state bucket (default: the stack region)',
  STREAMDROP_BUNDLES_DIR: 'folder of function bundles (default <repo>/dist/functions)',
  CDKTF_OUTDIR: 'synth output folder (default <repo>/cdktf.out)',
} as const;

export type ConfigEnvName = keyof typeof CONFIG_ENV;
export type ConfigEnv = Readonly<Partial<Record<string, string | undefined>>>;

/** Thrown with every problem at once, each naming the variable to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid streamdrop configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Upper bound of a decoded upload: a base64 JSON body must stay under Lambda's 6 MB sync payload. */
export const MAX_UPLOAD_BYTES_LIMIT = 4.5 * 1024 * 1024;
/** Same value as DEFAULT_MAX_UPLOAD_BYTES in @streamdrop/events. */
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 * 1024;

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const STAGE = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const STREAM_ARN =
  /^arn:aws[a-z-]*:kinesis:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:stream\/[A-Za-z0-9_.-]{1,128}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface LoadConfigOptions {
  /** Repository root: default paths (bundles, synth output, local state) hang off it. */
  readonly repoRoot: string;
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: ConfigEnv, options: LoadConfigOptions): StreamdropConfig {
  const problems: string[] = [];
  const read = (name: ConfigEnvName): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const int = (name: ConfigEnvName, fallback: number, ok: (n: number) => boolean, rule: string): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || !ok(value)) {
      problems.push(`${name}="${raw}": must be ${rule}`);
      return fallback;
    }
    return value;
  };
  const range = (name: ConfigEnvName, fallback: number, min: number, max: number): number =>
    int(name, fallback, (n) => n >= min && n <= max, `an integer from ${min} to ${max}`);

  const bool = (name: ConfigEnvName, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    problems.push(`${name}="${raw}": must be true or false`);
    return fallback;
  };

  const list = (name: ConfigEnvName, fallback: string[], check: (item: string) => string | undefined) => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (items.length === 0) problems.push(`${name}: give at least one value`);
    for (const item of items) {
      const problem = check(item);
      if (problem) problems.push(`${name}: "${item}" ${problem}`);
    }
    return items;
  };

  const stage = read('STREAMDROP_STAGE') ?? 'dev';
  if (!STAGE.test(stage)) {
    problems.push(
      `STREAMDROP_STAGE="${stage}": use 1-16 lowercase letters, digits or hyphens, not starting or ending with a hyphen (it becomes part of bucket and function names)`,
    );
  }

  const region = read('AWS_REGION') ?? env.AWS_DEFAULT_REGION?.trim() ?? 'us-east-1';
  if (!REGION.test(region)) problems.push(`AWS_REGION="${region}": not an AWS region such as us-east-1`);

  const suffix = read('STREAMDROP_AUTH_DOMAIN_SUFFIX') ?? 'auth';
  const domainPrefix = read('STREAMDROP_AUTH_DOMAIN_PREFIX') ?? `streamdrop-${stage}-${suffix}`;
  const derivedFromBadStage = read('STREAMDROP_AUTH_DOMAIN_PREFIX') === undefined && !STAGE.test(stage);
  const domainProblem = derivedFromBadStage
    ? undefined
    : !DOMAIN_PREFIX.test(domainPrefix)
      ? 'must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen'
      : /aws|amazon|cognito/.test(domainPrefix)
        ? 'must not contain the reserved words aws, amazon or cognito'
        : undefined;
  if (domainProblem) {
    problems.push(
      `Cognito domain prefix "${domainPrefix}" (STREAMDROP_AUTH_DOMAIN_PREFIX or STREAMDROP_AUTH_DOMAIN_SUFFIX) ${domainProblem}`,
    );
  }

  const adminGroupName = read('STREAMDROP_ADMIN_GROUP') ?? 'admins';
  if (!GROUP_NAME.test(adminGroupName)) {
    problems.push(`STREAMDROP_ADMIN_GROUP="${adminGroupName}": 1-128 characters without spaces`);
  }

  const startingPosition = read('STREAMDROP_STARTING_POSITION') ?? 'LATEST';
  if (startingPosition !== 'LATEST' && startingPosition !== 'TRIM_HORIZON') {
    problems.push(`STREAMDROP_STARTING_POSITION="${startingPosition}": must be LATEST or TRIM_HORIZON`);
  }

  const stateBucket = read('STREAMDROP_STATE_BUCKET');
  if (stateBucket !== undefined && !BUCKET_NAME.test(stateBucket)) {
    problems.push(`STREAMDROP_STATE_BUCKET="${stateBucket}": not a valid S3 bucket name`);
  }
  const stateRegion = read('STREAMDROP_STATE_REGION') ?? region;
  if (!REGION.test(stateRegion)) {
    problems.push(`STREAMDROP_STATE_REGION="${stateRegion}": not an AWS region such as us-east-1`);
  }

  const config: StreamdropConfig = {
    stage,
    region,
    stackName: `streamdrop-${stage}`,
    auth: {
      callbackUrls: list('STREAMDROP_CALLBACK_URLS', ['http://localhost:3000/'], redirectUrlProblem),
      logoutUrls: list('STREAMDROP_LOGOUT_URLS', ['http://localhost:3000/'], redirectUrlProblem),
      domainPrefix,
      adminGroupName,
      deletionProtection: bool('STREAMDROP_DELETION_PROTECTION', true),
    },
    api: {
      corsOrigins: list('STREAMDROP_CORS_ORIGINS', ['http://localhost:3000'], originProblem),
      throttleBurstLimit: range('STREAMDROP_API_BURST_LIMIT', 100, 1, 5000),
      throttleRateLimit: range('STREAMDROP_API_RATE_LIMIT', 50, 1, 10000),
    },
    eventSource: {
      batchSize: range('STREAMDROP_BATCH_SIZE', 10, 1, 10000),
      startingPosition: startingPosition === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : 'LATEST',
      maxBatchingWindowSeconds: range('STREAMDROP_BATCH_WINDOW_SECONDS', 0, 0, 300),
      maxRetryAttempts: range('STREAMDROP_MAX_RETRY_ATTEMPTS', 5, -1, 10000),
      maxRecordAgeSeconds: int(
        'STREAMDROP_MAX_RECORD_AGE_SECONDS',
        3600,
        (n) => n === -1 || (n >= 60 && n <= 604800),
        '-1 (no limit) or an integer from 60 to 604800',
      ),
      parallelizationFactor: range('STREAMDROP_PARALLELIZATION_FACTOR', 1, 1, 10),
    },
    processorConcurrency: range('STREAMDROP_PROCESSOR_CONCURRENCY', 100, 1, 100),
    proxyStreamArns: list('STREAMDROP_PROXY_STREAM_ARNS', [], (arn) =>
      STREAM_ARN.test(arn)
        ? undefined
        : 'is not a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)',
    ),
    maxUploadBytes: range('STREAMDROP_MAX_UPLOAD_BYTES', DEFAULT_MAX_UPLOAD_BYTES, 1, MAX_UPLOAD_BYTES_LIMIT),
    logRetentionDays: int(
      'STREAMDROP_LOG_RETENTION_DAYS',
      14,
      (n) => LOG_RETENTION_DAYS.includes(n),
      `one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    ),
    forceDestroy: bool('STREAMDROP_FORCE_DESTROY', false),
    state: {
      ...(stateBucket === undefined ? {} : { bucket: stateBucket }),
      bucketRegion: stateRegion,
      dir: join(options.repoRoot, '.state'),
    },
    bundlesDir: repoPath(options.repoRoot, read('STREAMDROP_BUNDLES_DIR'), join('dist', 'functions')),
    outdir: repoPath(options.repoRoot, read('CDKTF_OUTDIR'), 'cdktf.out'),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
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
