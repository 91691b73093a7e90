import { ConfigError, type Env, type EnvReader, envReader, lazyConfig } from '@streamdrop/lambda-kit';

export const DEFAULT_KINESIS_MAX_ATTEMPTS = 3;
// A sanity cap: the jittered backoff of more attempts alone can outlast API Gateway's 30 s timeout.
const KINESIS_MAX_ATTEMPTS_CEILING = 10;

// Cognito's group name pattern; the groups claim separates names with spaces, so none may hold one.
const GROUP_NAME = {
  pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u,
  description: 'a Cognito group name: 1 to 128 characters, no spaces',
};
const STREAM_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export interface Config {
  /** Cognito group whose members may use the proxy. */
  readonly adminGroup: string;
  /** The only streams the proxy lists, describes or writes to. */
  readonly allowedStreams: ReadonlySet<string>;
  readonly kinesisMaxAttempts: number;
}

function streamNames(read: EnvReader, name: string): ReadonlySet<string> {
  const raw = read.required(name);
  const names = raw.split(',').map((part) => part.trim());
  if (names.some((n) => !STREAM_NAME.test(n))) {
    throw new ConfigError(
      name,
      `must be a comma-separated list of Kinesis stream names, not ARNs (got "${raw}")`,
    );
  }
  return new Set(names);
}

/**
 * Configuration read from `env`: each getter reads and checks its variable on first use, then
 * keeps the value; a missing or malformed variable throws a ConfigError that names it.
 */
export function createConfig(env: Env = process.env): Config {
  const read = envReader(env);
  return lazyConfig<Config>({
    adminGroup: () => read.required('ADMIN_GROUP', GROUP_NAME),
    allowedStreams: () => streamNames(read, 'ALLOWED_STREAMS'),
    kinesisMaxAttempts: () =>
      read.int('KINESIS_MAX_ATTEMPTS', {
        fallback: DEFAULT_KINESIS_MAX_ATTEMPTS,
        max: KINESIS_MAX_ATTEMPTS_CEILING,
      }),
  });
}

export const config = createConfig();
