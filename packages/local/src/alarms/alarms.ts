import { StackError } from '../errors';
import type { MetricId, MetricStore, Statistic } from '../metrics/store';
import { prop, resources, type TerraformJson, type TerraformResource } from '../stack/terraform-json';
import { compileExpression } from './expression';

export type ComparisonOperator =
  | 'GreaterThanThreshold'
  | 'GreaterThanOrEqualToThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One metric an alarm reads, with its statistic and period. */
export interface AlarmMetric extends MetricId {
  stat: Statistic;
  periodSeconds: number;
}

/** An aws_cloudwatch_metric_alarm of the stack, with its Terraform references resolved to local names. */
export interface AlarmDefinition {
  address: string;
  name: string;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: ComparisonOperator;
  treatMissingData: TreatMissingData;
  /** The value of one period ending at `end` (epoch ms), or undefined when there is no datapoint. */
  value(store: MetricStore, end: number): number | undefined;
  /** What it reads, for people: `AWS/Lambda Errors FunctionName=…` or the expression. */
  describe: string;
}

const OPERATORS: readonly ComparisonOperator[] = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
const MISSING: readonly TreatMissingData[] = ['missing', 'notBreaching', 'breaching', 'ignore'];

/** Resolves `${type.name.attr}` references in a dimension value (the runtime model's lookup). */
export type Resolve = (value: string, where: string) => string;

function dimensionsOf(value: unknown, resolve: Resolve, where: string): Record<string, string> {
  const raw = (Array.isArray(value) ? value[0] : value) ?? {};
  if (typeof raw !== 'object' || raw === null) throw new StackError(`${where} should be a map of dimensions`);
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, resolve(String(v), `${where}.${k}`)]),
  );
}

function metricValue(store: MetricStore, metric: AlarmMetric, end: number): number | undefined {
  return store.query(metric, metric.stat, end - metric.periodSeconds * 1000, end);
}

/**
 * The alarms of the synthesized stack, as CloudWatch would evaluate them: a single metric with
 * its statistic (or extended statistic), or metric math over `metric_query` entries.
 */
export function readAlarms(tf: TerraformJson, resolve: Resolve): AlarmDefinition[] {
  return resources(tf, 'aws_cloudwatch_metric_alarm').map((r) => readAlarm(r, resolve));
}

function readAlarm(r: TerraformResource, resolve: Resolve): AlarmDefinition {
  const where = r.address;
  const comparison = prop.str(r, 'comparison_operator') as ComparisonOperator;
  if (!OPERATORS.includes(comparison)) {
    throw new StackError(
      `${where}.comparison_operator ${comparison} does not run locally (no anomaly detection).`,
    );
  }
  const treat = prop.str(r, 'treat_missing_data', 'missing') as TreatMissingData;
  if (!MISSING.includes(treat)) throw new StackError(`${where}.treat_missing_data ${treat} is not known`);
  const evaluationPeriods = prop.num(r, 'evaluation_periods', 1);
  const common = {
    address: where,
    name: prop.str(r, 'alarm_name'),
    evaluationPeriods,
    datapointsToAlarm: prop.num(r, 'datapoints_to_alarm', evaluationPeriods),
    threshold: prop.num(r, 'threshold', 0),
    comparison,
    treatMissingData: treat,
  };

  const queries = r.values.metric_query;
  if (Array.isArray(queries) && queries.length > 0) {
    const metrics = new Map<string, AlarmMetric>();
    let expression: { id: string; text: string } | undefined;
    for (const [i, q] of (queries as Array<Record<string, unknown>>).entries()) {
      const id = String(q.id);
      const metric = (Array.isArray(q.metric) ? q.metric[0] : q.metric) as
        | Record<string, unknown>
        | undefined;
      if (metric) {
        metrics.set(id, {
          namespace: String(metric.namespace),
          name: String(metric.metric_name),
          dimensions: dimensionsOf(
            metric.dimensions,
            resolve,
            `${where}.metric_query[${i}].metric.dimensions`,
          ),
          stat: String(metric.stat),
          periodSeconds: Number(metric.period),
        });
      }
      if (q.return_data === true || q.return_data === 'true') {
        if (typeof q.expression === 'string') expression = { id, text: q.expression };
        else expression = { id, text: id };
      }
    }
    if (!expression) throw new StackError(`${where}: no metric_query entry has return_data = true`);
    const evaluate = compileExpression(expression.text);
    const periodSeconds = Math.max(...[...metrics.values()].map((m) => m.periodSeconds), 60);
    return {
      ...common,
      periodSeconds,
      describe: expression.text,
      value: (store, end) =>
        evaluate(Object.fromEntries([...metrics].map(([id, m]) => [id, metricValue(store, m, end)]))),
    };
  }

  const metric: AlarmMetric = {
    namespace: prop.str(r, 'namespace'),
    name: prop.str(r, 'metric_name'),
    dimensions: dimensionsOf(r.values.dimensions, resolve, `${where}.dimensions`),
    stat: prop.optStr(r, 'statistic') ?? prop.str(r, 'extended_statistic'),
    periodSeconds: prop.num(r, 'period', 60),
  };
  const dims = Object.entries(metric.dimensions).map(([k, v]) => `${k}=${v}`);
  return {
    ...common,
    periodSeconds: metric.periodSeconds,
    describe: `${metric.stat} of ${metric.namespace} ${metric.name}${dims.length ? ` ${dims.join(' ')}` : ''}`,
    value: (store, end) => metricValue(store, metric, end),
  };
}

