import { DEFAULT_MAX_UPLOAD_BYTES } from '@streamdrop/events';
import { ConfigError } from '@streamdrop/lambda-kit';
import { type Config, createConfig } from '../src/config';

const VALID = { DATA_BUCKET: 'streamdrop-test-data', STREAM_NAME: 'streamdrop-test-uploads' };

const GETTERS: Record<string, (config: Config) => unknown> = {
  DATA_BUCKET: (config) => config.dataBucket,
  STREAM_NAME: (config) => config.streamName,
  MAX_UPLOAD_BYTES: (config) => config.maxUploadBytes,
  KINESIS_MAX_ATTEMPTS: (config) => config.kinesisMaxAttempts,
  S3_FORCE_PATH_STYLE: (config) => config.s3ForcePathStyle,
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
  });

  it('reads the optional variables when they are set', () => {
    const config = createConfig({
      ...VALID,
      MAX_UPLOAD_BYTES: '1024',
      KINESIS_MAX_ATTEMPTS: '2',
      S3_FORCE_PATH_STYLE: 'true',
    });

    expect(config.maxUploadBytes).toBe(1024);
    expect(config.kinesisMaxAttempts).toBe(2);
    expect(config.s3ForcePathStyle).toBe(true);
  });

  it('treats an empty optional variable as unset', () => {
    expect(createConfig({ ...VALID, MAX_UPLOAD_BYTES: '' }).maxUploadBytes).toBe(DEFAULT_MAX_UPLOAD_BYTES);
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
    ['MAX_UPLOAD_BYTES', '6000001'],
    ['KINESIS_MAX_ATTEMPTS', 'four'],
    ['KINESIS_MAX_ATTEMPTS', '0'],
    ['KINESIS_MAX_ATTEMPTS', '11'],
    ['S3_FORCE_PATH_STYLE', 'yes'],
  ])('throws a ConfigError naming %s when it is %p', (name, raw) => {
    const read = reader(name, { ...VALID, [name]: raw });

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(new RegExp(`^environment variable ${name} must be`));
  });

  it('accepts MAX_UPLOAD_BYTES up to 6000000', () => {
    expect(createConfig({ ...VALID, MAX_UPLOAD_BYTES: '6000000' }).maxUploadBytes).toBe(6_000_000);
  });

  it('answers a broken configuration as a 500, never as a request error', () => {
    const read = reader('DATA_BUCKET', {});

    expect(read).toThrow(expect.objectContaining({ name: 'ConfigError', statusCode: 500 }));
  });
});
