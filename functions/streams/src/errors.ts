/**
 * Base class of every error this function throws on purpose. `statusCode` is the HTTP answer;
 * for 4xx the message is written for the caller, for 5xx it is for the logs only.
 */
export class StreamsError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StreamsError';
    this.statusCode = statusCode;
  }
}

export class BadRequestError extends StreamsError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, message, options);
    this.name = 'BadRequestError';
  }
}

export class UnauthorizedError extends StreamsError {
  constructor(message = 'a signed-in caller is required', options?: ErrorOptions) {
    super(401, message, options);
    this.name = 'UnauthorizedError';
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

export class UnsupportedMediaTypeError extends StreamsError {
  constructor(message = 'unsupported content type; send "Content-Type: application/json"') {
    super(415, message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** Kinesis still refused for rate or limit reasons after the SDK's own retries. */
export class ThrottledError extends StreamsError {
  readonly retryAfterSeconds: number;
  constructor(message: string, options: ErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(429, message, options);
    this.name = 'ThrottledError';
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
}

/** Kinesis (or the SDK on the way to it) failed or answered nonsense; the message is for the logs. */
export class StreamServiceError extends StreamsError {
  constructor(message: string, options?: ErrorOptions) {
    super(502, message, options);
    this.name = 'StreamServiceError';
  }
}
