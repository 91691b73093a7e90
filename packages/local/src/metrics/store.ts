import type { MetricDatum } from './emf';

/** A CloudWatch statistic: Sum, Average, Minimum, Maximum, SampleCount, or a percentile such as p99. */
export type Statistic = string;

/** A metric's identity, as CloudWatch has it: namespace, name and the exact set of dimensions. */
export interface MetricId {
  namespace: string;
  name: string;
  dimensions: Readonly<Record<string, string>>;
}

interface Series extends MetricId {
  points: Array<{ t: number; v: number }>;
  /** Every value since the store was made, for totals (points are pruned). */
  total: number;
  count: number;
}

const keyOf = (id: MetricId) =>
  `${id.namespace}\u0000${id.name}\u0000${Object.entries(id.dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join('\u0000')}`;

/** The statistic of `values` (undefined when there are none, as CloudWatch has no datapoint then). */
export function statistic(values: readonly number[], stat: Statistic): number | undefined {
  if (values.length === 0) return undefined;
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'SampleCount':
      return values.length;
  }
  const p = /^p(\d+(?:\.\d+)?)$/.exec(stat);
  if (!p) return undefined;
  return percentile(values, Number(p[1]));
}

/** The nearest-rank percentile `p` (0-100) of `values`. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/**
 * The local stand-in for CloudWatch's metric store: datapoints by metric identity, kept for
 * `retentionMs` (long enough for any alarm's evaluation range), plus running totals since start.
 */
export class MetricStore {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly retentionMs = 60 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  add(datum: MetricDatum): void {
    const key = keyOf(datum);
    let series = this.series.get(key);
    if (!series) {
      series = {
        namespace: datum.namespace,
        name: datum.name,
        dimensions: { ...datum.dimensions },
        points: [],
        total: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    for (const v of datum.values) {
      series.points.push({ t: datum.timestamp, v });
      series.total += v;
      series.count += 1;
    }
    const oldest = this.now() - this.retentionMs;
    while (series.points.length > 0 && (series.points[0]?.t ?? 0) < oldest) series.points.shift();
  }

  /** Shorthand for one value now. */
  put(id: MetricId, value: number, timestamp = this.now()): void {
    this.add({ ...id, values: [value], timestamp });
  }

  /** The statistic of the metric over (start, end] in epoch ms; undefined when it has no value there. */
  query(id: MetricId, stat: Statistic, start: number, end: number): number | undefined {
    return statistic(this.values(id, start, end), stat);
  }

  /** The values of the metric over (start, end]: a period ending now holds what happened now. */
  values(id: MetricId, start: number, end = Number.POSITIVE_INFINITY): number[] {
    const series = this.series.get(keyOf(id));
    return series ? series.points.filter((p) => p.t > start && p.t <= end).map((p) => p.v) : [];
  }

  /** Every series of `namespace`/`name` (any dimensions), with its running total and count. */
  find(namespace: string, name: string): Array<MetricId & { total: number; count: number }> {
    return [...this.series.values()]
      .filter((s) => s.namespace === namespace && s.name === name)
      .map(({ namespace: ns, name: n, dimensions, total, count }) => ({
        namespace: ns,
        name: n,
        dimensions,
        total,
        count,
      }));
  }
}
