import { ConfigError, FUNCTION_ENV, FUNCTION_READS } from '@streamdrop/config';
import { errorResponse, HttpError } from '@streamdrop/lambda-kit';
import { type Config, createConfig } from '../src/config';

const VALID = { ADMIN_GROUP: 'admins', ALLOWED_STREAMS: 'streamdrop-test-uploads' };

const GETTERS: Record<string, (config: Config) => unknown> = {
  ADMIN_GROUP: (config) => config.adminGroup,
  ALLOWED_STREAMS: (config) => config.allowedStreams,
  KINESIS_MAX_ATTEMPTS: (config) => config.kinesisMaxAttempts,
};

/** Reads the setting that `name` feeds, as the code would. */
function reader(name: string, env: Record<string, string>): () => unknown {
  const config = createConfig(env);
  const get = GETTERS[name];
  if (!get) throw new Error(`no getter for ${name}`);
  return () => get(config);
}

describe('streams config', () => {
  it('reads the required variables and defaults KINESIS_MAX_ATTEMPTS to 3', () => {
    const config = createConfig(VALID);

    expect(config.adminGroup).toBe('admins');
    expect([...config.allowedStreams]).toEqual(['streamdrop-test-uploads']);
    expect(config.kinesisMaxAttempts).toBe(3);
  });

  it('reads a comma-separated stream list, trimming spaces and dropping duplicates', () => {
    const config = createConfig({ ...VALID, ALLOWED_STREAMS: 'uploads, audit.v2 ,uploads,Ops_1' });

    expect([...config.allowedStreams]).toEqual(['uploads', 'audit.v2', 'Ops_1']);
  });

  it('reads KINESIS_MAX_ATTEMPTS when it is set', () => {
    expect(createConfig({ ...VALID, KINESIS_MAX_ATTEMPTS: '5' }).kinesisMaxAttempts).toBe(5);
  });

  it('accepts a group name with Unicode letters and punctuation', () => {
    expect(createConfig({ ...VALID, ADMIN_GROUP: 'Stream-Admins_é' }).adminGroup).toBe('Stream-Admins_é');
  });

  it('reads exactly the variables @streamdrop/config says it reads, by those names', () => {
    const read = new Set<string>();
    const env = new Proxy(VALID as Record<string, string | undefined>, {
      get: (target, name: string) => {
        read.add(name);
        return target[name];
      },
    });
    const config = createConfig(env);
    for (const get of Object.values(GETTERS)) get(config);

    const { fromStack, optional } = FUNCTION_READS.streams;
    expect([...read].sort()).toEqual([...fromStack, ...optional].map((key) => FUNCTION_ENV[key]).sort());
  });

  it('drops blanks around a value, as every streamdrop reader does', () => {
    const config = createConfig({
      ADMIN_GROUP: ' admins ',
      ALLOWED_STREAMS: 'uploads',
      KINESIS_MAX_ATTEMPTS: ' 5',
    });

    expect(config.adminGroup).toBe('admins');
    expect(config.kinesisMaxAttempts).toBe(5);
  });

  it('treats an empty optional variable as unset', () => {
    expect(createConfig({ ...VALID, KINESIS_MAX_ATTEMPTS: '' }).kinesisMaxAttempts).toBe(3);
  });

  it('reads each variable once, so later changes to the environment do not leak in', () => {
    const env: Record<string, string> = { ...VALID };
    const config = createConfig(env);
    expect(config.adminGroup).toBe('admins');

    env.ADMIN_GROUP = 'everyone';

    expect(config.adminGroup).toBe('admins');
  });

  it.each([
    ['ADMIN_GROUP', { ALLOWED_STREAMS: 'uploads' }],
    ['ADMIN_GROUP', { ...VALID, ADMIN_GROUP: '' }],
    ['ALLOWED_STREAMS', { ADMIN_GROUP: 'admins' }],
    ['ALLOWED_STREAMS', { ...VALID, ALLOWED_STREAMS: '' }],
  ])('throws a ConfigError naming %s when it is missing', (name, env) => {
    const read = reader(name, env);

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`environment variable ${name} is not set`);
  });

  it.each([
    ['ADMIN_GROUP', 'admins users'],
    ['ADMIN_GROUP', 'x'.repeat(129)],
    ['ALLOWED_STREAMS', 'arn:aws:kinesis:us-east-1:123456789012:stream/uploads'],
    ['ALLOWED_STREAMS', 'uploads,,audit'],
    ['ALLOWED_STREAMS', 'uploads;audit'],
    ['ALLOWED_STREAMS', '*'],
    ['KINESIS_MAX_ATTEMPTS', 'three'],
    ['KINESIS_MAX_ATTEMPTS', '0'],
    ['KINESIS_MAX_ATTEMPTS', '11'],
  ])('throws a ConfigError naming %s when it is %p', (name, raw) => {
    const read = reader(name, { ...VALID, [name]: raw });

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(new RegExp(`^environment variable ${name} must be`));
  });

  it('answers a broken configuration as a 500, never as a request error', () => {
    let thrown: unknown;
    try {
      reader('ALLOWED_STREAMS', {})();
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).not.toBeInstanceOf(HttpError);
    const logger = { info: jest.fn(), error: jest.fn() };
    expect(errorResponse(thrown, 'req-1', logger)).toMatchObject({
      statusCode: 500,
      body: JSON.stringify({ message: 'Internal error', requestId: 'req-1' }),
    });
  });
});
