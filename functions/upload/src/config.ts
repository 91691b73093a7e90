import { DEFAULT_MAX_UPLOAD_BYTES } from '@streamdrop/events';
import { UploadError } from './errors';

/** The function is deployed wrong: a variable is missing or malformed. Answered as a generic 500. */
export class ConfigError extends UploadError {
  constructor(message: string) {
    super(500, message);
    this.name = 'ConfigError';
  }
}

/** Above this a base64 JSON body cannot fit Lambda's 6 MB synchronous payload anyway. */
export const MAX_UPLOAD_BYTES_CEILING = 6_000_000;
export const DEFAULT_KINESIS_MAX_ATTEMPTS = 4;
// A sanity cap: the jittered backoff of more attempts alone can outlast API Gateway's 30 s timeout.
const KINESIS_MAX_ATTEMPTS_CEILING = 10;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export interface Config {
  readonly dataBucket: string;
  readonly streamName: string;
  readonly maxUploadBytes: number;
  readonly kinesisMaxAttempts: number;
  readonly s3ForcePathStyle: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function once<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    cached ??= { value: read() };
    return cached.value;
  };
}

// Terraform and shells often set a variable to '' rather than leaving it out: treat both alike.
function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function required(env: Env, name: string, shape: RegExp, what: string): string {
  const raw = value(env, name);
  if (raw === undefined) throw new ConfigError(`environment variable ${name} is not set`);
  if (!shape.test(raw)) throw new ConfigError(`environment variable ${name} must be ${what} (got "${raw}")`);
  return raw;
}

function integer(env: Env, name: string, fallback: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const parsed = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1 || parsed > max) {
    throw new ConfigError(`environment variable ${name} must be an integer from 1 to ${max} (got "${raw}")`);
  }
  return parsed;
}

function flag(env: Env, name: string): boolean {
  const raw = value(env, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(`environment variable ${name} must be "true" or "false" (got "${raw}")`);
}

/**
 * Configuration read from `env`: each getter reads and checks its variable on first use, then
 * keeps the value; a missing or malformed variable throws a ConfigError that names it.
 */
export function createConfig(env: Env = process.env): Config {
  const dataBucket = once(() => required(env, 'DATA_BUCKET', BUCKET_NAME, 'an S3 bucket name'));
  const streamName = once(() =>
    required(env, 'STREAM_NAME', STREAM_NAME, 'a Kinesis stream name (not an ARN)'),
  );
  const maxUploadBytes = once(() =>
    integer(env, 'MAX_UPLOAD_BYTES', DEFAULT_MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES_CEILING),
  );
  const kinesisMaxAttempts = once(() =>
    integer(env, 'KINESIS_MAX_ATTEMPTS', DEFAULT_KINESIS_MAX_ATTEMPTS, KINESIS_MAX_ATTEMPTS_CEILING),
  );
  const s3ForcePathStyle = once(() => flag(env, 'S3_FORCE_PATH_STYLE'));
  return {
    get dataBucket() {
      return dataBucket();
    },
    get streamName() {
      return streamName();
    },
    get maxUploadBytes() {
      return maxUploadBytes();
    },
    get kinesisMaxAttempts() {
      return kinesisMaxAttempts();
    },
    get s3ForcePathStyle() {
      return s3ForcePathStyle();
    },
  };
}

export const config = createConfig();
