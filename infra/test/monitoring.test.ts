import {
  ALARM_DEFAULTS,
  ALARMS,
  alarmName,
  FUNCTION_IDS,
  functionAlarmName,
  METRICS,
  metricsNamespace,
  ON_FAILURE_METRICS_FILTER,
} from '@streamdrop/config';
import { findResource, resourcesOf, synth, type TerraformJson } from './helpers';

// The alarms, their topic and the dashboard, as synthesized: each alarm's metric, threshold and
// action, and the thresholds the deploy variables set.

interface Alarm {
  alarm_name: string;
  namespace?: string;
  metric_name?: string;
  dimensions?: Record<string, string>;
  statistic?: string;
  period?: number;
  evaluation_periods: number;
  datapoints_to_alarm?: number;
  threshold: number;
  comparison_operator: string;
  treat_missing_data: string;
  alarm_actions: string[];
  ok_actions: string[];
  metric_query?: {
    id: string;
    expression?: string;
    return_data: boolean;
    metric?: {
      namespace: string;
      metric_name: string;
      dimensions: Record<string, string>;
      stat: string;
      period: number;
    };
  }[];
}

const alarm = (tf: TerraformJson, name: string) =>
  findResource(tf, 'aws_cloudwatch_metric_alarm', 'alarm_name', name).body as unknown as Alarm;
const addressOf = (tf: TerraformJson, type: string, key: string, value: string) =>
  `${type}.${findResource(tf, type, key, value).id}`;

