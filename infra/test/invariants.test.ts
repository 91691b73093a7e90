import {
  DAY_SECONDS,
  FUNCTION_ENV,
  FUNCTION_IDS,
  FUNCTION_READS,
  functionName,
  IDEMPOTENCY,
  INLINE_UPLOAD,
  KEY_PREFIXES,
  ROUTES,
  STACK_OUTPUTS,
  TRANSFORM_NAMES,
  UPLOAD_STATE_TAG,
  VARIABLES,
  variablesOf,
} from '@streamdrop/config';
import { loadConfig } from '../src/config';
import { FAKE_REPO, findResource, resourcesOf, synth, type TerraformJson, testConfig } from './helpers';

// What the stack and @streamdrop/config must agree on: the names the functions, the local
// runtime and the CLI read back, and the limits between settings. Each test synthesizes the
// stack and compares it with the shared names module.

const functionEnv = (tf: TerraformJson, id: keyof typeof FUNCTION_IDS): Record<string, string> => {
  const fn = findResource(tf, 'aws_lambda_function', 'function_name', functionName('dev', FUNCTION_IDS[id]));
  return (fn.body.environment as { variables: Record<string, string> }).variables;
};

interface LifecycleRule {
  id: string;
  filter: { prefix?: string; tag?: { key: string; value: string }[] }[];
  expiration?: { days: number }[];
}

/** Expiry of the lifecycle rule for uploads still tagged pending, in days. */
function pendingExpiryDays(tf: TerraformJson): number {
  const rules = Object.values(resourcesOf(tf, 'aws_s3_bucket_lifecycle_configuration')).flatMap(
    (config) => config.rule as LifecycleRule[],
  );
  const matching = rules.filter((rule) => {
    const tag = rule.filter[0]?.tag?.[0];
    return tag?.key === UPLOAD_STATE_TAG.key && tag.value === UPLOAD_STATE_TAG.pending;
  });
  expect(matching).toHaveLength(1);
  const days = matching[0]?.expiration?.[0]?.days;
  if (days === undefined) throw new Error('the pending-uploads rule has no expiration');
  return days;
}

const streamOf = (tf: TerraformJson) => Object.values(resourcesOf(tf, 'aws_kinesis_stream'))[0];
const mappingOf = (tf: TerraformJson) => Object.values(resourcesOf(tf, 'aws_lambda_event_source_mapping'))[0];

/** Expiry of the data bucket's lifecycle rule for idempotency records, in days. */
function idempotencyExpiryDays(tf: TerraformJson): number {
  const rules = Object.values(resourcesOf(tf, 'aws_s3_bucket_lifecycle_configuration')).flatMap(
    (config) => config.rule as { filter: { prefix: string }[]; expiration?: { days: number }[] }[],
  );
  const matching = rules.filter((rule) => rule.filter[0]?.prefix === KEY_PREFIXES.idempotency);
  expect(matching).toHaveLength(1);
  const days = matching[0]?.expiration?.[0]?.days;
  if (days === undefined) throw new Error('the idempotency rule has no expiration');
  return days;
}

