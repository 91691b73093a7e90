import { uploadKey, ValidationError } from '@streamdrop/events';
import { UnauthorizedError } from '@streamdrop/lambda-kit';
import { UploadNotFoundError } from './errors';

// What an upload id looks like (the function hands out UUIDs); anything else names no upload.
const UPLOAD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `uploads/<sub>/<uploadId>/<filename>`; a sub that cannot name a folder is not a caller we serve (401). */
export function keyFor(userSub: string, uploadId: string, filename: string): string {
  try {
    return uploadKey({ userSub, uploadId, filename });
  } catch (error) {
    if (error instanceof ValidationError && error.issues.some((issue) => issue.startsWith('userSub:'))) {
      throw new UnauthorizedError('the caller identity cannot be used', { cause: error });
    }
    throw error;
  }
}

/** The caller's sub, checked as the key segment it becomes; 401 without one. */
export function callerOf(userSub: string | undefined): string {
  if (!userSub) throw new UnauthorizedError();
  keyFor(userSub, 'check', 'check');
  return userSub;
}

/** The `{id}` of the path: an id that cannot be an upload's names none (404, as any unknown id). */
export function uploadIdOf(value: string | undefined): string {
  if (value === undefined || !UPLOAD_ID.test(value)) throw new UploadNotFoundError('with this id');
  return value;
}
