import { type Env, envReader, lazyConfig } from '@streamdrop/lambda-kit';

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 100;

const VARIABLES = ['DATA_BUCKET', 'FAILURES_BUCKET', 'PROCESSOR_CONCURRENCY', 'S3_FORCE_PATH_STYLE'] as const;

export interface ProcessorConfig {
  /** The only bucket read from (uploads/) and written to (processed/). */
  readonly dataBucket: string;
  readonly failuresBucket: string;
  /** How many records of one batch are processed at the same time. */
  readonly concurrency: number;
  /** Local s3rver mode: path-style addressing and checksums only when required. */
  readonly forcePathStyle: boolean;
}

/**
 * Snapshots the environment once; each getter validates on first use so that a missing variable
 * fails with its name instead of surfacing later as `undefined`.
 */
export function readConfig(source: Env = process.env): ProcessorConfig {
  // Unlike the HTTP functions, the processor has always ignored blanks around a value.
  const read = envReader(Object.fromEntries(VARIABLES.map((name) => [name, source[name]?.trim()])));
  return lazyConfig<ProcessorConfig>({
    dataBucket: () => read.required('DATA_BUCKET'),
    failuresBucket: () => read.required('FAILURES_BUCKET'),
    concurrency: () =>
      read.int('PROCESSOR_CONCURRENCY', { fallback: DEFAULT_CONCURRENCY, max: MAX_CONCURRENCY }),
    forcePathStyle: () => read.bool('S3_FORCE_PATH_STYLE'),
  });
}

export const config = readConfig();
