import { ConfigError, envReader, lazyConfig, readEnv } from '../src';

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
    ['blank', { DATA_BUCKET: '  ' }],
  ])('throws a ConfigError naming a required variable that is %s', (_label, env) => {
    const read = () => envReader(env).required('DATA_BUCKET');

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/^environment variable DATA_BUCKET is not set$/);
    expect(read).toThrow(expect.objectContaining({ variable: 'DATA_BUCKET' }));
  });

  it('returns a required variable that matches its format', () => {
    expect(envReader({ DATA_BUCKET: 'my-bucket' }).required('DATA_BUCKET', BUCKET)).toBe('my-bucket');
  });

  it('reads an optional variable, undefined when it is unset or blank, refused when malformed', () => {
    expect(envReader({ B: 'my-bucket' }).optional('B', BUCKET)).toBe('my-bucket');
    expect(envReader({ B: ' ' }).optional('B', BUCKET)).toBeUndefined();
    expect(envReader({}).optional('B', BUCKET)).toBeUndefined();
    expect(() => envReader({ B: 'Not_A_Bucket' }).optional('B', BUCKET)).toThrow(
      'environment variable B must be an S3 bucket name (got "Not_A_Bucket")',
    );
  });

  it('drops blanks around a value', () => {
    expect(envReader({ DATA_BUCKET: ' my-bucket\n' }).required('DATA_BUCKET', BUCKET)).toBe('my-bucket');
    expect(envReader({ N: ' 4 ' }).int('N', { fallback: 1, max: 10 })).toBe(4);
  });

  it('says what a value must be, and what it got, when it does not match', () => {
    const read = () => envReader({ DATA_BUCKET: 'Not_A_Bucket' }).required('DATA_BUCKET', BUCKET);

    expect(read).toThrow('environment variable DATA_BUCKET must be an S3 bucket name (got "Not_A_Bucket")');
  });

  it('reads an integer, or the fallback when it is unset, empty or blank', () => {
    const options = { fallback: 4, max: 10 };

    expect(envReader({ N: '7' }).int('N', options)).toBe(7);
    expect(envReader({ N: '10' }).int('N', options)).toBe(10);
    expect(envReader({}).int('N', options)).toBe(4);
    expect(envReader({ N: '' }).int('N', options)).toBe(4);
    expect(envReader({ N: ' ' }).int('N', options)).toBe(4);
  });

  // One rule for every reader: the upload function once refused " 4" while the processor and
  // the stack trimmed it. Blanks around digits are dropped everywhere now.
  it.each([' 4', '4 ', '\t4\n', ' 4 '])('reads the integer %p as 4', (raw) => {
    expect(envReader({ N: raw }).int('N', { fallback: 1, max: 10 })).toBe(4);
  });

  it.each(['abc', '0', '-5', '1.5', '1e2', '11', '4 4', '+4', '0x4', '99999999999999999999'])(
    'refuses the integer %p, naming the variable and its range',
    (raw) => {
      const read = () => envReader({ N: raw }).int('N', { fallback: 4, max: 10 });

      expect(read).toThrow(`environment variable N must be an integer from 1 to 10 (got "${raw}")`);
    },
  );

  it('takes negative integers only when the range allows them, and states a custom rule', () => {
    const options = { fallback: 3600, min: -1, max: 604800, rule: '-1 or 60 to 604800' };
    const read = (raw: string) =>
      envReader({ AGE: raw }).int('AGE', { ...options, accept: (n) => n === -1 || n >= 60 });

    expect(read('-1')).toBe(-1);
    expect(read('60')).toBe(60);
    expect(() => read('30')).toThrow('environment variable AGE must be -1 or 60 to 604800 (got "30")');
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['0', false],
  ])('reads the boolean %p as %p', (raw, expected) => {
    expect(envReader({ B: raw }).bool('B')).toBe(expected);
  });

  // One rule for every reader: the functions once took only "true" and "false", the stack also
  // 1/0 in any case. Every reader takes true/false/1/0 in any case, blanks around dropped.
  it.each([
    [' true', true],
    ['True ', true],
    [' 1 ', true],
    ['FALSE', false],
    ['', false],
    ['  ', false],
    [undefined, false],
  ])('reads the flag %p as %p', (raw, expected) => {
    expect(envReader({ FLAG: raw }).bool('FLAG')).toBe(expected);
  });

  it.each(['yes', 'No', 'on', 'truee', '2', 't', '1 0'])(
    'refuses the flag %p, naming the variable',
    (raw) => {
      const read = () => envReader({ FLAG: raw }).bool('FLAG');

      expect(read).toThrow(ConfigError);
      expect(read).toThrow(`environment variable FLAG must be true or false (got "${raw}")`);
    },
  );

  it('falls back for an unset boolean and refuses anything but true/false/1/0', () => {
    expect(envReader({}).bool('B')).toBe(false);
    expect(envReader({}).bool('B', true)).toBe(true);
    expect(() => envReader({ B: 'yes' }).bool('B')).toThrow(
      'environment variable B must be true or false (got "yes")',
    );
  });

  it('reads a comma-separated list, checking each item', () => {
    const item = (v: string) => (v.startsWith('http') ? undefined : 'is not a URL');

    expect(envReader({ L: ' http://a, ,http://b ' }).list('L', { fallback: [], item })).toEqual([
      'http://a',
      'http://b',
    ]);
    expect(envReader({}).list('L', { fallback: ['x'] })).toEqual(['x']);
    expect(() => envReader({ L: 'http://a,ftp' }).list('L', { fallback: [], item })).toThrow(
      'environment variable L "ftp" is not a URL',
    );
    expect(() => envReader({ L: ' , ' }).list('L', { fallback: [] })).toThrow(
      'environment variable L must list at least one value',
    );
  });

  it('reads one of a set of values', () => {
    const values = ['LATEST', 'TRIM_HORIZON'] as const;

    expect(envReader({ P: 'TRIM_HORIZON' }).oneOf('P', values, 'LATEST')).toBe('TRIM_HORIZON');
    expect(envReader({}).oneOf('P', values, 'LATEST')).toBe('LATEST');
    expect(() => envReader({ P: 'NOW' }).oneOf('P', values, 'LATEST')).toThrow(
      'environment variable P must be LATEST or TRIM_HORIZON (got "NOW")',
    );
  });
});

