/** What every 5xx answers when it has no public text of its own: its message is for the logs. */
export const INTERNAL_ERROR_MESSAGE = 'Internal error';

export interface HttpErrorOptions extends ErrorOptions {
  /**
   * What the caller reads. A 4xx defaults to its message, which is written for the caller. A
   * 5xx has none by default (its message may name buckets or quote the SDK) and is then
   * answered as any unexpected error: 500 with INTERNAL_ERROR_MESSAGE.
   */
  readonly publicMessage?: string;
  /** Seconds the caller should wait before trying again: sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;
  /** The log line's message; by default `request refused` (4xx) or `unexpected error` (5xx). */
  readonly logMessage?: string;
}

/**
 * Base class of every error a function throws on purpose. It knows its answer: `statusCode`,
 * `publicMessage` and `headers`; errorResponse only renders it. For a 4xx the message is
 * written for the caller; for a 5xx it is for the logs only.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly publicMessage: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly logMessage: string;

  constructor(statusCode: number, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.publicMessage = options.publicMessage ?? (statusCode < 500 ? message : undefined);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.logMessage = options.logMessage ?? (statusCode < 500 ? 'request refused' : 'unexpected error');
  }

  /** The response headers this error adds (`retry-after` when it says when to retry). */
  get headers(): Record<string, string> {
    return this.retryAfterSeconds === undefined ? {} : { 'retry-after': String(this.retryAfterSeconds) };
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, message, options);
    this.name = 'BadRequestError';
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'a signed-in caller is required', options?: ErrorOptions) {
    super(401, message, options);
    this.name = 'UnauthorizedError';
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(message: string) {
    super(413, message);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(message = 'unsupported content type; send "Content-Type: application/json"') {
    super(415, message);
    this.name = 'UnsupportedMediaTypeError';
  }
}
