import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METRIC_DIMENSIONS,
  METRICS,
  serviceName,
  type UploadRefusalReason,
  uploadRefusalReason,
} from '@streamdrop/config';
import { logger } from './logger';

/**
 * What the upload function counts, as EMF lines on stdout (CloudWatch turns them into metrics;
 * no API call). Dimensions: `service`, and `reason` on refusals. The namespace comes from
 * POWERTOOLS_METRICS_NAMESPACE, which the stack sets.
 */
export interface UploadMetrics {
  /** The upload is durable and about to be answered 202. */
  accepted(bytes: number): void;
  /** A repeated Idempotency-Key was answered with its first response. */
  replayed(): void;
  /** The request is answered with this error status (for the reason given, else the status's own). */
  refused(statusCode: number, reason?: UploadRefusalReason): void;
  /** An upload session was opened (201). */
  opened(): void;
  /** An upload was deleted (204). */
  deleted(): void;
  /** Writes what was counted during the invocation (one EMF line), if anything. */
  flush(): void;
}

export function uploadMetrics(metrics: Metrics): UploadMetrics {
  return {
    accepted(bytes) {
      metrics.addMetric(METRICS.uploadsAccepted, MetricUnit.Count, 1);
      metrics.addMetric(METRICS.uploadBytesAccepted, MetricUnit.Bytes, bytes);
    },
    replayed() {
      metrics.addMetric(METRICS.uploadsReplayed, MetricUnit.Count, 1);
    },
    refused(statusCode, reason) {
      // Its own EMF line: the reason is a dimension of this metric only.
      const single = metrics.singleMetric();
      single.addDimension(METRIC_DIMENSIONS.reason, reason ?? uploadRefusalReason(statusCode));
      single.addMetric(METRICS.uploadsRefused, MetricUnit.Count, 1);
    },
    opened() {
      metrics.addMetric(METRICS.uploadSessionsOpened, MetricUnit.Count, 1);
    },
    deleted() {
      metrics.addMetric(METRICS.uploadsDeleted, MetricUnit.Count, 1);
    },
    flush() {
      // Powertools warns on an empty flush; a refusal alone has been written already.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

/** The function's metrics; Powertools' own warnings go through the JSON logger. */
export const metrics = uploadMetrics(new Metrics({ serviceName: serviceName('upload'), logger }));
