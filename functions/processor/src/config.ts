import {
  DEFAULT_TRANSFORM,
  type Env,
  envReader,
  FUNCTION_ENV,
  FUNCTION_READS,
  lazyConfig,
  MIB,
  PROCESSOR_CONCURRENCY,
  TRANSFORM_NAMES,
  type TransformName,
} from '@streamdrop/config';

/** The in-flight budget when the function's memory size is unknown (outside Lambda). */
export const DEFAULT_IN_FLIGHT_BYTES = 128 * MIB;

export interface ProcessorConfig {
  /** The only bucket read from (uploads/) and written to (processed/). */
  readonly dataBucket: string;
  readonly failuresBucket: string;
  /**
   * How many records of one batch are processed at the same time: by default every record of
   * a batch of 100 at once. Each record waits on two S3 round trips (GetObject, a create-only
   * PutObject), so a batch takes about as many rounds as it has records per slot: at 20 ms per
   * call, 8 slots cap one invocation near 200 records/s and 100 slots near 2,500/s. Memory is
   * bounded separately (inFlightBytes), so many slots cost only sockets.
   */
  readonly concurrency: number;
  /** Local s3rver mode: path-style addressing and checksums only when required. */
  readonly forcePathStyle: boolean;
  /** The transform to run, by name (functions/processor/src/transforms). */
  readonly transform: TransformName;
  /**
   * Source bytes that records may hold in memory at once: a quarter of the function's memory
   * (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, set by Lambda and the local runtime). Measured, a record
   * holds about twice its size at its peak, on top of ~100 MB for the runtime and SDK.
   */
  readonly inFlightBytes: number;
  /**
   * The table of upload statuses: the processor marks an upload processed (once its processed
   * object is whole) or failed (with the failure record's reason). Without it, no status is kept.
   */
  readonly uploadsTable: string | undefined;
}

/** The variables this function reads (@streamdrop/config says which). */
const VARIABLES = [...FUNCTION_READS.processor.fromStack, ...FUNCTION_READS.processor.optional].map(
  (key) => FUNCTION_ENV[key],
);

/**
 * Snapshots the environment once; each getter validates on first use so that a missing variable
 * fails with its name instead of surfacing later as `undefined`.
 */
export function readConfig(source: Env = process.env): ProcessorConfig {
  const read = envReader(Object.fromEntries(VARIABLES.map((name) => [name, source[name]])));
  return lazyConfig<ProcessorConfig>({
    dataBucket: () => read.required(FUNCTION_ENV.dataBucket),
    failuresBucket: () => read.required(FUNCTION_ENV.failuresBucket),
    concurrency: () =>
      read.int(FUNCTION_ENV.processorConcurrency, {
        fallback: PROCESSOR_CONCURRENCY.default,
        max: PROCESSOR_CONCURRENCY.max,
      }),
    forcePathStyle: () => read.bool(FUNCTION_ENV.s3ForcePathStyle),
    transform: () => read.oneOf(FUNCTION_ENV.transform, Object.values(TRANSFORM_NAMES), DEFAULT_TRANSFORM),
    uploadsTable: () => read.optional(FUNCTION_ENV.uploadsTable),
    inFlightBytes: () => {
      const memoryMb = read.int(FUNCTION_ENV.memorySize, { fallback: 0, max: 10_240 });
      return memoryMb === 0 ? DEFAULT_IN_FLIGHT_BYTES : Math.floor((memoryMb * MIB) / 4);
    },
  });
}

export const config = readConfig();