describe('the synthesized stack and @streamdrop/config', () => {
  const { tf } = synth();

  it('serves every route of ROUTES, and no other', () => {
    const routeKeys = Object.values(resourcesOf(tf, 'aws_apigatewayv2_route')).map((r) => r.route_key);
    expect(routeKeys.sort()).toEqual(Object.values(ROUTES).sort());
  });

  it('exports every output of STACK_OUTPUTS, and no other', () => {
    expect(Object.keys(tf.output).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
  });

  describe.each(Object.keys(FUNCTION_IDS) as (keyof typeof FUNCTION_IDS)[])('the %s function', (id) => {
    const { fromStack, optional } = FUNCTION_READS[id];

    it('gets every variable it reads from the stack, by the name it reads', () => {
      const env = functionEnv(tf, id);
      for (const key of fromStack) expect(env).toHaveProperty([FUNCTION_ENV[key]]);
    });

    it('gets nothing else but its service name, metrics namespace and source maps, and none of its optional variables', () => {
      const expected = [
        ...fromStack.map((key) => FUNCTION_ENV[key]),
        FUNCTION_ENV.serviceName,
        FUNCTION_ENV.metricsNamespace,
        'NODE_OPTIONS',
      ];
      expect(Object.keys(functionEnv(tf, id)).sort()).toEqual(expected.sort());
      for (const key of optional) expect(functionEnv(tf, id)).not.toHaveProperty([FUNCTION_ENV[key]]);
    });
  });

  describe('idempotency records', () => {
    it.each([1, 3600, IDEMPOTENCY.defaultTtlSeconds, 2 * DAY_SECONDS + 1, IDEMPOTENCY.maxTtlSeconds])(
      'with STREAMDROP_IDEMPOTENCY_TTL_SECONDS=%i, answer for that long and expire a whole day later at the soonest',
      (ttl) => {
        const { tf: stack } = synth({ STREAMDROP_IDEMPOTENCY_TTL_SECONDS: String(ttl) });

        expect(functionEnv(stack, 'upload')[FUNCTION_ENV.idempotencyTtlSeconds]).toBe(String(ttl));
        expect(idempotencyExpiryDays(stack) * DAY_SECONDS).toBeGreaterThanOrEqual(ttl + DAY_SECONDS);
      },
    );

    it('outlive the longest TTL a stage may set, and the stack refuses a longer one', () => {
      const longest = synth({ STREAMDROP_IDEMPOTENCY_TTL_SECONDS: String(IDEMPOTENCY.maxTtlSeconds) }).tf;

      expect(idempotencyExpiryDays(longest) * DAY_SECONDS).toBeGreaterThanOrEqual(IDEMPOTENCY.maxTtlSeconds);
      expect(() =>
        testConfig({ STREAMDROP_IDEMPOTENCY_TTL_SECONDS: String(IDEMPOTENCY.maxTtlSeconds + 1) }),
      ).toThrow('STREAMDROP_IDEMPOTENCY_TTL_SECONDS');
    });

    it('expire after the default TTL by default: two days, as before', () => {
      expect(functionEnv(tf, 'upload')[FUNCTION_ENV.idempotencyTtlSeconds]).toBe(
        String(IDEMPOTENCY.defaultTtlSeconds),
      );
      expect(idempotencyExpiryDays(tf)).toBe(2);
    });
  });

  describe('uploads never acknowledged (tagged pending)', () => {
    it.each([
      ['the defaults', {}],
      ['records at most a minute old', { STREAMDROP_MAX_RECORD_AGE_SECONDS: '60' }],
      ['records of any age the stream keeps', { STREAMDROP_MAX_RECORD_AGE_SECONDS: '-1' }],
      ['records up to a day old', { STREAMDROP_MAX_RECORD_AGE_SECONDS: '86400' }],
      ['records up to a day and a second old', { STREAMDROP_MAX_RECORD_AGE_SECONDS: '86401' }],
      ['records up to a week old', { STREAMDROP_MAX_RECORD_AGE_SECONDS: '604800' }],
    ])(
      'with %s, outlive every event that can still name them: the stream retention and the maximum record age, plus a day',
      (_label, env) => {
        const { tf: stack } = synth(env);
        const retentionSeconds = Number(streamOf(stack)?.retention_period) * 3600;
        const maxAge = Number(mappingOf(stack)?.maximum_record_age_in_seconds);
        const lastDelivery = maxAge === -1 ? retentionSeconds : Math.max(retentionSeconds, maxAge);

        expect(retentionSeconds).toBeGreaterThan(0);
        expect(pendingExpiryDays(stack) * DAY_SECONDS).toBeGreaterThanOrEqual(lastDelivery + DAY_SECONDS);
      },
    );

    it('are tagged by the names the upload function uses, and expire after two days by default', () => {
      expect(pendingExpiryDays(tf)).toBe(2);
      expect(UPLOAD_STATE_TAG).toEqual({ key: 'streamdrop-state', pending: 'pending', complete: 'complete' });
    });
  });

  describe('the inline upload cap', () => {
    it('is the default cap unless a stage sets one', () => {
      expect(functionEnv(tf, 'upload')[FUNCTION_ENV.maxUploadBytes]).toBe(
        String(INLINE_UPLOAD.defaultMaxBytes),
      );
      expect(VARIABLES.STREAMDROP_MAX_UPLOAD_BYTES.default).toBe(String(INLINE_UPLOAD.defaultMaxBytes));
    });

    it('goes up to the ceiling the upload function applies, and no further', () => {
      const ceiling = String(INLINE_UPLOAD.maxBytesCeiling);
      const { tf: stack } = synth({ STREAMDROP_MAX_UPLOAD_BYTES: ceiling });

      expect(functionEnv(stack, 'upload')[FUNCTION_ENV.maxUploadBytes]).toBe(ceiling);
      expect(() =>
        testConfig({ STREAMDROP_MAX_UPLOAD_BYTES: String(INLINE_UPLOAD.maxBytesCeiling + 1) }),
      ).toThrow(`STREAMDROP_MAX_UPLOAD_BYTES must be an integer from 1 to ${ceiling}`);
    });
  });

  it('hands the processor the transform a stage names, checked against the names the processor has', () => {
    for (const name of Object.values(TRANSFORM_NAMES)) {
      const { tf: stack } = synth({ STREAMDROP_TRANSFORM: name });
      expect(functionEnv(stack, 'processor')[FUNCTION_ENV.transform]).toBe(name);
    }
    expect(() => testConfig({ STREAMDROP_TRANSFORM: 'uppercase-text-v2' })).toThrow('STREAMDROP_TRANSFORM');
  });

  it('reads every deploy variable of the configuration reference, and no variable it does not list', () => {
    const read = new Set<string>();
    const env = new Proxy({} as Record<string, string | undefined>, {
      get: (target, name: string) => {
        read.add(name);
        return target[name];
      },
    });
    loadConfig(env, { repoRoot: FAKE_REPO });

    // AWS_DEFAULT_REGION is AWS's own; the reference names it as AWS_REGION's fallback.
    const deploy: string[] = variablesOf('deploy');
    expect([...read].filter((name) => !deploy.includes(name))).toEqual(['AWS_DEFAULT_REGION']);
    expect(deploy.filter((name) => !read.has(name))).toEqual([]);
    expect(VARIABLES.AWS_REGION.default).toContain('AWS_DEFAULT_REGION');
  });
});
