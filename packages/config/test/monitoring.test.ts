import {
  ALARM_DEFAULTS,
  ALARMS,
  alarmName,
  FUNCTION_ALARMS,
  FUNCTION_IDS,
  functionAlarmName,
  METRIC_DIMENSIONS,
  METRICS,
  metricsNamespace,
  PROXY_OUTCOMES,
  proxyOutcome,
  UPLOAD_REFUSAL_REASONS,
  uploadRefusalReason,
  VARIABLES,
} from '../src';

describe('monitoring names', () => {
  it('gives each stage its own metrics namespace, in the characters CloudWatch accepts', () => {
    expect(metricsNamespace('dev')).toBe('Streamdrop/dev');
    expect(metricsNamespace('prod')).not.toBe(metricsNamespace('dev'));
    expect(metricsNamespace('a-b-1')).toMatch(/^[A-Za-z0-9._#:/-]{1,255}$/);
  });

  it('names every metric in PascalCase, once', () => {
    const names = Object.values(METRICS);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps dimension values low-cardinality: fixed kebab-case words', () => {
    for (const value of [...Object.values(UPLOAD_REFUSAL_REASONS), ...Object.values(PROXY_OUTCOMES)]) {
      expect(value).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
    }
    expect(Object.values(METRIC_DIMENSIONS)).toEqual(['service', 'reason', 'route', 'outcome']);
  });

  it.each([
    [400, 'invalid-request'],
    [401, 'unauthorized'],
    [409, 'idempotency-in-progress'],
    [413, 'too-large'],
    [415, 'unsupported-media-type'],
    [422, 'idempotency-key-reused'],
    [500, 'internal-error'],
    [503, 'unavailable'],
    [418, 'other'],
  ])('gives the refusal of status %i the reason %s', (status, reason) => {
    expect(uploadRefusalReason(status)).toBe(reason);
  });

  it.each([
    [200, 'ok'],
    [400, 'refused'],
    [403, 'refused'],
    [404, 'refused'],
    [429, 'throttled'],
    [500, 'failed'],
    [502, 'failed'],
  ])('gives a streams call answered %i the outcome %s', (status, outcome) => {
    expect(proxyOutcome(status)).toBe(outcome);
  });

  it('names every alarm streamdrop-<stage>-<what>, each name once', () => {
    const names = [
      ...Object.values(ALARMS).map((suffix) => alarmName('dev', suffix)),
      ...Object.values(FUNCTION_IDS).flatMap((fn) =>
        Object.values(FUNCTION_ALARMS).map((alarm) => functionAlarmName('dev', fn, alarm)),
      ),
    ];
    for (const name of names) expect(name).toMatch(/^streamdrop-dev-[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(names).size).toBe(names.length);
    expect(functionAlarmName('prod', 'processor', 'errors')).toBe('streamdrop-prod-processor-errors');
  });

  it('documents each alarm threshold default as the deploy variable that sets it', () => {
    const byVariable = {
      STREAMDROP_ALARM_ITERATOR_AGE_SECONDS: ALARM_DEFAULTS.iteratorAgeSeconds,
      STREAMDROP_ALARM_FUNCTION_ERRORS: ALARM_DEFAULTS.functionErrors,
      STREAMDROP_ALARM_FUNCTION_THROTTLES: ALARM_DEFAULTS.functionThrottles,
      STREAMDROP_ALARM_FAILURES: ALARM_DEFAULTS.failures,
      STREAMDROP_ALARM_API_5XX_PERCENT: ALARM_DEFAULTS.api5xxPercent,
      STREAMDROP_ALARM_UPLOAD_503S: ALARM_DEFAULTS.upload503s,
      STREAMDROP_ALARM_KINESIS_WRITE_THROTTLES: ALARM_DEFAULTS.kinesisWriteThrottles,
    } as const;
    for (const [name, value] of Object.entries(byVariable)) {
      expect(VARIABLES).toHaveProperty([name, 'default'], String(value));
      expect(VARIABLES).toHaveProperty([name, 'scope'], 'deploy');
    }
  });
});
