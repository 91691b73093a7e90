import { UPLOAD_REFUSAL_REASONS, type UploadRefusalReason } from '@streamdrop/config';
import { UploadError } from '../errors';

/** An error of the uploads routes that names the refusal reason its metric counts it under. */
export class SessionError extends UploadError {
  readonly refusalReason: UploadRefusalReason;
  constructor(statusCode: number, message: string, refusalReason: UploadRefusalReason) {
    super(statusCode, message);
    this.name = 'SessionError';
    this.refusalReason = refusalReason;
  }
}

/**
 * No such upload for this caller. Another user's upload answers exactly the same: the table is
 * keyed by the caller's sub, so there is nothing to tell the two apart by, and existence is never
 * disclosed.
 */
export class UploadNotFoundError extends SessionError {
  constructor(uploadId: string) {
    super(404, `upload ${uploadId} not found`, UPLOAD_REFUSAL_REASONS.notFound);
    this.name = 'UploadNotFoundError';
  }
}

/** The session is past the time it could be completed: its URLs expired an hour ago or more. */
export class SessionExpiredError extends SessionError {
  constructor(uploadId: string, completeBy: string) {
    super(
      410,
      `upload session ${uploadId} expired at ${completeBy}; open a new one with POST /uploads`,
      UPLOAD_REFUSAL_REASONS.sessionExpired,
    );
    this.name = 'SessionExpiredError';
  }
}

/** Complete before every part arrived. */
export class PartsMissingError extends SessionError {
  readonly missing: readonly number[];
  constructor(missing: readonly number[], total: number) {
    const shown = missing.slice(0, 20).join(', ');
    const more = missing.length > 20 ? ` and ${missing.length - 20} more` : '';
    super(
      409,
      total === 1
        ? 'the file has not been uploaded yet: PUT it to the URL of part 1, then complete'
        : `parts not uploaded yet: ${shown}${more} (of ${total}); upload them, then complete`,
      UPLOAD_REFUSAL_REASONS.partsMissing,
    );
    this.name = 'PartsMissingError';
    this.missing = missing;
  }
}

/** What arrived is not the size the session declared. */
export class SizeMismatchError extends SessionError {
  constructor(detail: string) {
    super(422, `size: ${detail}`, UPLOAD_REFUSAL_REASONS.sizeMismatch);
    this.name = 'SizeMismatchError';
  }
}
