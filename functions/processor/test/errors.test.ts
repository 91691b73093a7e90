import { ValidationError } from '@streamdrop/events';
import { asPermanentFailure, InvalidEventError, isMissingObject, WrongBucketError } from '../src/errors';
import { s3Error } from './support/fake-s3';

describe('error classification', () => {
  it.each([
    ['NoSuchKey', 404, true],
    ['NotFound', 404, true],
    ['UnknownError', 404, true],
    ['NoSuchBucket', 404, false],
    ['AccessDenied', 403, false],
    ['SlowDown', 503, false],
    ['InternalError', 500, false],
  ])('%s (%i) means a missing object: %s', (name, status, expected) => {
    expect(isMissingObject(s3Error(name, status))).toBe(expected);
  });

  it('turns a ValidationError into a permanent InvalidEventError that keeps the reason', () => {
    const failure = asPermanentFailure(new ValidationError(['sha256: must be 64 lower-case hex digits']));
    expect(failure).toBeInstanceOf(InvalidEventError);
    expect(failure?.name).toBe('InvalidEventError');
    expect(failure?.reason).toBe('invalid upload event: sha256: must be 64 lower-case hex digits');
  });

  it('keeps permanent failures and treats everything else as transient', () => {
    const wrongBucket = new WrongBucketError('other');
    expect(asPermanentFailure(wrongBucket)).toBe(wrongBucket);
    expect(asPermanentFailure(s3Error('SlowDown', 503))).toBeUndefined();
    expect(asPermanentFailure(new TypeError('socket hang up'))).toBeUndefined();
    expect(asPermanentFailure('a string')).toBeUndefined();
  });

  const nodeError = (code: string, message: string) => Object.assign(new TypeError(message), { code });

  it.each([
    ['ERR_INVALID_CHAR', 'Invalid character in header content ["content-type"]'],
    ['ERR_HTTP_INVALID_HEADER_VALUE', 'Invalid value "undefined" for header "x-amz-meta-a"'],
    ['ERR_INVALID_HTTP_TOKEN', 'Header name must be a valid HTTP token ["a b"]'],
  ])('makes a request Node.js refuses to send (%s) permanent, naming why', (code, message) => {
    const failure = asPermanentFailure(nodeError(code, message));

    expect(failure?.name).toBe('UnsendableRequestError');
    expect(failure?.reason).toBe(`a request for this record cannot be sent (${code}: ${message})`);
  });

  it.each([
    ['InvalidArgument', 400],
    ['InvalidRequest', 400],
    ['MetadataTooLarge', 400],
    ['KeyTooLongError', 400],
    ['EntityTooLarge', 400],
    ['InvalidObjectState', 403],
    ['MethodNotAllowed', 405],
    ['MissingContentLength', 411],
    ['InvalidRange', 416],
    ['UnknownError', 400],
  ])('makes an S3 %s (%i) permanent: the same request is refused again', (name, status) => {
    const failure = asPermanentFailure(s3Error(name, status));

    expect(failure?.name).toBe('S3RefusedError');
    expect(failure?.reason).toBe(
      `S3 refused a request for this record with ${name} (HTTP ${status}); the same request would be refused again`,
    );
  });

  it.each([
    ['AccessDenied', 403],
    ['InvalidAccessKeyId', 403],
    ['SignatureDoesNotMatch', 403],
    ['RequestTimeTooSkewed', 403],
    ['RequestTimeout', 400],
    ['IncompleteBody', 400],
    ['BadDigest', 400],
    ['ExpiredToken', 400],
    ['KMS.DisabledException', 400],
    ['NoSuchBucket', 404],
    ['NoSuchUpload', 404],
    ['RequestTimeoutException', 408],
    ['ConditionalRequestConflict', 409],
    ['OperationAborted', 409],
    ['PreconditionFailed', 412],
    ['TooManyRequests', 429],
    ['SlowDown', 503],
    ['InternalError', 500],
  ])('retries an S3 %s (%i): a later try may succeed', (name, status) => {
    expect(asPermanentFailure(s3Error(name, status))).toBeUndefined();
  });
});
