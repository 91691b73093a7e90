import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS, serviceName } from '@streamdrop/config';
import type { UploadEvent } from '@streamdrop/events';
import { logger } from './logger';

/**
 * What the processor counts, as EMF lines on stdout (no API call), with the one dimension
 * `service`: per record, how it ended, and for a processed one how long it took from its upload
 * and how large it was. The namespace comes from POWERTOOLS_METRICS_NAMESPACE (set by the stack).
 */
export interface ProcessorMetrics {
  /** The processed twin was written: counts it, its latency from `uploadedAt` to `at`, its size. */
  processed(event: UploadEvent, at: Date): void;
  /** The processed twin was already there. */
  skipped(): void;
  /** The record went to the failures bucket. */
  failedPermanently(): void;
  /** `count` records go back to the event source mapping to be retried. */
  retried(count: number): void;
  /** Writes what this invocation counted, if anything. */
  flush(): void;
}

export function processorMetrics(metrics: Metrics): ProcessorMetrics {
  return {
    processed(event, at) {
      metrics.addMetric(METRICS.recordsProcessed, MetricUnit.Count, 1);
      const latency = at.getTime() - Date.parse(event.uploadedAt);
      // A clock that ran backwards would make a negative latency: CloudWatch refuses those.
      if (Number.isFinite(latency)) {
        metrics.addMetric(METRICS.processingLatency, MetricUnit.Milliseconds, Math.max(0, latency));
      }
      metrics.addMetric(METRICS.objectSize, MetricUnit.Bytes, event.size);
    },
    skipped() {
      metrics.addMetric(METRICS.recordsSkipped, MetricUnit.Count, 1);
    },
    failedPermanently() {
      metrics.addMetric(METRICS.recordsFailedPermanently, MetricUnit.Count, 1);
    },
    retried(count) {
      if (count > 0) metrics.addMetric(METRICS.recordsRetried, MetricUnit.Count, count);
    },
    flush() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

/** The function's metrics; Powertools' own warnings go through the JSON logger. */
export const metrics = processorMetrics(new Metrics({ serviceName: serviceName('processor'), logger }));
