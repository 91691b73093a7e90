/**
 * Base class of every error a function throws on purpose. `statusCode` is the HTTP answer;
 * for 4xx the message is written for the caller, for 5xx it is for the logs only.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpError';
    this.statusCode = statusCode;
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

/**
 * The function is deployed wrong: environment variable `variable` is missing or malformed.
 * Answered as a generic 500, so the variable's name stays in the logs.
 */
export class ConfigError extends HttpError {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(500, `environment variable ${variable} ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}
