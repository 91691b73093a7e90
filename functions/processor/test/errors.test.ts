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
});
