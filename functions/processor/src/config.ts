import { type Env, envReader, lazyConfig } from '@streamdrop/lambda-kit';

/**
 * Every record of a batch of 100 at once. Each record waits on three S3 round trips (HeadObject,
 * GetObject, PutObject), so a batch takes about as many rounds as it has records per slot: at
 * 20 ms per call, 8 slots cap one invocation near 130 records/s and 100 slots near 1,600/s.
 * Memory is bounded separately (inFlightBytes), so many slots cost only sockets.
 */
export const DEFAULT_CONCURRENCY = 100;
export const MAX_CONCURRENCY = 100;
/** The in-flight budget when the function's memory size is unknown (outside Lambda). */
export const DEFAULT_IN_FLIGHT_BYTES = 128 * 1024 * 1024;
const MIB = 1024 * 1024;

const VARIABLES = [
  'DATA_BUCKET',
  'FAILURES_BUCKET',
  'PROCESSOR_CONCURRENCY',
  'S3_FORCE_PATH_STYLE',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
] as const;

export interface ProcessorConfig {
  /** The only bucket read from (uploads/) and written to (processed/). */
  readonly dataBucket: string;
  readonly failuresBucket: string;
  /** How many records of one batch are processed at the same time. */
  readonly concurrency: number;
  /** Local s3rver mode: path-style addressing and checksums only when required. */
  readonly forcePathStyle: boolean;
  /**
   * Source bytes that records may hold in memory at once: a quarter of the function's memory
   * (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, set by Lambda and the local runtime). Measured, a record
   * holds about twice its size at its peak, on top of ~100 MB for the runtime and SDK.
   */
  readonly inFlightBytes: number;
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
    inFlightBytes: () => {
      const memoryMb = read.int('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', { fallback: 0, max: 10_240 });
      return memoryMb === 0 ? DEFAULT_IN_FLIGHT_BYTES : Math.floor((memoryMb * MIB) / 4);
    },
  });
}

export const config = readConfig();
