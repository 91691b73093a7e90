import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  METRIC_DIMENSIONS,
  METRICS,
  proxyOutcome,
  STREAM_PROXY_ROUTES,
  serviceName,
} from '@streamdrop/config';
import { logger } from './logger';

/**
 * What the administrators' proxy counts, as EMF lines on stdout (no API call): one ProxyCalls per
 * request, dimensions `service`, `route` (a STREAM_PROXY_ROUTES key, `unknown` for any other) and
 * `outcome` (ok, refused, throttled, failed). The namespace comes from POWERTOOLS_METRICS_NAMESPACE.
 */
export interface StreamsMetrics {
  /** The request with this route key was answered with this status. */
  call(routeKey: string, statusCode: number): void;
}

const ROUTE_NAMES = new Map<string, string>(
  Object.entries(STREAM_PROXY_ROUTES).map(([name, routeKey]) => [routeKey, name]),
);

export function streamsMetrics(metrics: Metrics): StreamsMetrics {
  return {
    call(routeKey, statusCode) {
      const single = metrics.singleMetric();
      single.addDimensions({
        [METRIC_DIMENSIONS.route]: ROUTE_NAMES.get(routeKey) ?? 'unknown',
        [METRIC_DIMENSIONS.outcome]: proxyOutcome(statusCode),
      });
      single.addMetric(METRICS.proxyCalls, MetricUnit.Count, 1);
    },
  };
}

/** The function's metrics; Powertools' own warnings go through the JSON logger. */
export const metrics = streamsMetrics(new Metrics({ serviceName: serviceName('streams'), logger }));
