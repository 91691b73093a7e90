import { DEFAULT_MAX_UPLOAD_BYTES } from '@streamdrop/events';
import { type Env, envReader, lazyConfig } from '@streamdrop/lambda-kit';

/** Above this a base64 JSON body cannot fit Lambda's 6 MB synchronous payload anyway. */
export const MAX_UPLOAD_BYTES_CEILING = 6_000_000;
export const DEFAULT_KINESIS_MAX_ATTEMPTS = 4;
// A sanity cap: the jittered backoff of more attempts alone can outlast API Gateway's 30 s timeout.
const KINESIS_MAX_ATTEMPTS_CEILING = 10;

const BUCKET_NAME = { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, description: 'an S3 bucket name' };
const STREAM_NAME = {
  pattern: /^[A-Za-z0-9_.-]{1,128}$/,
  description: 'a Kinesis stream name (not an ARN)',
};

export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

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
 * keeps the value; a missing or malformed variable throws a ConfigError that names it.
 */
export function createConfig(env: Env = process.env): Config {
  const read = envReader(env);
  return lazyConfig<Config>({
    dataBucket: () => read.required('DATA_BUCKET', BUCKET_NAME),
    streamName: () => read.required('STREAM_NAME', STREAM_NAME),
    maxUploadBytes: () =>
      read.int('MAX_UPLOAD_BYTES', { fallback: DEFAULT_MAX_UPLOAD_BYTES, max: MAX_UPLOAD_BYTES_CEILING }),
    kinesisMaxAttempts: () =>
      read.int('KINESIS_MAX_ATTEMPTS', {
        fallback: DEFAULT_KINESIS_MAX_ATTEMPTS,
        max: KINESIS_MAX_ATTEMPTS_CEILING,
      }),
    s3ForcePathStyle: () => read.bool('S3_FORCE_PATH_STYLE'),
    idempotencyTtlSeconds: () =>
      read.int('IDEMPOTENCY_TTL_SECONDS', {
        fallback: DEFAULT_IDEMPOTENCY_TTL_SECONDS,
        max: 7 * 24 * 60 * 60,
      }),
  });
}

export const config = createConfig();
