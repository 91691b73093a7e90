import { ConfigError, FUNCTION_ENV, FUNCTION_READS } from '@streamdrop/config';
import { readConfig } from '../src/config';

const base = { DATA_BUCKET: 'data-bucket', FAILURES_BUCKET: 'failures-bucket' };

describe('processor config', () => {
  it('reads the buckets and defaults the rest', () => {
    const config = readConfig(base);
    expect(config).toMatchObject({
      dataBucket: 'data-bucket',
      failuresBucket: 'failures-bucket',
      concurrency: 100,
      forcePathStyle: false,
      transform: 'uppercase-text-v1',
      inFlightBytes: 128 * 1024 * 1024,
    });
  });

  it('reads every variable @streamdrop/config says it reads, each into its setting', () => {
    const env = {
      DATA_BUCKET: 'data-1',
      FAILURES_BUCKET: 'failures-1',
      PROCESSOR_CONCURRENCY: '7',
      TRANSFORM: 'redact-emails-v1',
      S3_FORCE_PATH_STYLE: 'true',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      UPLOADS_TABLE: 'uploads-1',
    };
    const { fromStack, optional } = FUNCTION_READS.processor;
    expect(Object.keys(env).sort()).toEqual(
      [...fromStack, ...optional].map((key) => FUNCTION_ENV[key]).sort(),
    );

    expect({ ...readConfig(env) }).toEqual({
      dataBucket: 'data-1',
      failuresBucket: 'failures-1',
      concurrency: 7,
      transform: 'redact-emails-v1',
      forcePathStyle: true,
      inFlightBytes: 256 * 1024 * 1024,
      uploadsTable: 'uploads-1',
    });
  });

  it.each(['uppercase-text-v1', 'redact-emails-v1', ' redact-emails-v1 '])('takes TRANSFORM=%j', (value) => {
    expect(readConfig({ ...base, TRANSFORM: value }).transform).toBe(value.trim());
  });

  it.each(['uppercase', 'UPPERCASE-TEXT-V1', 'uppercase-text-v2'])(
    'refuses TRANSFORM=%j with a ConfigError listing the transforms it knows',
    (value) => {
      const config = readConfig({ ...base, TRANSFORM: value });
      expect(() => config.transform).toThrow(ConfigError);
      expect(() => config.transform).toThrow(
        `environment variable TRANSFORM must be uppercase-text-v1 or redact-emails-v1 (got "${value}")`,
      );
    },
  );

  it("budgets a quarter of the function's memory for the bytes records buffer", () => {
    expect(readConfig({ ...base, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' }).inFlightBytes).toBe(
      128 * 1024 * 1024,
    );
    expect(readConfig({ ...base, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048' }).inFlightBytes).toBe(
      512 * 1024 * 1024,
    );
  });

  it.each(['0', 'lots', '20000'])('refuses AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%j, naming it', (value) => {
    const config = readConfig({ ...base, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: value });
    expect(() => config.inFlightBytes).toThrow(/AWS_LAMBDA_FUNCTION_MEMORY_SIZE/);
  });

  it.each(['DATA_BUCKET', 'FAILURES_BUCKET'] as const)(
    'throws a ConfigError naming %s when it is missing',
    (name) => {
      const getter = name === 'DATA_BUCKET' ? 'dataBucket' : 'failuresBucket';
      for (const value of [undefined, '', '  ']) {
        const config = readConfig({ ...base, [name]: value });
        expect(() => config[getter]).toThrow(ConfigError);
        expect(() => config[getter]).toThrow(name);
      }
    },
  );

  it.each(['1', '100', ' 16 '])('accepts PROCESSOR_CONCURRENCY=%j', (value) => {
    expect(readConfig({ ...base, PROCESSOR_CONCURRENCY: value }).concurrency).toBe(Number(value));
  });

  it.each(['0', '101', 'abc', '2.5', '-3', '1e2'])('refuses PROCESSOR_CONCURRENCY=%j, naming it', (value) => {
    const config = readConfig({ ...base, PROCESSOR_CONCURRENCY: value });
    expect(() => config.concurrency).toThrow(ConfigError);
    expect(() => config.concurrency).toThrow(/PROCESSOR_CONCURRENCY/);
  });

  it('turns on path-style only for S3_FORCE_PATH_STYLE=true and refuses other words', () => {
    expect(readConfig({ ...base, S3_FORCE_PATH_STYLE: 'true' }).forcePathStyle).toBe(true);
    expect(readConfig({ ...base, S3_FORCE_PATH_STYLE: 'false' }).forcePathStyle).toBe(false);
    const config = readConfig({ ...base, S3_FORCE_PATH_STYLE: 'yes' });
    expect(() => config.forcePathStyle).toThrow(/S3_FORCE_PATH_STYLE/);
  });

  it('reads the environment once, when built', () => {
    const env: Record<string, string | undefined> = { ...base };
    const config = readConfig(env);
    env.DATA_BUCKET = 'changed-later';
    expect(config.dataBucket).toBe('data-bucket');
  });
});
