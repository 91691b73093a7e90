import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  BadRequestError,
  ConfigError,
  errorResponse,
  HttpError,
  jsonResponse,
  UnauthorizedError,
} from '../src';

const REQUEST_ID = 'Zx9Yw8Vu7Ts6=';

function fakeLogger() {
  return { info: jest.fn(), error: jest.fn() };
}

function body(response: APIGatewayProxyStructuredResultV2): unknown {
  return JSON.parse(response.body ?? '');
}

describe('jsonResponse', () => {
  it('serializes the body with content-type application/json', () => {
    expect(jsonResponse(202, { uploadId: 'u-1' })).toEqual({
      statusCode: 202,
      headers: { 'content-type': 'application/json' },
      body: '{"uploadId":"u-1"}',
    });
  });

  it('adds the extra headers it is given', () => {
    const response = jsonResponse(503, { message: 'later' }, { 'retry-after': '2' });

    expect(response.headers).toEqual({ 'content-type': 'application/json', 'retry-after': '2' });
  });
});

describe('errorResponse', () => {
  it.each([
    new BadRequestError('filename: must be a string'),
    new UnauthorizedError(),
    new HttpError(404, 'Stream s not found'),
  ])('answers the 4xx %p with its status and message, and logs it as refused', (error) => {
    const logger = fakeLogger();

    const response = errorResponse(error, REQUEST_ID, logger);

    expect(response).toEqual({
      statusCode: error.statusCode,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: error.message, requestId: REQUEST_ID }),
    });
    expect(logger.info).toHaveBeenCalledWith('request refused', {
      statusCode: error.statusCode,
      reason: error.message,
      requestId: REQUEST_ID,
    });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it.each([
    ['an unexpected error', new Error('entropy pool exhausted near arn:aws:s3:::secret-bucket')],
    ['a 5xx HttpError', new HttpError(502, 'Kinesis PutRecord failed at arn:aws:kinesis:secret')],
    ['a broken configuration', new ConfigError('DATA_BUCKET', 'is not set')],
    ['something that is not an Error', 'secret string'],
  ])('answers %s with 500 "Internal error", never its message, and logs it', (_label, error) => {
    const logger = fakeLogger();

    const response = errorResponse(error, REQUEST_ID, logger);

    expect(response.statusCode).toBe(500);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(body(response)).toEqual({ message: 'Internal error', requestId: REQUEST_ID });
    expect(response.body).not.toMatch(/secret|DATA_BUCKET/);
    expect(logger.error).toHaveBeenCalledWith('unexpected error', { requestId: REQUEST_ID, error });
  });
});
