// The SDK client factories are not here: import them from '@streamdrop/lambda-kit/kinesis' and
// '@streamdrop/lambda-kit/s3', so that a bundle holds only the SDK clients its function uses.
// Environment variables are read with @streamdrop/config (envReader, lazyConfig, ConfigError).
export {
  BadRequestError,
  HttpError,
  type HttpErrorOptions,
  INTERNAL_ERROR_MESSAGE,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './errors';
export { assertJsonContentType, type JsonBodyOptions, type JsonRequest, parseJsonBody } from './json-body';
export { errorResponse, jsonResponse, type ResponseLogger } from './responses';
