/**
 * Stands in for @aws-lambda-powertools/metrics in the bench's "without metrics" bundles: the same
 * API the functions use, doing nothing. So the difference to the production bundle is what the
 * metrics cost — the module, building the EMF line and writing it — and nothing else.
 */
export const MetricUnit = {
  Count: 'Count',
  Bytes: 'Bytes',
  Milliseconds: 'Milliseconds',
} as const;

export class Metrics {
  addMetric(): void {}
  addDimension(): void {}
  addDimensions(): void {}
  singleMetric(): Metrics {
    return this;
  }
  hasStoredMetrics(): boolean {
    return false;
  }
  publishStoredMetrics(): void {}
}
