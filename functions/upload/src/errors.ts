/**
 * Base class of every error this function throws on purpose. `statusCode` is the HTTP answer;
 * for 4xx the message is written for the caller, for 5xx it is for the logs only.
 */
export class UploadError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UploadError';
    this.statusCode = statusCode;
  }
}

export class BadRequestError extends UploadError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, message, options);
    this.name = 'BadRequestError';
  }
}

export class UnauthorizedError extends UploadError {
  constructor(message = 'a signed-in caller is required', options?: ErrorOptions) {
    super(401, message, options);
    this.name = 'UnauthorizedError';
  }
}

export class PayloadTooLargeError extends UploadError {
  constructor(message: string) {
    super(413, message);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends UploadError {
  constructor(message = 'unsupported content type; send "Content-Type: application/json"') {
    super(415, message);
    this.name = 'UnsupportedMediaTypeError';
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
