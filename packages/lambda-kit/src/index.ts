// The SDK client factories are not here: import them from '@streamdrop/lambda-kit/kinesis' and
// '@streamdrop/lambda-kit/s3', so that a bundle holds only the SDK clients its function uses.
export { type Env, type EnvReader, envReader, type Format, type IntOptions, lazyConfig } from './env';
export {
  BadRequestError,
  ConfigError,
  HttpError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './errors';
export { assertJsonContentType, type JsonBodyOptions, type JsonRequest, parseJsonBody } from './json-body';
export { errorResponse, INTERNAL_ERROR_MESSAGE, jsonResponse, type ResponseLogger } from './responses';
