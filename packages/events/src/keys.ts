import { KEY_PREFIXES } from '@streamdrop/config';
import { ValidationError } from './errors';
import { filenameProblem } from './filename';

/** `uploads/`: what users upload, in the data bucket. */
export const UPLOADS_PREFIX = KEY_PREFIXES.uploads;
/** `processed/`: what the processor writes, in the data bucket. */
export const PROCESSED_PREFIX = KEY_PREFIXES.processed;

// Cognito subs are UUIDs; anything that could change the key's shape is refused.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface UploadKeyParts {
  userSub: string;
  uploadId: string;
  filename: string;
}

function check(parts: UploadKeyParts): void {
  const problems: string[] = [];
  if (!SEGMENT.test(parts.userSub)) problems.push('userSub: not a valid key segment');
  if (!SEGMENT.test(parts.uploadId)) problems.push('uploadId: not a valid key segment');
  const fp = filenameProblem(parts.filename);
  if (fp) problems.push(`filename: ${fp}`);
  if (problems.length > 0) throw new ValidationError(problems);
}

/** `uploads/<userSub>/<uploadId>/<filename>` — throws ValidationError for any unsafe part. */
export function uploadKey(parts: UploadKeyParts): string {
  check(parts);
  return `${UPLOADS_PREFIX}${parts.userSub}/${parts.uploadId}/${parts.filename}`;
}

/** `processed/<userSub>/<uploadId>/<filename>` — the processed twin of an upload. */
export function processedKey(parts: UploadKeyParts): string {
  check(parts);
  return `${PROCESSED_PREFIX}${parts.userSub}/${parts.uploadId}/${parts.filename}`;
}

/** Splits an upload key back into its parts, or throws ValidationError if it is not one. */
export function parseUploadKey(key: string): UploadKeyParts {
  if (!key.startsWith(UPLOADS_PREFIX))
    throw new ValidationError([`key: must start with "${UPLOADS_PREFIX}"`]);
  const rest = key.slice(UPLOADS_PREFIX.length).split('/');
  if (rest.length !== 3) {
    throw new ValidationError(['key: must look like uploads/<userSub>/<uploadId>/<filename>']);
  }
  const [userSub = '', uploadId = '', filename = ''] = rest;
  const parts = { userSub, uploadId, filename };
  check(parts);
  return parts;
}

/** The processed key for an upload key. */
export function processedKeyFor(uploadKeyValue: string): string {
  return processedKey(parseUploadKey(uploadKeyValue));
}
