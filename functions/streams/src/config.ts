import {
  type Env,
  type EnvReader,
  envReader,
  FUNCTION_ENV,
  KINESIS_ATTEMPTS,
  lazyConfig,
} from '@streamdrop/config';

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

// Stricter than EnvReader.list, which drops blank items: an empty item in an allow-list is
// more likely a slip ("a,,b") than intended, so it is refused.
function streamNames(read: EnvReader, name: string): ReadonlySet<string> {
  const raw = read.required(name);
  const names = raw.split(',').map((part) => part.trim());
  if (names.some((n) => !STREAM_NAME.test(n))) {
    read.problem(name, `must be a comma-separated list of Kinesis stream names, not ARNs (got "${raw}")`);
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
    adminGroup: () => read.required(FUNCTION_ENV.adminGroup, GROUP_NAME),
    allowedStreams: () => streamNames(read, FUNCTION_ENV.allowedStreams),
    kinesisMaxAttempts: () =>
      read.int(FUNCTION_ENV.kinesisMaxAttempts, {
        fallback: KINESIS_ATTEMPTS.streamsDefault,
        max: KINESIS_ATTEMPTS.ceiling,
      }),
  });
}

export const config = createConfig();
