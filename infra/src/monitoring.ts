import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
  type CloudwatchMetricAlarmMetricQuery,
} from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { S3BucketMetric } from '@cdktf/provider-aws/lib/s3-bucket-metric';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import {
  ALARMS,
  alarmName,
  dashboardName,
  FUNCTION_ALARMS,
  FUNCTION_IDS,
  type FunctionAlarm,
  type FunctionId,
  functionAlarmName,
  KEY_PREFIXES,
  METRIC_DIMENSIONS,
  METRICS,
  metricsNamespace,
  ON_FAILURE_METRICS_FILTER,
  serviceName,
  stackName,
  UPLOAD_REFUSAL_REASONS,
} from '@streamdrop/config';
import { Construct } from 'constructs';
import type { AlarmConfig } from './config';
import type { NodeFunction } from './lambda-function';
import type { SecureBucket } from './storage';

export interface MonitoringOptions {
  readonly stage: string;
  readonly region: string;
  readonly functions: Readonly<Record<FunctionId, NodeFunction>>;
  /** The HTTP API's id (AWS/ApiGateway's `ApiId` dimension). */
  readonly apiId: string;
  readonly streamName: string;
  /** The bucket of the event source mapping's on-failure destination. */
  readonly failuresBucket: SecureBucket;
  readonly alarms: AlarmConfig;
}

/** A metric as alarms and the dashboard name it: namespace, name, dimensions. */
interface MetricRef {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

const MINUTE = 60;
const FIVE_MINUTES = 300;

/**
 * What tells an operator that the pipeline is unwell: one SNS topic (an email subscription when
 * STREAMDROP_ALARM_EMAIL is set), an alarm for each way it fails quietly — a processor falling
 * behind (iterator age), errors and throttles of each function, uploads that need a redrive
 * (permanent failures and on-failure destination records), API 5xx, uploads refused 503, Kinesis
 * write throttling — and one dashboard. Every metric, dimension and alarm name comes from
 * @streamdrop/config; the local runtime reads these very alarms back out of the synthesized stack.
 */
export class Monitoring extends Construct {
  readonly topic: SnsTopic;
  readonly alarms: readonly CloudwatchMetricAlarm[];
  readonly dashboard: CloudwatchDashboard;
  /** Counts the PUTs under `aws/lambda/` of the failures bucket: Lambda's on-failure records. */
  readonly onFailureMetric: S3BucketMetric;