describe('readEnv', () => {
  it('reports every problem at once, each naming its variable', () => {
    const read = () =>
      readEnv({ A: 'x', C: 'maybe' }, (r) => ({
        a: r.int('A', { fallback: 1, max: 5 }),
        b: r.required('B'),
        c: r.bool('C'),
      }));

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      [
        'Invalid streamdrop configuration:',
        '  - A must be an integer from 1 to 5 (got "x")',
        '  - B is not set',
        '  - C must be true or false (got "maybe")',
      ].join('\n'),
    );
    expect(read).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([{ variable: 'B', problem: 'is not set' }]),
      }),
    );
  });

  it('returns what it built when nothing is wrong', () => {
    expect(readEnv({ A: '3' }, (r) => r.int('A', { fallback: 1, max: 5 }))).toBe(3);
  });

  it('takes problems found between variables', () => {
    expect(() => readEnv({}, (r) => r.problem('X', 'and Y cannot both be set'))).toThrow(
      'environment variable X and Y cannot both be set',
    );
  });
});

describe('ConfigError', () => {
  it('is a plain Error, not an HTTP error', () => {
    const error = new ConfigError({ variable: 'DATA_BUCKET', problem: 'is not set' });

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error).not.toHaveProperty('statusCode');
  });
});

describe('lazyConfig', () => {
  it('reads each property once, on first use', () => {
    let reads = 0;
    const config = lazyConfig<{ value: number }>({ value: () => ++reads });

    expect(reads).toBe(0);
    expect(config.value).toBe(1);
    expect(config.value).toBe(1);
    expect(reads).toBe(1);
  });

  it('exposes every property as an enumerable key, so the config can be matched as an object', () => {
    const config = lazyConfig<{ bucket: string; attempts: number }>({
      bucket: () => 'bucket',
      attempts: () => 3,
    });

    expect(Object.keys(config)).toEqual(['bucket', 'attempts']);
    expect(config).toMatchObject({ bucket: 'bucket', attempts: 3 });
  });

  it('keeps nothing from a read that throws, and throws again next time', () => {
    let attempts = 0;
    const config = lazyConfig<{ bucket: string }>({
      bucket: () => {
        attempts += 1;
        return envReader({}).required('DATA_BUCKET');
      },
    });

    expect(() => config.bucket).toThrow(ConfigError);
    expect(() => config.bucket).toThrow(ConfigError);
    expect(attempts).toBe(2);
  });
});
