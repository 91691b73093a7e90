import {
  FUNCTION_ENV,
  functionName,
  IDEMPOTENCY,
  INLINE_UPLOAD,
  idempotencyRecordExpiryDays,
  KEY_PREFIXES,
  ROUTES,
  STACK_OUTPUTS,
  STREAM_PROXY_ROUTES,
  stackName,
  VARIABLES,
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

  it('gives every variable a default and a meaning', () => {
    for (const [name, variable] of Object.entries(VARIABLES)) {
      expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(variable.default.length).toBeGreaterThan(0);
      expect(variable.meaning.length).toBeGreaterThan(10);
    }
  });
});