  constructor(scope: Construct, id: string, options: MonitoringOptions) {
    super(scope, id);
    const { stage, functions, alarms: thresholds } = options;
    const namespace = metricsNamespace(stage);
    const own = (name: string, fn: FunctionId, extra: Record<string, string> = {}): MetricRef => ({
      namespace,
      name,
      dimensions: { [METRIC_DIMENSIONS.service]: serviceName(fn), ...extra },
    });
    const lambda = (name: string, fn: FunctionId): MetricRef => ({
      namespace: 'AWS/Lambda',
      name,
      dimensions: { FunctionName: functions[fn].functionName },
    });
    const api = (name: string): MetricRef => ({
      namespace: 'AWS/ApiGateway',
      name,
      dimensions: { ApiId: options.apiId },
    });

    this.topic = new SnsTopic(this, 'alarm-topic', {
      name: `${stackName(stage)}-alarms`,
      displayName: `streamdrop ${stage} alarms`,
    });
    if (thresholds.email !== undefined) {
      new SnsTopicSubscription(this, 'alarm-email', {
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: thresholds.email,
      });
    }

    // Lambda writes on-failure records with no code of ours running (a timeout, a crash, an init
    // failure exhausted the retries), so only S3 itself can count them: request metrics on the
    // prefix Lambda writes under (not `processor/`, which the processor counts itself).
    this.onFailureMetric = new S3BucketMetric(this, 'on-failure-records', {
      bucket: options.failuresBucket.bucket.id,
      name: ON_FAILURE_METRICS_FILTER,
      filter: { prefix: KEY_PREFIXES.onFailureDestination },
    });
    const onFailurePuts: MetricRef = {
      namespace: 'AWS/S3',
      name: 'PutRequests',
      dimensions: { BucketName: options.failuresBucket.name, FilterId: ON_FAILURE_METRICS_FILTER },
    };

    const actions = { alarmActions: [this.topic.arn], okActions: [this.topic.arn] };
    const single = (
      constructId: string,
      name: string,
      description: string,
      metric: MetricRef,
      rest: Pick<CloudwatchMetricAlarmConfig, 'statistic' | 'period' | 'threshold' | 'comparisonOperator'> &
        Partial<Pick<CloudwatchMetricAlarmConfig, 'evaluationPeriods' | 'datapointsToAlarm'>>,
    ) =>
      new CloudwatchMetricAlarm(this, constructId, {
        alarmName: name,
        alarmDescription: description,
        namespace: metric.namespace,
        metricName: metric.name,
        dimensions: { ...metric.dimensions },
        evaluationPeriods: 1,
        // No data means nothing happened: no errors, no traffic, no backlog.
        treatMissingData: 'notBreaching',
        ...rest,
        ...actions,
      });
    const query = (id: string, metric: MetricRef, stat: string, period: number) =>
      ({
        id,
        returnData: false,
        metric: {
          namespace: metric.namespace,
          metricName: metric.name,
          dimensions: { ...metric.dimensions },
          stat,
          period,
        },
      }) satisfies CloudwatchMetricAlarmMetricQuery;
    const math = (
      constructId: string,
      name: string,
      description: string,
      expression: { id: string; expression: string; label: string },
      metrics: CloudwatchMetricAlarmMetricQuery[],
      rest: Pick<CloudwatchMetricAlarmConfig, 'threshold' | 'comparisonOperator'>,
    ) =>
      new CloudwatchMetricAlarm(this, constructId, {
        alarmName: name,
        alarmDescription: description,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        metricQuery: [{ ...expression, returnData: true }, ...metrics],
        ...rest,
        ...actions,
      });

    const iteratorAge = single(
      'iterator-age',
      alarmName(stage, ALARMS.iteratorAge),
      `The processor's oldest unprocessed record is older than ${thresholds.iteratorAgeSeconds} s in 3 of 5 minutes: it is falling behind or stuck on a batch. Runbook: docs/operations.md#${ALARMS.iteratorAge}`,
      lambda('IteratorAge', 'processor'),
      {
        statistic: 'Maximum',
        period: MINUTE,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        threshold: thresholds.iteratorAgeSeconds * 1000,
        comparisonOperator: 'GreaterThanThreshold',
      },
    );

    const perFunction = Object.values(FUNCTION_IDS).flatMap((fn) =>
      (Object.values(FUNCTION_ALARMS) as FunctionAlarm[]).map((alarm) => {
        const errors = alarm === FUNCTION_ALARMS.errors;
        return single(
          `${fn}-${alarm}`,
          functionAlarmName(stage, fn, alarm),
          `The ${fn} function ${errors ? 'failed' : 'was throttled'} at least ${errors ? thresholds.functionErrors : thresholds.functionThrottles} time(s) in a minute. Runbook: docs/operations.md#function-${alarm}`,
          lambda(errors ? 'Errors' : 'Throttles', fn),
          {
            statistic: 'Sum',
            period: MINUTE,
            threshold: errors ? thresholds.functionErrors : thresholds.functionThrottles,
            comparisonOperator: 'GreaterThanOrEqualToThreshold',
          },
        );
      }),
    );

    const failures = math(
      'failures',
      alarmName(stage, ALARMS.failures),
      `At least ${thresholds.failures} upload(s) in a minute went to the failures bucket (failed permanently, or out of retries): they wait for a redrive. Runbook: docs/operations.md#${ALARMS.failures}`,
      {
        id: 'failures',
        expression: 'FILL(failed, 0) + FILL(onfailure, 0)',
        label: 'records needing a redrive',
      },
      [
        query('failed', own(METRICS.recordsFailedPermanently, 'processor'), 'Sum', MINUTE),
        query('onfailure', onFailurePuts, 'Sum', MINUTE),
      ],
      { threshold: thresholds.failures, comparisonOperator: 'GreaterThanOrEqualToThreshold' },
    );

    const api5xx = math(
      'api-5xx-rate',
      alarmName(stage, ALARMS.api5xxRate),
      `More than ${thresholds.api5xxPercent} % of API requests answered 5xx over five minutes. Runbook: docs/operations.md#${ALARMS.api5xxRate}`,
      { id: 'rate', expression: '100 * FILL(errors, 0) / requests', label: '5xx, % of requests' },
      [
        query('errors', api('5xx'), 'Sum', FIVE_MINUTES),
        query('requests', api('Count'), 'Sum', FIVE_MINUTES),
      ],
      { threshold: thresholds.api5xxPercent, comparisonOperator: 'GreaterThanThreshold' },
    );

    const upload503s = single(
      'upload-503s',
      alarmName(stage, ALARMS.upload503s),
      `At least ${thresholds.upload503s} upload(s) answered 503 in five minutes: S3 or Kinesis kept failing and nothing was stored. Runbook: docs/operations.md#${ALARMS.upload503s}`,
      own(METRICS.uploadsRefused, 'upload', {
        [METRIC_DIMENSIONS.reason]: UPLOAD_REFUSAL_REASONS.unavailable,
      }),
      {
        statistic: 'Sum',
        period: FIVE_MINUTES,
        threshold: thresholds.upload503s,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
      },
    );

    const kinesisThrottles = single(
      'kinesis-write-throttles',
      alarmName(stage, ALARMS.kinesisWriteThrottles),
      `Kinesis refused at least ${thresholds.kinesisWriteThrottles} write(s) for throughput in five minutes. Runbook: docs/operations.md#${ALARMS.kinesisWriteThrottles}`,
      {
        namespace: 'AWS/Kinesis',
        name: 'WriteProvisionedThroughputExceeded',
        dimensions: { StreamName: options.streamName },
      },
      {
        statistic: 'Sum',
        period: FIVE_MINUTES,
        threshold: thresholds.kinesisWriteThrottles,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
      },
    );

    this.alarms = [iteratorAge, ...perFunction, failures, api5xx, upload503s, kinesisThrottles];

    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: dashboardName(stage),
      dashboardBody: JSON.stringify(
        dashboardBody({
          region: options.region,
          own,
          lambda,
          api,
          onFailurePuts,
          streamName: options.streamName,
          functions: Object.values(FUNCTION_IDS),
          alarmArns: this.alarms.map((a) => a.arn),
        }),
      ),
    });
  }
}

