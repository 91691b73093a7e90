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

/** Writing the failure record itself failed: the record must be retried, not dropped. */
export class FailureRecordWriteError extends ProcessorError {
  constructor(eventID: string, cause: unknown) {
    super(`could not write the failure record of ${eventID}`, { cause });
    this.name = 'FailureRecordWriteError';
  }
}

/** The permanent failure an error stands for, or `undefined` when a retry may succeed. */
export function asPermanentFailure(error: unknown): PermanentFailureError | undefined {
  if (error instanceof PermanentFailureError) return error;
  if (error instanceof ValidationError) return new InvalidEventError(error);
  return undefined;
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
