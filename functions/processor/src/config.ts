import { ConfigError } from './errors';

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 100;

export interface ProcessorConfig {
  /** The only bucket read from (uploads/) and written to (processed/). */
  readonly dataBucket: string;
  readonly failuresBucket: string;
  /** How many records of one batch are processed at the same time. */
  readonly concurrency: number;
  /** Local s3rver mode: path-style addressing and checksums only when required. */
  readonly forcePathStyle: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required but not set');
  return value;
}

/**
 * Snapshots the environment once; each getter validates on use so that a missing variable
 * fails with its name instead of surfacing later as `undefined`.
 */
export function readConfig(source: Env = process.env): ProcessorConfig {
  const env: Env = {
    DATA_BUCKET: source.DATA_BUCKET,
    FAILURES_BUCKET: source.FAILURES_BUCKET,
    PROCESSOR_CONCURRENCY: source.PROCESSOR_CONCURRENCY,
    S3_FORCE_PATH_STYLE: source.S3_FORCE_PATH_STYLE,
  };
  return {
    get dataBucket() {
      return required(env, 'DATA_BUCKET');
    },
    get failuresBucket() {
      return required(env, 'FAILURES_BUCKET');
    },
    get concurrency() {
      const raw = env.PROCESSOR_CONCURRENCY?.trim();
      if (!raw) return DEFAULT_CONCURRENCY;
      const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(value >= 1 && value <= MAX_CONCURRENCY)) {
        throw new ConfigError(
          'PROCESSOR_CONCURRENCY',
          `must be an integer from 1 to ${MAX_CONCURRENCY} (got "${raw}")`,
        );
      }
      return value;
    },
    get forcePathStyle() {
      const raw = env.S3_FORCE_PATH_STYLE?.trim() ?? '';
      if (raw === '' || raw === 'false') return false;
      if (raw === 'true') return true;
      throw new ConfigError('S3_FORCE_PATH_STYLE', `must be "true" or "false" (got "${raw}")`);
    },
  };
}

export const config = readConfig();
