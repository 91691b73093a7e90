import { StreamsError } from './errors';

/** The function is deployed wrong: a variable is missing or malformed. Answered as a generic 500. */
export class ConfigError extends StreamsError {
  constructor(message: string) {
    super(500, message);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_KINESIS_MAX_ATTEMPTS = 3;
// A sanity cap: the jittered backoff of more attempts alone can outlast API Gateway's 30 s timeout.
const KINESIS_MAX_ATTEMPTS_CEILING = 10;

// Cognito's group name pattern; the groups claim separates names with spaces, so none may hold one.
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export interface Config {
  /** Cognito group whose members may use the proxy. */
  readonly adminGroup: string;
  /** The only streams the proxy lists, describes or writes to. */
  readonly allowedStreams: ReadonlySet<string>;
  readonly kinesisMaxAttempts: number;
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

function required(env: Env, name: string): string {
  const raw = value(env, name);
  if (raw === undefined) throw new ConfigError(`environment variable ${name} is not set`);
  return raw;
}

function groupName(env: Env, name: string): string {
  const raw = required(env, name);
  if (!GROUP_NAME.test(raw)) {
    throw new ConfigError(
      `environment variable ${name} must be a Cognito group name: 1 to 128 characters, no spaces (got "${raw}")`,
    );
  }
  return raw;
}

function streamNames(env: Env, name: string): ReadonlySet<string> {
  const raw = required(env, name);
  const names = raw.split(',').map((part) => part.trim());
  const bad = names.filter((n) => !STREAM_NAME.test(n));
  if (bad.length > 0) {
    throw new ConfigError(
      `environment variable ${name} must be a comma-separated list of Kinesis stream names, not ARNs (got "${raw}")`,
    );
  }
  return new Set(names);
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

/**
 * Configuration read from `env`: each getter reads and checks its variable on first use, then
 * keeps the value; a missing or malformed variable throws a ConfigError that names it.
 */
export function createConfig(env: Env = process.env): Config {
  const adminGroup = once(() => groupName(env, 'ADMIN_GROUP'));
  const allowedStreams = once(() => streamNames(env, 'ALLOWED_STREAMS'));
  const kinesisMaxAttempts = once(() =>
    integer(env, 'KINESIS_MAX_ATTEMPTS', DEFAULT_KINESIS_MAX_ATTEMPTS, KINESIS_MAX_ATTEMPTS_CEILING),
  );
  return {
    get adminGroup() {
      return adminGroup();
    },
    get allowedStreams() {
      return allowedStreams();
    },
    get kinesisMaxAttempts() {
      return kinesisMaxAttempts();
    },
  };
}

export const config = createConfig();
