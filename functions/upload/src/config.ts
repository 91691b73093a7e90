import {
  DIRECT_UPLOAD,
  type Env,
  envReader,
  FUNCTION_ENV,
  FUNCTION_READS,
  IDEMPOTENCY,
  INLINE_UPLOAD,
  KINESIS_ATTEMPTS,
  lazyConfig,
} from '@streamdrop/config';

const BUCKET_NAME = { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, description: 'an S3 bucket name' };
const STREAM_NAME = {
  pattern: /^[A-Za-z0-9_.-]{1,128}$/,
  description: 'a Kinesis stream name (not an ARN)',
};
const TABLE_NAME = {
  pattern: /^[A-Za-z0-9_.-]{3,255}$/,
  description: 'a DynamoDB table name (not an ARN)',
};

export interface Config {
  readonly dataBucket: string;
  /** How long an Idempotency-Key answers with its first response. */
  readonly idempotencyTtlSeconds: number;
  readonly streamName: string;
  readonly maxUploadBytes: number;
  readonly kinesisMaxAttempts: number;
  readonly s3ForcePathStyle: boolean;
  /**
   * The table of upload statuses. The session routes need it (a ConfigError when it is unset);
   * the inline path records the status of its uploads there when it is set, and works without it
   * exactly as it did before the table existed. The stack always sets it.
   */
  readonly uploadsTable: string | undefined;
  /** The largest upload session (bytes sent straight to S3). */
  readonly maxDirectUploadBytes: number;
  /** How long a session's presigned PUT URLs stay valid. */
  readonly uploadUrlTtlSeconds: number;
}

/** The variables this function reads (@streamdrop/config says which). */
const VARIABLES = [...FUNCTION_READS.upload.fromStack, ...FUNCTION_READS.upload.optional].map(
  (key) => FUNCTION_ENV[key],
);

/**
 * Configuration read from `env`: the variables are taken once, when the config is made, and each
 * getter checks its variable on first use, then keeps the value; a missing or malformed variable
 * throws a ConfigError that names it. The bounds are the stack's (@streamdrop/config), so that a
 * value the stack accepts works here.
 */
export function createConfig(env: Env = process.env): Config {
  const read = envReader(Object.fromEntries(VARIABLES.map((name) => [name, env[name]])));
  return lazyConfig<Config>({
    dataBucket: () => read.required(FUNCTION_ENV.dataBucket, BUCKET_NAME),
    streamName: () => read.required(FUNCTION_ENV.streamName, STREAM_NAME),
    maxUploadBytes: () =>
      read.int(FUNCTION_ENV.maxUploadBytes, {
        fallback: INLINE_UPLOAD.defaultMaxBytes,
        max: INLINE_UPLOAD.maxBytesCeiling,
      }),
    kinesisMaxAttempts: () =>
      read.int(FUNCTION_ENV.kinesisMaxAttempts, {
        fallback: KINESIS_ATTEMPTS.uploadDefault,
        max: KINESIS_ATTEMPTS.ceiling,
      }),
    s3ForcePathStyle: () => read.bool(FUNCTION_ENV.s3ForcePathStyle),
    idempotencyTtlSeconds: () =>
      read.int(FUNCTION_ENV.idempotencyTtlSeconds, {
        fallback: IDEMPOTENCY.defaultTtlSeconds,
        max: IDEMPOTENCY.maxTtlSeconds,
      }),
    uploadsTable: () => read.optional(FUNCTION_ENV.uploadsTable, TABLE_NAME),
    maxDirectUploadBytes: () =>
      read.int(FUNCTION_ENV.maxDirectUploadBytes, {
        fallback: DIRECT_UPLOAD.defaultMaxBytes,
        max: DIRECT_UPLOAD.maxBytesCeiling,
      }),
    uploadUrlTtlSeconds: () =>
      read.int(FUNCTION_ENV.uploadUrlTtlSeconds, {
        fallback: DIRECT_UPLOAD.defaultUrlTtlSeconds,
        min: DIRECT_UPLOAD.minUrlTtlSeconds,
        max: DIRECT_UPLOAD.maxUrlTtlSeconds,
      }),
  });
}

export const config = createConfig();
