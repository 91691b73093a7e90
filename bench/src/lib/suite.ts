import type { Metric } from './metrics';

export interface BenchOptions {
  /** Fewer repetitions and smaller loads, so that the whole run stays under 90 s. */
  readonly quick: boolean;
  /** Latency the stubs add to every call, in milliseconds. */
  readonly latencyMs: number;
  /** PROCESSOR_CONCURRENCY for the processor runs; the synthesized stack's value when unset. */
  readonly processorConcurrency: number | undefined;
  /** Size of the large object of the memory benchmark, in MiB. */
  readonly largeObjectMiB: number;
  /** Uploads of the local end-to-end run; by default 30 s worth (100 in quick mode). */
  readonly localUploads?: number;
  /** Uploads per second of the local end-to-end run (default 20). */
  readonly localRate?: number;
}

export interface Suite {
  readonly name: string;
  readonly run: (options: BenchOptions, log: (line: string) => void) => Promise<Metric[]>;
}
