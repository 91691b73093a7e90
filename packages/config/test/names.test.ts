import {
  DEFAULT_TRANSFORM,
  FUNCTION_ENV,
  FUNCTION_IDS,
  FUNCTION_READS,
  functionName,
  IDEMPOTENCY,
  INLINE_UPLOAD,
  idempotencyRecordExpiryDays,
  KEY_PREFIXES,
  pendingUploadExpiryDays,
  ROUTES,
  STACK_OUTPUTS,
  STREAM,
  STREAM_PROXY_ROUTES,
  serviceName,
  stackName,
  TRANSFORM_NAMES,
  UPLOAD_STATE_TAG,
  uploadStateTagging,
  VARIABLES,
  variablesOf,
} from '../src';

describe('shared names', () => {
  it('gives every key prefix its own trailing-slash folder, none inside another', () => {
    const prefixes = Object.values(KEY_PREFIXES);
    for (const prefix of prefixes) expect(prefix).toMatch(/^[a-z]+(\/[a-z]+)*\/$/);
    for (const a of prefixes) for (const b of prefixes) if (a !== b) expect(a.startsWith(b)).toBe(false);
  });

  it('writes every route as METHOD /path, once', () => {
    const routes = Object.values(ROUTES);
    for (const route of routes) expect(route).toMatch(/^(GET|POST|PUT|DELETE) \/[a-z{}/]+$/);
    expect(new Set(routes).size).toBe(routes.length);
    for (const route of Object.values(STREAM_PROXY_ROUTES)) expect(routes).toContain(route);
  });

  it('names outputs in snake_case, apart from the kebab-case construct ids', () => {
    for (const output of Object.values(STACK_OUTPUTS)) expect(output).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it('names stacks and functions from the stage', () => {
    expect(stackName('dev')).toBe('streamdrop-dev');
    expect(functionName('prod', 'processor')).toBe('streamdrop-prod-processor');
    expect(serviceName('upload')).toBe('streamdrop-upload');
  });

  it('says for every function which variables the stack sets and which are optional, never both', () => {
    expect(Object.keys(FUNCTION_READS).sort()).toEqual(Object.values(FUNCTION_IDS).sort());
    for (const { fromStack, optional } of Object.values(FUNCTION_READS)) {
      const keys: string[] = [...fromStack, ...optional];
      expect(new Set(keys).size).toBe(keys.length);
      for (const key of keys) expect(FUNCTION_ENV).toHaveProperty([key]);
    }
  });

  it('names each transform <what>-v<version>, once, the default among them', () => {
    const names = Object.values(TRANSFORM_NAMES);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*-v\d+$/);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(DEFAULT_TRANSFORM);
  });
});

describe('invariants between limits', () => {
  it('expires idempotency records only after the longest TTL a stage may set', () => {
    for (const ttl of [
      1,
      3600,
      IDEMPOTENCY.defaultTtlSeconds,
      IDEMPOTENCY.maxTtlSeconds - 1,
      IDEMPOTENCY.maxTtlSeconds,
    ]) {
      expect(idempotencyRecordExpiryDays(ttl) * 86_400).toBeGreaterThanOrEqual(ttl + 86_400);
    }
  });

  describe('pending uploads', () => {
    const lastDelivery = (retentionHours: number, maxAge: number) =>
      maxAge === -1 ? retentionHours * 3600 : Math.max(retentionHours * 3600, maxAge);

    it.each([
      [24, 3600],
      [24, 60],
      [24, -1],
      [24, 86_400],
      [24, 86_401],
      [24, 604_800],
      [168, 3600],
      [8760, -1],
    ])(
      'expire (retention %ih, maximum record age %is) a whole day after any event naming them can still be delivered',
      (retentionHours, maxAge) => {
        const days = pendingUploadExpiryDays({
          streamRetentionHours: retentionHours,
          maxRecordAgeSeconds: maxAge,
        });
        expect(days * 86_400).toBeGreaterThanOrEqual(lastDelivery(retentionHours, maxAge) + 86_400);
        expect(Number.isInteger(days)).toBe(true);
      },
    );

    it('expire after two days with the stack defaults (24 h retention, records at most an hour old)', () => {
      expect(
        pendingUploadExpiryDays({ streamRetentionHours: STREAM.retentionHours, maxRecordAgeSeconds: 3600 }),
      ).toBe(2);
    });

    it('are tagged in the form S3 lifecycle filters and PutObject Tagging both take', () => {
      expect(UPLOAD_STATE_TAG.key).toMatch(/^[a-z-]{1,128}$/);
      expect(UPLOAD_STATE_TAG.pending).not.toBe(UPLOAD_STATE_TAG.complete);
      expect(uploadStateTagging('pending')).toBe('streamdrop-state=pending');
      expect(new URLSearchParams(uploadStateTagging('complete')).get(UPLOAD_STATE_TAG.key)).toBe('complete');
    });
  });

  it('keeps the default inline cap under the ceiling', () => {
    expect(INLINE_UPLOAD.defaultMaxBytes).toBeLessThanOrEqual(INLINE_UPLOAD.maxBytesCeiling);
  });
});

describe('the configuration reference', () => {
  it('describes every variable the stack sets on a function', () => {
    for (const name of Object.values(FUNCTION_ENV)) {
      expect(VARIABLES).toHaveProperty([name, 'scope'], 'function');
    }
  });

  it('keeps each default of a limit in step with the limit itself', () => {
    expect(VARIABLES.STREAMDROP_MAX_UPLOAD_BYTES.default).toBe(String(INLINE_UPLOAD.defaultMaxBytes));
    expect(VARIABLES[FUNCTION_ENV.maxUploadBytes].default).toBe(String(INLINE_UPLOAD.defaultMaxBytes));
    expect(VARIABLES.STREAMDROP_IDEMPOTENCY_TTL_SECONDS.default).toBe(String(IDEMPOTENCY.defaultTtlSeconds));
    expect(VARIABLES[FUNCTION_ENV.idempotencyTtlSeconds].default).toBe(String(IDEMPOTENCY.defaultTtlSeconds));
    expect(VARIABLES.STREAMDROP_TRANSFORM.default).toBe(DEFAULT_TRANSFORM);
    expect(VARIABLES[FUNCTION_ENV.transform].default).toBe(DEFAULT_TRANSFORM);
  });

  it('sorts every variable into exactly one scope', () => {
    const scoped = (['deploy', 'function', 'local', 'tools'] as const).flatMap((scope) => variablesOf(scope));
    expect(scoped.sort()).toEqual(Object.keys(VARIABLES).sort());
  });

  it('gives every variable a default and a meaning', () => {
    for (const [name, variable] of Object.entries(VARIABLES)) {
      expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(variable.default.length).toBeGreaterThan(0);
      expect(variable.meaning.length).toBeGreaterThan(10);
    }
  });
});
