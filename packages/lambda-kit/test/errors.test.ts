import {
  BadRequestError,
  HttpError,
  INTERNAL_ERROR_MESSAGE,
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
  ])('%s is an HttpError named %s with status %i and its message', (error, name, statusCode, message) => {
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ name, statusCode, message });
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('schema said no');

    expect(new BadRequestError('bad', { cause }).cause).toBe(cause);
    expect(new UnauthorizedError(undefined, { cause }).cause).toBe(cause);
  });

  it.each([
    new BadRequestError('filename: must be a string'),
    new UnauthorizedError(),
    new PayloadTooLargeError('content must be at most 16 bytes'),
    new UnsupportedMediaTypeError(),
  ])('tells the caller the message of the 4xx %p, with no extra headers, logged as refused', (error) => {
    expect(error.publicMessage).toBe(error.message);
    expect(error.headers).toEqual({});
    expect(error.logMessage).toBe('request refused');
  });

  it('gives a 5xx no public message unless it states one, so that its own message stays in the logs', () => {
    const plain = new HttpError(502, 'Kinesis PutRecord failed at arn:aws:kinesis:secret');
    const stated = new HttpError(503, 'S3 PutObject failed for bucket secret', {
      publicMessage: 'try again later',
      logMessage: 'dependency unavailable',
    });

    expect(plain.publicMessage).toBeUndefined();
    expect(plain.logMessage).toBe('unexpected error');
    expect(stated).toMatchObject({
      statusCode: 503,
      message: 'S3 PutObject failed for bucket secret',
      publicMessage: 'try again later',
      logMessage: 'dependency unavailable',
    });
    expect(INTERNAL_ERROR_MESSAGE).toBe('Internal error');
  });

  it('sends Retry-After when it says when to retry, for a 4xx as for a 5xx', () => {
    expect(new HttpError(409, 'in progress', { retryAfterSeconds: 1 }).headers).toEqual({
      'retry-after': '1',
    });
    expect(new HttpError(503, 'down', { publicMessage: 'later', retryAfterSeconds: 2 }).headers).toEqual({
      'retry-after': '2',
    });
    expect(
      new HttpError(503, 'down', { publicMessage: 'later', retryAfterSeconds: 2 }).retryAfterSeconds,
    ).toBe(2);
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
