import { ConfigError, envReader, lazyConfig } from '../src';

const BUCKET = { pattern: /^[a-z0-9-]{3,63}$/, description: 'an S3 bucket name' };

describe('envReader', () => {
  it('reads the environment when a getter is called, not when it is built', () => {
    const env: Record<string, string> = {};
    const read = envReader(env);

    env.LATE = 'here';

    expect(read.required('LATE')).toBe('here');
  });

  it.each([
    ['missing', {}],
    ['empty', { DATA_BUCKET: '' }],
  ])('throws a ConfigError naming a required variable that is %s', (_label, env) => {
    const read = () => envReader(env).required('DATA_BUCKET');

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/^environment variable DATA_BUCKET is not set$/);
    expect(read).toThrow(expect.objectContaining({ variable: 'DATA_BUCKET', statusCode: 500 }));
  });

  it('returns a required variable that matches its format', () => {
    expect(envReader({ DATA_BUCKET: 'my-bucket' }).required('DATA_BUCKET', BUCKET)).toBe('my-bucket');
  });

  it('says what a required variable must be, and what it got, when it does not match', () => {
    const read = () => envReader({ DATA_BUCKET: 'Not_A_Bucket' }).required('DATA_BUCKET', BUCKET);

    expect(read).toThrow(ConfigError);
    expect(read).toThrow('environment variable DATA_BUCKET must be an S3 bucket name (got "Not_A_Bucket")');
  });

  it('reads an integer, or the fallback when it is unset or empty', () => {
    const options = { fallback: 4, max: 10 };

    expect(envReader({ N: '7' }).int('N', options)).toBe(7);
    expect(envReader({ N: '10' }).int('N', options)).toBe(10);
    expect(envReader({}).int('N', options)).toBe(4);
    expect(envReader({ N: '' }).int('N', options)).toBe(4);
  });

  it.each(['abc', '0', '-5', '1.5', '1e2', ' 4', '11', '99999999999999999999'])(
    'refuses the integer %p, naming the variable and its range',
    (raw) => {
      const read = () => envReader({ N: raw }).int('N', { fallback: 4, max: 10 });

      expect(read).toThrow(ConfigError);
      expect(read).toThrow(`environment variable N must be an integer from 1 to 10 (got "${raw}")`);
    },
  );

  it.each([
    ['true', true],
    ['false', false],
    ['', false],
    [undefined, false],
  ])('reads the flag %p as %p', (raw, expected) => {
    expect(envReader({ FLAG: raw }).bool('FLAG')).toBe(expected);
  });

  it.each(['yes', 'TRUE', '1', ' true'])('refuses the flag %p, naming the variable', (raw) => {
    const read = () => envReader({ FLAG: raw }).bool('FLAG');

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`environment variable FLAG must be "true" or "false" (got "${raw}")`);
  });
});

describe('lazyConfig', () => {
  it('reads each property on first use and keeps it', () => {
    const readBucket = jest.fn(() => 'bucket');
    const config = lazyConfig<{ bucket: string }>({ bucket: readBucket });
    expect(readBucket).not.toHaveBeenCalled();

    expect(config.bucket).toBe('bucket');
    expect(config.bucket).toBe('bucket');
    expect(readBucket).toHaveBeenCalledTimes(1);
  });

  it('keeps nothing from a read that throws, and throws again on the next read', () => {
    const readBucket = jest.fn((): string => {
      throw new ConfigError('DATA_BUCKET', 'is not set');
    });
    const config = lazyConfig<{ bucket: string }>({ bucket: readBucket });

    expect(() => config.bucket).toThrow(ConfigError);
    expect(() => config.bucket).toThrow(ConfigError);
    expect(readBucket).toHaveBeenCalledTimes(2);
  });

  it('exposes every property as an enumerable key, so the config can be matched as an object', () => {
    const config = lazyConfig<{ bucket: string; attempts: number }>({
      bucket: () => 'bucket',
      attempts: () => 3,
    });

    expect(Object.keys(config)).toEqual(['bucket', 'attempts']);
    expect(config).toMatchObject({ bucket: 'bucket', attempts: 3 });
  });
});
