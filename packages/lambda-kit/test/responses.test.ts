import { ConfigError } from '@streamdrop/config';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BadRequestError, errorResponse, HttpError, jsonResponse, UnauthorizedError } from '../src';

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
    ['a broken configuration', new ConfigError({ variable: 'DATA_BUCKET', problem: 'is not set' })],
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

  it('answers a 5xx that states a public message with its status, that message and its headers, and logs the cause', () => {
    const logger = fakeLogger();
    const cause = new Error('SlowDown: reduce your request rate for secret-bucket');
    const error = new HttpError(503, 'S3 PutObject failed', {
      cause,
      publicMessage: 'The service is temporarily unavailable',
      retryAfterSeconds: 2,
      logMessage: 'dependency unavailable',
    });

    const response = errorResponse(error, REQUEST_ID, logger);

    expect(response).toEqual({
      statusCode: 503,
      headers: { 'content-type': 'application/json', 'retry-after': '2' },
      body: JSON.stringify({ message: 'The service is temporarily unavailable', requestId: REQUEST_ID }),
    });
    expect(logger.error).toHaveBeenCalledWith('dependency unavailable', {
      statusCode: 503,
      requestId: REQUEST_ID,
      error,
    });
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('sends the headers of a 4xx, and logs what caused the refusal with it', () => {
    const logger = fakeLogger();
    const cause = new Error('Rate exceeded for account 123456789012');
    const error = new HttpError(429, 'Kinesis is busy; retry later', {
      cause,
      retryAfterSeconds: 1,
      logMessage: 'throttled by Kinesis',
    });

    const response = errorResponse(error, REQUEST_ID, logger);

    expect(response.statusCode).toBe(429);
    expect(response.headers).toEqual({ 'content-type': 'application/json', 'retry-after': '1' });
    expect(body(response)).toEqual({ message: 'Kinesis is busy; retry later', requestId: REQUEST_ID });
    expect(logger.info).toHaveBeenCalledWith('throttled by Kinesis', {
      statusCode: 429,
      reason: 'Kinesis is busy; retry later',
      requestId: REQUEST_ID,
      error,
    });
    expect(logger.error).not.toHaveBeenCalled();
  });
});
