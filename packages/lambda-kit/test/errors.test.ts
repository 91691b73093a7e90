import {
  BadRequestError,
  ConfigError,
  HttpError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../src';

describe('HTTP errors', () => {
  it.each([
    [new BadRequestError('filename: must be a string'), 'BadRequestError', 400, 'filename: must be a string'],
    [new UnauthorizedError(), 'UnauthorizedError', 401, 'a signed-in caller is required'],
    [
      new PayloadTooLargeError('content must be at most 16 bytes'),
      'PayloadTooLargeError',
      413,
      'content must be at most 16 bytes',
    ],
    [
      new UnsupportedMediaTypeError(),
      'UnsupportedMediaTypeError',
      415,
      'unsupported content type; send "Content-Type: application/json"',
    ],
    [
      new ConfigError('DATA_BUCKET', 'is not set'),
      'ConfigError',
      500,
      'environment variable DATA_BUCKET is not set',
    ],
  ])('%s is an HttpError named %s with status %i and its message', (error, name, statusCode, message) => {
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ name, statusCode, message });
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('schema said no');

    expect(new BadRequestError('bad', { cause }).cause).toBe(cause);
    expect(new UnauthorizedError(undefined, { cause }).cause).toBe(cause);
  });

  it("carries the status code a function's own subclass gives it", () => {
    class TeapotError extends HttpError {
      constructor() {
        super(418, 'short and stout');
        this.name = 'TeapotError';
      }
    }

    expect(new TeapotError()).toMatchObject({ name: 'TeapotError', statusCode: 418 });
  });
});
