import { ValidationError } from '@streamdrop/events';

/** Base class of the processor's own errors (a broken environment throws @streamdrop/config's ConfigError). */
export class ProcessorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProcessorError';
  }
}

/**
 * A record that no retry can fix. It is written to the failures bucket and then counted as
 * done, so that it does not block its shard. `reason` is for a person and never holds content.
 */
export class PermanentFailureError extends ProcessorError {
  readonly reason: string;
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'PermanentFailureError';
    this.reason = reason;
  }
}

/**
 * Thrown by a transform that finds, part-way through, that it cannot transform its source
 * faithfully (text declared UTF-8 that is not). The processor then stores the source byte for
 * byte instead, with `note` in the processed object's `transform-note` metadata. Not a failure:
 * the upload is kept, unchanged rather than corrupted.
 */
export class SourceNotTransformableError extends ProcessorError {
  /** ASCII, fixed for a given source: it goes into S3 metadata, and the outcome must not depend on how the bytes were cut. */
  readonly note: string;
  constructor(note: string, options?: ErrorOptions) {
    super(`the source cannot be transformed: ${note}`, options);
    this.name = 'SourceNotTransformableError';
    this.note = note;
  }
}

export class InvalidEventError extends PermanentFailureError {
  constructor(cause: ValidationError) {
    super(`invalid upload event: ${cause.message}`, { cause });
    this.name = 'InvalidEventError';
  }
}

export class WrongBucketError extends PermanentFailureError {
  constructor(bucket: string) {
    super(`upload event names bucket "${bucket}", which is not this processor's data bucket`);
    this.name = 'WrongBucketError';
  }
}

export class SourceMissingError extends PermanentFailureError {
  constructor(key: string, cause: unknown) {
    super(`source object ${key} does not exist`, { cause });
    this.name = 'SourceMissingError';
  }
}

export class ChecksumMismatchError extends PermanentFailureError {
  constructor(key: string, expected: string, actual: string) {
    super(`source object ${key} has sha256 ${actual}, the upload event says ${expected}`);
    this.name = 'ChecksumMismatchError';
  }
}

/**
 * Node.js refused to send a request at all (a header value with CR, LF or a character outside
 * Latin-1, an invalid header name): the same record builds the same request every time.
 */
export class UnsendableRequestError extends PermanentFailureError {
  constructor(cause: Error & { code?: string }) {
    super(`a request for this record cannot be sent (${cause.code ?? cause.name}: ${cause.message})`, {
      cause,
    });
    this.name = 'UnsendableRequestError';
  }
}

/** S3 answered with a client error that no retry of the same request can change. */
export class S3RefusedError extends PermanentFailureError {
  constructor(code: string, status: number, cause: unknown) {
    super(
      `S3 refused a request for this record with ${code} (HTTP ${status}); the same request would be refused again`,
      {
        cause,
      },
    );
    this.name = 'S3RefusedError';
  }
}

/** Writing the failure record itself failed: the record must be retried, not dropped. */
export class FailureRecordWriteError extends ProcessorError {
  constructor(eventID: string, cause: unknown) {
    super(`could not write the failure record of ${eventID}`, { cause });
    this.name = 'FailureRecordWriteError';
  }
}

// Node.js's codes for a request it will not send: the header or its value is malformed.
const UNSENDABLE = new Set(['ERR_INVALID_CHAR', 'ERR_HTTP_INVALID_HEADER_VALUE', 'ERR_INVALID_HTTP_TOKEN']);

// S3 client errors that a later try may not get: rate and time limits, a request cut on the way
// (RequestTimeout, IncompleteBody, BadDigest), a condition another writer decides (409, 412), an
// upload aborted under us (NoSuchUpload), and whatever concerns our own deployment rather than the
// record (credentials, permissions, a missing bucket, KMS): once fixed, the same record succeeds,
// and writing off every record of the stream meanwhile would bury the failures bucket.
const TRANSIENT_S3_STATUS = new Set([403, 408, 409, 412, 429]);
const TRANSIENT_S3_CODES = new Set([
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'IncompleteBody',
  'BadDigest',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidToken',
  'NoSuchBucket',
  'NoSuchUpload',
]);
// A 403 that is about the object, not about us: an archived object cannot be read back by retrying.
const PERMANENT_S3_403 = new Set(['InvalidObjectState', 'ObjectNotInActiveTierError']);

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * The permanent failure an error stands for, or `undefined` when a retry may succeed. Permanent:
 * our own PermanentFailureErrors, a schema violation, a request Node.js refuses to send, and an S3
 * 4xx that is not in the transient list above. Everything else (5xx, network, timeouts, SDK
 * errors without a status) is retried.
 */
export function asPermanentFailure(error: unknown): PermanentFailureError | undefined {
  if (error instanceof PermanentFailureError) return error;
  if (error instanceof ValidationError) return new InvalidEventError(error);
  if (!(error instanceof Error)) return undefined;
  const { code, $metadata } = error as Error & SdkError;
  if (error instanceof TypeError && code !== undefined && UNSENDABLE.has(code)) {
    return new UnsendableRequestError(error);
  }
  const status = $metadata?.httpStatusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const transient =
    TRANSIENT_S3_CODES.has(error.name) ||
    error.name.startsWith('KMS') ||
    (TRANSIENT_S3_STATUS.has(status) && !(status === 403 && PERMANENT_S3_403.has(error.name)));
  return transient ? undefined : new S3RefusedError(error.name, status, error);
}

/**
 * True when S3 says the object is not there. NoSuchBucket is a 404 too, but it means our own
 * configuration is wrong: retrying once that is fixed beats writing off every record.
 */
export function isMissingObject(error: unknown): boolean {
  if (!(error instanceof Error) || error.name === 'NoSuchBucket') return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || status === 404;
}
