import { HttpError, type HttpErrorOptions } from '@streamdrop/lambda-kit';

/** What a caller reads when a dependency failed: nothing of the SDK's message, and what to do. */
export const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable; nothing was stored. Retry later.';

/**
 * Base class of the errors only this function throws. The generic ones (400, 401, 413, 415)
 * come from @streamdrop/lambda-kit; all of them are HttpErrors and render themselves.
 */
export class UploadError extends HttpError {
  constructor(statusCode: number, message: string, options?: HttpErrorOptions) {
    super(statusCode, message, options);
    this.name = 'UploadError';
  }
}

/** A dependency failed after the SDK's own retries; the caller may retry the whole upload. */
export class ServiceUnavailableError extends UploadError {
  constructor(message: string, options: ErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(503, message, {
      cause: options.cause,
      retryAfterSeconds: options.retryAfterSeconds ?? 2,
      publicMessage: UNAVAILABLE_MESSAGE,
      logMessage: 'dependency unavailable',
    });
    this.name = 'ServiceUnavailableError';
  }
}