type Stat = 'Sum' | 'Maximum' | 'p50' | 'p99';
/** A CloudWatch dashboard metric line: namespace, name, then dimension name/value pairs, then options. */
const line = (metric: MetricRef, options: { stat?: Stat; label?: string } = {}) => [
  metric.namespace,
  metric.name,
  ...Object.entries(metric.dimensions).flat(),
  options,
];

/** The dashboard: traffic, latency, iterator age, failures, errors, and every alarm's state. */
function dashboardBody(args: {
  region: string;
  own: (name: string, fn: FunctionId, extra?: Record<string, string>) => MetricRef;
  lambda: (name: string, fn: FunctionId) => MetricRef;
  api: (name: string) => MetricRef;
  onFailurePuts: MetricRef;
  streamName: string;
  functions: FunctionId[];
  alarmArns: string[];
}) {
  const { own, lambda, api } = args;
  const graph = (
    x: number,
    y: number,
    title: string,
    metrics: unknown[][],
    extra: Record<string, unknown> = {},
  ) => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: {
      title,
      region: args.region,
      view: 'timeSeries',
      period: 60,
      stat: 'Sum',
      metrics,
      ...extra,
    },
  });
  return {
    widgets: [
      {
        type: 'alarm',
        x: 0,
        y: 0,
        width: 24,
        height: 3,
        properties: { title: 'Alarms', alarms: args.alarmArns },
      },
      graph(0, 3, 'Traffic: requests and uploads', [
        line(api('Count'), { label: 'API requests' }),
        line(own(METRICS.uploadsAccepted, 'upload'), { label: 'uploads accepted' }),
        line(own(METRICS.recordsProcessed, 'processor'), { label: 'records processed' }),
        line(own(METRICS.recordsSkipped, 'processor'), { label: 'records skipped (already done)' }),
      ]),
      graph(12, 3, 'Latency: upload to processed, API, functions (p99)', [
        line(own(METRICS.processingLatency, 'processor'), { stat: 'p50', label: 'upload to processed p50' }),
        line(own(METRICS.processingLatency, 'processor'), { stat: 'p99', label: 'upload to processed p99' }),
        line(api('Latency'), { stat: 'p99', label: 'API p99' }),
        ...args.functions.map((fn) =>
          line(lambda('Duration', fn), { stat: 'p99', label: `${fn} duration p99` }),
        ),
      ]),
      graph(
        0,
        9,
        'Iterator age of the processor (ms)',
        [line(lambda('IteratorAge', 'processor'), { stat: 'Maximum', label: 'iterator age, max' })],
        { stat: 'Maximum' },
      ),
      graph(12, 9, 'Failures: redrive, retries, refused uploads', [
        line(own(METRICS.recordsFailedPermanently, 'processor'), { label: 'failed permanently' }),
        line(args.onFailurePuts, { label: 'on-failure destination records' }),
        line(own(METRICS.recordsRetried, 'processor'), { label: 'records retried' }),
        line(
          own(METRICS.uploadsRefused, 'upload', {
            [METRIC_DIMENSIONS.reason]: UPLOAD_REFUSAL_REASONS.unavailable,
          }),
          {
            label: 'uploads refused 503',
          },
        ),
        line(api('5xx'), { label: 'API 5xx' }),
      ]),
      graph(0, 15, 'Function errors and throttles', [
        ...args.functions.flatMap((fn) => [
          line(lambda('Errors', fn), { label: `${fn} errors` }),
          line(lambda('Throttles', fn), { label: `${fn} throttles` }),
        ]),
        line(
          {
            namespace: 'AWS/Kinesis',
            name: 'WriteProvisionedThroughputExceeded',
            dimensions: { StreamName: args.streamName },
          },
          { label: 'Kinesis write throttles' },
        ),
      ]),
      graph(12, 15, 'Object size (bytes)', [
        line(own(METRICS.objectSize, 'processor'), { stat: 'p50', label: 'p50' }),
        line(own(METRICS.objectSize, 'processor'), { stat: 'Maximum', label: 'max' }),
        line(own(METRICS.uploadBytesAccepted, 'upload'), { label: 'bytes accepted' }),
      ]),
    ],
  };
}