describe('monitoring', () => {
  const { tf } = synth();
  const topic = Object.entries(resourcesOf(tf, 'aws_sns_topic'));
  const topicArn = `\${aws_sns_topic.${topic[0]?.[0]}.arn}`;
  const fnName = (id: string) =>
    `\${${addressOf(tf, 'aws_lambda_function', 'function_name', `streamdrop-dev-${id}`)}.function_name}`;

  it('has one alarm topic, named after the stack, and no email subscription unless asked', () => {
    expect(topic).toHaveLength(1);
    expect(topic[0]?.[1]).toMatchObject({ name: 'streamdrop-dev-alarms' });
    expect(resourcesOf(tf, 'aws_sns_topic_subscription')).toEqual({});
    expect(tf.output.alarm_topic_arn?.value).toBe(topicArn);
  });

  it('subscribes STREAMDROP_ALARM_EMAIL to the topic by email', () => {
    const { tf: withEmail } = synth({ STREAMDROP_ALARM_EMAIL: 'oncall@example.com' });
    expect(Object.values(resourcesOf(withEmail, 'aws_sns_topic_subscription'))).toEqual([
      expect.objectContaining({ protocol: 'email', endpoint: 'oncall@example.com' }),
    ]);
  });

  it('refuses a STREAMDROP_ALARM_EMAIL that is not an email address', () => {
    expect(() => synth({ STREAMDROP_ALARM_EMAIL: 'not an address' })).toThrow('STREAMDROP_ALARM_EMAIL');
  });

  it('creates exactly the alarms of @streamdrop/config, each notifying the topic when it fires and when it clears', () => {
    const names = Object.values(resourcesOf(tf, 'aws_cloudwatch_metric_alarm')).map((a) => a.alarm_name);
    const expected = [
      ...Object.values(ALARMS).map((suffix) => alarmName('dev', suffix)),
      ...Object.values(FUNCTION_IDS).flatMap((fn) => [
        functionAlarmName('dev', fn, 'errors'),
        functionAlarmName('dev', fn, 'throttles'),
      ]),
    ];
    expect(names.sort()).toEqual(expected.sort());
    for (const name of expected) {
      expect(alarm(tf, name)).toMatchObject({
        alarm_actions: [topicArn],
        ok_actions: [topicArn],
        treat_missing_data: 'notBreaching',
      });
    }
  });

  it('alarms on the processor iterator age (maximum, ms) above 300 s in 3 of 5 minutes', () => {
    expect(alarm(tf, 'streamdrop-dev-processor-iterator-age')).toMatchObject({
      namespace: 'AWS/Lambda',
      metric_name: 'IteratorAge',
      dimensions: { FunctionName: fnName('processor') },
      statistic: 'Maximum',
      period: 60,
      evaluation_periods: 5,
      datapoints_to_alarm: 3,
      threshold: ALARM_DEFAULTS.iteratorAgeSeconds * 1000,
      comparison_operator: 'GreaterThanThreshold',
    });
  });

  it.each(Object.values(FUNCTION_IDS))(
    'alarms on every error and every throttle of the %s function',
    (fn) => {
      for (const [suffix, metric] of [
        ['errors', 'Errors'],
        ['throttles', 'Throttles'],
      ] as const) {
        expect(alarm(tf, functionAlarmName('dev', fn, suffix))).toMatchObject({
          namespace: 'AWS/Lambda',
          metric_name: metric,
          dimensions: { FunctionName: fnName(fn) },
          statistic: 'Sum',
          period: 60,
          threshold: 1,
          comparison_operator: 'GreaterThanOrEqualToThreshold',
        });
      }
    },
  );

  it('alarms on any record that needs a redrive: permanent failures plus on-failure destination records', () => {
    const failures = alarm(tf, 'streamdrop-dev-failures');
    const bucket = Object.keys(resourcesOf(tf, 'aws_s3_bucket')).find((id) => id.includes('failures'));
    expect(failures).toMatchObject({ threshold: 1, comparison_operator: 'GreaterThanOrEqualToThreshold' });
    expect(failures.metric_query).toEqual([
      {
        id: 'failures',
        expression: 'FILL(failed, 0) + FILL(onfailure, 0)',
        label: 'records needing a redrive',
        return_data: true,
      },
      {
        id: 'failed',
        return_data: false,
        metric: {
          namespace: metricsNamespace('dev'),
          metric_name: METRICS.recordsFailedPermanently,
          dimensions: { service: 'streamdrop-processor' },
          stat: 'Sum',
          period: 60,
        },
      },
      {
        id: 'onfailure',
        return_data: false,
        metric: {
          namespace: 'AWS/S3',
          metric_name: 'PutRequests',
          dimensions: {
            BucketName: `\${aws_s3_bucket.${bucket}.bucket}`,
            FilterId: ON_FAILURE_METRICS_FILTER,
          },
          stat: 'Sum',
          period: 60,
        },
      },
    ]);
    // The filter that makes AWS/S3 count Lambda's on-failure records, and only those.
    expect(Object.values(resourcesOf(tf, 'aws_s3_bucket_metric'))).toEqual([
      expect.objectContaining({
        bucket: `\${aws_s3_bucket.${bucket}.id}`,
        name: ON_FAILURE_METRICS_FILTER,
        filter: { prefix: 'aws/lambda/' },
      }),
    ]);
  });

  it('alarms on the share of API requests answered 5xx, by metric math over five minutes', () => {
    const rate = alarm(tf, 'streamdrop-dev-api-5xx-rate');
    const api = `\${aws_apigatewayv2_api.${Object.keys(resourcesOf(tf, 'aws_apigatewayv2_api'))[0]}.id}`;
    expect(rate).toMatchObject({ threshold: 5, comparison_operator: 'GreaterThanThreshold' });
    expect(rate.metric_query?.[0]).toMatchObject({
      expression: '100 * FILL(errors, 0) / requests',
      return_data: true,
    });
    expect(
      rate.metric_query
        ?.slice(1)
        .map((q) => [q.id, q.metric?.metric_name, q.metric?.dimensions, q.metric?.period]),
    ).toEqual([
      ['errors', '5xx', { ApiId: api }, 300],
      ['requests', 'Count', { ApiId: api }, 300],
    ]);
  });

  it('alarms on uploads refused 503 and on Kinesis write throttling, over five minutes', () => {
    expect(alarm(tf, 'streamdrop-dev-upload-503s')).toMatchObject({
      namespace: metricsNamespace('dev'),
      metric_name: METRICS.uploadsRefused,
      dimensions: { service: 'streamdrop-upload', reason: 'unavailable' },
      statistic: 'Sum',
      period: 300,
      threshold: ALARM_DEFAULTS.upload503s,
    });
    const stream = Object.keys(resourcesOf(tf, 'aws_kinesis_stream'))[0];
    expect(alarm(tf, 'streamdrop-dev-kinesis-write-throttles')).toMatchObject({
      namespace: 'AWS/Kinesis',
      metric_name: 'WriteProvisionedThroughputExceeded',
      dimensions: { StreamName: `\${aws_kinesis_stream.${stream}.name}` },
      period: 300,
      threshold: ALARM_DEFAULTS.kinesisWriteThrottles,
    });
  });

  it('takes every threshold from its deploy variable', () => {
    const { tf: tuned } = synth({
      STREAMDROP_ALARM_ITERATOR_AGE_SECONDS: '60',
      STREAMDROP_ALARM_FUNCTION_ERRORS: '3',
      STREAMDROP_ALARM_FUNCTION_THROTTLES: '4',
      STREAMDROP_ALARM_FAILURES: '2',
      STREAMDROP_ALARM_API_5XX_PERCENT: '10',
      STREAMDROP_ALARM_UPLOAD_503S: '7',
      STREAMDROP_ALARM_KINESIS_WRITE_THROTTLES: '20',
    });
    expect(alarm(tuned, 'streamdrop-dev-processor-iterator-age').threshold).toBe(60_000);
    expect(alarm(tuned, 'streamdrop-dev-upload-errors').threshold).toBe(3);
    expect(alarm(tuned, 'streamdrop-dev-streams-throttles').threshold).toBe(4);
    expect(alarm(tuned, 'streamdrop-dev-failures').threshold).toBe(2);
    expect(alarm(tuned, 'streamdrop-dev-api-5xx-rate').threshold).toBe(10);
    expect(alarm(tuned, 'streamdrop-dev-upload-503s').threshold).toBe(7);
    expect(alarm(tuned, 'streamdrop-dev-kinesis-write-throttles').threshold).toBe(20);
  });

  it.each([
    ['STREAMDROP_ALARM_API_5XX_PERCENT', '101'],
    ['STREAMDROP_ALARM_FUNCTION_ERRORS', '0'],
    ['STREAMDROP_ALARM_ITERATOR_AGE_SECONDS', '5m'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => synth({ [name]: value })).toThrow(name);
  });

  describe('the dashboard', () => {
    const dashboards = Object.values(resourcesOf(tf, 'aws_cloudwatch_dashboard'));
    const body = JSON.parse(String(dashboards[0]?.dashboard_body)) as {
      widgets: { type: string; properties: { title: string; alarms?: string[]; metrics?: unknown[][] } }[];
    };
    const titles = body.widgets.map((w) => w.properties.title);

    it('is one dashboard named after the stack', () => {
      expect(dashboards).toEqual([expect.objectContaining({ dashboard_name: 'streamdrop-dev' })]);
    });

    it('shows traffic, latency, iterator age, failures and errors', () => {
      for (const topic of ['Traffic', 'Latency', 'Iterator age', 'Failures', 'errors']) {
        expect(titles.some((t) => t.includes(topic))).toBe(true);
      }
      const metrics = body.widgets.flatMap((w) => w.properties.metrics ?? []).map((m) => m[1]);
      for (const name of [
        METRICS.uploadsAccepted,
        METRICS.recordsProcessed,
        METRICS.processingLatency,
        METRICS.recordsFailedPermanently,
        METRICS.recordsRetried,
        'IteratorAge',
        'Errors',
        'Throttles',
        '5xx',
      ]) {
        expect(metrics).toContain(name);
      }
    });

    it('shows the state of every alarm', () => {
      const alarms = body.widgets.find((w) => w.type === 'alarm')?.properties.alarms ?? [];
      expect(alarms).toHaveLength(Object.keys(resourcesOf(tf, 'aws_cloudwatch_metric_alarm')).length);
      for (const arn of alarms) expect(arn).toMatch(/^\$\{aws_cloudwatch_metric_alarm\.[^.]+\.arn\}$/);
    });
  });
});
