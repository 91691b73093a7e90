import {
  type Env,
  envReader,
  FUNCTION_ENV,
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

export interface Config {
  readonly dataBucket: string;
  /** How long an Idempotency-Key answers with its first response. */
  readonly idempotencyTtlSeconds: number;
  readonly streamName: string;
  readonly maxUploadBytes: number;
  readonly kinesisMaxAttempts: number;
  readonly s3ForcePathStyle: boolean;
}

/**
 * Configuration read from `env`: each getter reads and checks its variable on first use, then
 * keeps the value; a missing or malformed variable throws a ConfigError that names it. The
 * bounds are the stack's (@streamdrop/config), so that a value the stack accepts works here.
 */
export function createConfig(env: Env = process.env): Config {
  const read = envReader(env);
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
  });
}

export const config = createConfig();
