import { ConfigError, FUNCTION_ENV, FUNCTION_READS, IDEMPOTENCY, INLINE_UPLOAD } from '@streamdrop/config';
import { DEFAULT_MAX_UPLOAD_BYTES } from '@streamdrop/events';
import { errorResponse, HttpError } from '@streamdrop/lambda-kit';
import { type Config, createConfig } from '../src/config';

const VALID = { DATA_BUCKET: 'streamdrop-test-data', STREAM_NAME: 'streamdrop-test-uploads' };

const GETTERS: Record<string, (config: Config) => unknown> = {
  DATA_BUCKET: (config) => config.dataBucket,
  STREAM_NAME: (config) => config.streamName,
  MAX_UPLOAD_BYTES: (config) => config.maxUploadBytes,
  KINESIS_MAX_ATTEMPTS: (config) => config.kinesisMaxAttempts,
  S3_FORCE_PATH_STYLE: (config) => config.s3ForcePathStyle,
  IDEMPOTENCY_TTL_SECONDS: (config) => config.idempotencyTtlSeconds,
};

/** Reads the setting that `name` feeds, as the code would. */
function reader(name: string, env: Record<string, string>): () => unknown {
  const config = createConfig(env);
  const get = GETTERS[name];
  if (!get) throw new Error(`no getter for ${name}`);
  return () => get(config);
}

describe('upload config', () => {
  it('reads the required variables and defaults the optional ones', () => {
    const config = createConfig(VALID);

    expect(config.dataBucket).toBe('streamdrop-test-data');
    expect(config.streamName).toBe('streamdrop-test-uploads');
    expect(config.maxUploadBytes).toBe(DEFAULT_MAX_UPLOAD_BYTES);
    expect(config.kinesisMaxAttempts).toBe(4);
    expect(config.s3ForcePathStyle).toBe(false);
    expect(config.idempotencyTtlSeconds).toBe(86_400);
  });

  it('reads the optional variables when they are set', () => {
    const config = createConfig({
      ...VALID,
      MAX_UPLOAD_BYTES: '1024',
      KINESIS_MAX_ATTEMPTS: '2',
      S3_FORCE_PATH_STYLE: 'true',
      IDEMPOTENCY_TTL_SECONDS: '3600',
    });

    expect(config.maxUploadBytes).toBe(1024);
    expect(config.kinesisMaxAttempts).toBe(2);
    expect(config.s3ForcePathStyle).toBe(true);
    expect(config.idempotencyTtlSeconds).toBe(3600);
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

    const { fromStack, optional } = FUNCTION_READS.upload;
    expect([...read].sort()).toEqual([...fromStack, ...optional].map((key) => FUNCTION_ENV[key]).sort());
  });

  it('treats an empty or blank optional variable as unset', () => {
    expect(createConfig({ ...VALID, MAX_UPLOAD_BYTES: '' }).maxUploadBytes).toBe(DEFAULT_MAX_UPLOAD_BYTES);
    expect(createConfig({ ...VALID, MAX_UPLOAD_BYTES: '  ' }).maxUploadBytes).toBe(DEFAULT_MAX_UPLOAD_BYTES);
  });

  it('drops blanks around a value, as every streamdrop reader does', () => {
    const config = createConfig({
      DATA_BUCKET: ' streamdrop-test-data ',
      STREAM_NAME: 'uploads\n',
      MAX_UPLOAD_BYTES: ' 4',
    });

    expect(config.dataBucket).toBe('streamdrop-test-data');
    expect(config.streamName).toBe('uploads');
    expect(config.maxUploadBytes).toBe(4);
  });

  it('reads each variable once, so later changes to the environment do not leak in', () => {
    const env: Record<string, string> = { ...VALID };
    const config = createConfig(env);
    expect(config.dataBucket).toBe('streamdrop-test-data');

    env.DATA_BUCKET = 'another-bucket';

    expect(config.dataBucket).toBe('streamdrop-test-data');
  });

  it.each([
    ['DATA_BUCKET', { STREAM_NAME: 'uploads' }],
    ['DATA_BUCKET', { ...VALID, DATA_BUCKET: '' }],
    ['DATA_BUCKET', { ...VALID, DATA_BUCKET: '  ' }],
    ['STREAM_NAME', { DATA_BUCKET: 'data-bucket' }],
  ])('throws a ConfigError naming %s when it is missing', (name, env) => {
    const read = reader(name, env);

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`environment variable ${name} is not set`);
  });

  it.each([
    ['DATA_BUCKET', 'Not_A_Bucket'],
    ['STREAM_NAME', 'arn:aws:kinesis:us-east-1:123456789012:stream/uploads'],
    ['MAX_UPLOAD_BYTES', 'abc'],
    ['MAX_UPLOAD_BYTES', '0'],
    ['MAX_UPLOAD_BYTES', '-5'],
    ['MAX_UPLOAD_BYTES', '1.5'],
    ['MAX_UPLOAD_BYTES', String(INLINE_UPLOAD.maxBytesCeiling + 1)],
    ['MAX_UPLOAD_BYTES', '6000000'],
    ['KINESIS_MAX_ATTEMPTS', 'four'],
    ['KINESIS_MAX_ATTEMPTS', '0'],
    ['KINESIS_MAX_ATTEMPTS', '11'],
    ['S3_FORCE_PATH_STYLE', 'yes'],
    ['IDEMPOTENCY_TTL_SECONDS', '0'],
    ['IDEMPOTENCY_TTL_SECONDS', String(IDEMPOTENCY.maxTtlSeconds + 1)],
  ])('throws a ConfigError naming %s when it is %p', (name, raw) => {
    const read = reader(name, { ...VALID, [name]: raw });

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(new RegExp(`^environment variable ${name} must be`));
  });

  // The stack's ceiling (4.5 MiB, what base64 in JSON can carry under Lambda's 6 MB payload):
  // this function used to accept up to 6,000,000, which the stack could never set.
  it('accepts MAX_UPLOAD_BYTES up to the ceiling the stack allows, 4718592', () => {
    expect(INLINE_UPLOAD.maxBytesCeiling).toBe(4_718_592);
    expect(createConfig({ ...VALID, MAX_UPLOAD_BYTES: '4718592' }).maxUploadBytes).toBe(4_718_592);
  });

  it('accepts IDEMPOTENCY_TTL_SECONDS up to the longest the stack allows, 7 days', () => {
    expect(createConfig({ ...VALID, IDEMPOTENCY_TTL_SECONDS: '604800' }).idempotencyTtlSeconds).toBe(604_800);
  });

  it('answers a broken configuration as a 500, never as a request error', () => {
    let thrown: unknown;
    try {
      reader('DATA_BUCKET', {})();
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