function breaches(value: number, alarm: Pick<AlarmDefinition, 'comparison' | 'threshold'>): boolean {
  switch (alarm.comparison) {
    case 'GreaterThanThreshold':
      return value > alarm.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= alarm.threshold;
    case 'LessThanThreshold':
      return value < alarm.threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= alarm.threshold;
  }
}

export interface Evaluation {
  state: AlarmState;
  /** The newest datapoint, when there is one. */
  value: number | undefined;
  reason: string;
}

/**
 * One evaluation, as CloudWatch makes it: the last `evaluationPeriods` periods (here ending now,
 * not aligned to the minute), `datapointsToAlarm` of them breaching makes ALARM, missing data
 * treated as the alarm says. `previous` is kept when the data says nothing (`ignore`).
 */
export function evaluateAlarm(
  alarm: AlarmDefinition,
  store: MetricStore,
  now: number,
  previous: AlarmState,
): Evaluation {
  const period = alarm.periodSeconds * 1000;
  const points = Array.from({ length: alarm.evaluationPeriods }, (_, k) =>
    alarm.value(store, now - k * period),
  );
  const newest = points[0];
  let breaching = 0;
  let counted = 0;
  for (const value of points) {
    if (value === undefined) {
      if (alarm.treatMissingData === 'breaching') {
        breaching += 1;
        counted += 1;
      } else if (alarm.treatMissingData === 'notBreaching') counted += 1;
      continue;
    }
    counted += 1;
    if (breaches(value, alarm)) breaching += 1;
  }
  const op = alarm.comparison
    .replace('Threshold', '')
    .replace(/([A-Z])/g, ' $1')
    .trim()
    .toLowerCase();
  const reason = `${breaching} of the last ${alarm.evaluationPeriods} period(s) of ${alarm.periodSeconds} s breaching (${alarm.describe} ${op} ${alarm.threshold}; newest ${newest === undefined ? 'no data' : round(newest)})`;
  if (breaching >= alarm.datapointsToAlarm) return { state: 'ALARM', value: newest, reason };
  if (counted === 0) {
    return {
      state: alarm.treatMissingData === 'ignore' ? previous : 'INSUFFICIENT_DATA',
      value: newest,
      reason,
    };
  }
  return { state: 'OK', value: newest, reason };
}

const round = (n: number) => Math.round(n * 100) / 100;
