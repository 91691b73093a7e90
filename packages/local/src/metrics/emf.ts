/**
 * Reading the functions' Embedded Metric Format lines, as CloudWatch Logs does: a JSON object
 * whose `_aws.CloudWatchMetrics` directives name the metrics, their namespace and dimension sets,
 * with each metric's value(s) and each dimension's value as top-level members.
 */

/** One metric of one EMF line, for one of its dimension sets. */
export interface MetricDatum {
  namespace: string;
  name: string;
  unit?: string;
  dimensions: Record<string, string>;
  values: number[];
  /** Epoch ms: the line's `_aws.Timestamp`, or when it was read. */
  timestamp: number;
}

interface Directive {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

/** The metrics of an EMF line, or undefined when the line is not EMF (any other log line). */
export function parseEmf(line: string, now: () => number = Date.now): MetricDatum[] | undefined {
  if (!line.startsWith('{') || !line.includes('"_aws"')) return undefined;
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    doc = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const aws = doc._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || !Array.isArray(aws.CloudWatchMetrics)) return undefined;
  const timestamp = typeof aws.Timestamp === 'number' ? aws.Timestamp : now();
  const data: MetricDatum[] = [];
  for (const directive of aws.CloudWatchMetrics as Directive[]) {
    if (typeof directive.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    // A directive without dimension sets publishes its metrics without dimensions.
    const sets =
      Array.isArray(directive.Dimensions) && directive.Dimensions.length > 0 ? directive.Dimensions : [[]];
    for (const set of sets as unknown[]) {
      if (!Array.isArray(set)) continue;
      const dimensions: Record<string, string> = {};
      for (const name of set)
        if (typeof name === 'string' && doc[name] !== undefined) dimensions[name] = String(doc[name]);
      for (const metric of directive.Metrics as Array<{ Name?: unknown; Unit?: unknown }>) {
        if (typeof metric.Name !== 'string') continue;
        const raw = doc[metric.Name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter(
          (v): v is number => typeof v === 'number' && Number.isFinite(v),
        );
        if (values.length === 0) continue;
        data.push({
          namespace: directive.Namespace,
          name: metric.Name,
          ...(typeof metric.Unit === 'string' ? { unit: metric.Unit } : {}),
          dimensions,
          values,
          timestamp,
        });
      }
    }
  }
  return data;
}
