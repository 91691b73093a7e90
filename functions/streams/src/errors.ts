import { HttpError, type HttpErrorOptions } from '@streamdrop/lambda-kit';

/** What a caller reads when Kinesis failed: nothing of the SDK's message. */
export const STREAM_SERVICE_FAILED_MESSAGE = 'The stream service failed; try again later';

/**
 * Base class of the errors only this function throws. The generic ones (400, 401, 415) come
 * from @streamdrop/lambda-kit; all of them are HttpErrors and render themselves.
 */
export class StreamsError extends HttpError {
  constructor(statusCode: number, message: string, options?: HttpErrorOptions) {
    super(statusCode, message, options);
    this.name = 'StreamsError';
  }
}

/** The caller is signed in but not an administrator. */
export class ForbiddenError extends StreamsError {
  constructor(adminGroup: string) {
    super(403, `Only members of the ${adminGroup} group may use the streams API`);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends StreamsError {
  constructor(message: string, options?: ErrorOptions) {
    super(404, message, options);
    this.name = 'NotFoundError';
  }
}

/**
 * The stream is not one the proxy may touch, or Kinesis does not know it. Both answer alike, so
 * that a caller cannot tell a stream that exists outside the allow-list from one that does not.
 */
export class StreamNotFoundError extends NotFoundError {
  readonly streamName: string;
  constructor(streamName: string, options?: ErrorOptions) {
    super(`Stream ${streamName} not found`, options);
    this.name = 'StreamNotFoundError';
    this.streamName = streamName;
  }
}

/** API Gateway sent a route this function does not serve: the stack and the code disagree. */
export class RouteNotFoundError extends NotFoundError {
  constructor(routeKey: string) {
    super(`no route ${routeKey}`);
    this.name = 'RouteNotFoundError';
  }
}

/** What a caller reads when Kinesis refused its records as invalid: no Kinesis message, which may name ARNs. */
export const RECORDS_REFUSED_MESSAGE =
  'Kinesis refused the request as invalid; check each record against the limits: a partition key of 1 to 256 UTF-16 code units, at most 1 MiB of data plus partition key, an explicit hash key from 0 to 2^128 - 1';

/**
 * Kinesis refused the caller's records (ValidationException, InvalidArgumentException): a limit
 * the proxy's own checks did not catch. The caller's request, not the service, is at fault: 400.
 */
export class RecordsRefusedError extends StreamsError {
  constructor(options?: ErrorOptions) {
    super(400, RECORDS_REFUSED_MESSAGE, { cause: options?.cause, logMessage: 'Kinesis refused the records' });
    this.name = 'RecordsRefusedError';
  }
}

/** Kinesis still refused for rate or limit reasons after the SDK's own retries. */
export class ThrottledError extends StreamsError {
  constructor(message: string, options: ErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(429, message, {
      cause: options.cause,
      retryAfterSeconds: options.retryAfterSeconds ?? 1,
      logMessage: 'throttled by Kinesis',
    });
    this.name = 'ThrottledError';
  }
}

/** Kinesis (or the SDK on the way to it) failed or answered nonsense; the message is for the logs. */
export class StreamServiceError extends StreamsError {
  constructor(message: string, options?: ErrorOptions) {
    super(502, message, {
      cause: options?.cause,
      publicMessage: STREAM_SERVICE_FAILED_MESSAGE,
      logMessage: 'stream service failed',
    });
    this.name = 'StreamServiceError';
  }
}
