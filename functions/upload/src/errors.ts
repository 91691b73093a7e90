import { HttpError } from '@streamdrop/lambda-kit';

/**
 * Base class of the errors only this function throws. The generic ones (400, 401, 413, 415 and
 * ConfigError) come from @streamdrop/lambda-kit; all of them are HttpErrors.
 */
export class UploadError extends HttpError {
  constructor(statusCode: number, message: string, options?: ErrorOptions) {
    super(statusCode, message, options);
    this.name = 'UploadError';
  }
}

/** A dependency failed after the SDK's own retries; the caller may retry the whole upload. */
export class ServiceUnavailableError extends UploadError {
  readonly retryAfterSeconds: number;
  constructor(message: string, options: ErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(503, message, options);
    this.name = 'ServiceUnavailableError';
    this.retryAfterSeconds = options.retryAfterSeconds ?? 2;
  }
}
