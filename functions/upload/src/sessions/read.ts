import { DOWNLOAD_URL_TTL_SECONDS, LIST_UPLOADS } from '@streamdrop/config';
import { type ListUploadsResponse, UPLOAD_STATUSES, type UploadStatus } from '@streamdrop/events';
import { BadRequestError } from '@streamdrop/lambda-kit';
import type { UploadRecord } from '@streamdrop/lambda-kit/uploads-table';
import { callerOf, uploadIdOf } from './caller';
import type { SessionDeps, SessionRequest } from './deps';
import { UploadNotFoundError } from './errors';
import { presignDownload } from './presign';
import { unavailableOn } from './unavailable';

/** `GET /uploads/{id}`: the caller's upload, with a presigned download of its processed object. */
export async function getUpload(request: SessionRequest, deps: SessionDeps): Promise<UploadStatus> {
  const userSub = callerOf(request.userSub);
  const uploadId = uploadIdOf(request.uploadId);
  const record = await unavailableOn('DynamoDB GetItem', () => deps.table().get(userSub, uploadId));
  if (!record) throw new UploadNotFoundError(uploadId);
  return statusOf(record, deps);
}

/** What a caller sees of a record: the processed object only once it is processed, with its URL. */
export async function statusOf(record: UploadRecord, deps: SessionDeps): Promise<UploadStatus> {
  const processed =
    record.status === UPLOAD_STATUSES.processed && record.processed !== undefined
      ? record.processed
      : undefined;
  const expiresAt = new Date(deps.now().getTime() + DOWNLOAD_URL_TTL_SECONDS * 1000);
  return {
    uploadId: record.uploadId,
    filename: record.filename,
    size: record.size,
    contentType: record.contentType,
    ...(record.sha256 !== undefined && { sha256: record.sha256 }),
    status: record.status,
    createdAt: record.createdAt,
    ...(processed !== undefined && {
      processed: {
        key: processed.key,
        size: processed.size,
        sha256: processed.sha256,
        url: await presignDownload(deps.presignS3, {
          bucket: deps.config.dataBucket,
          key: processed.key,
          filename: record.filename,
          expiresIn: DOWNLOAD_URL_TTL_SECONDS,
        }),
        expiresAt: expiresAt.toISOString(),
      },
    }),
    ...(record.status === UPLOAD_STATUSES.failed &&
      record.failure !== undefined && { failure: { reason: record.failure.reason } }),
  };
}

interface Cursor {
  /** The caller's sub: a cursor is good for its own listing only. */
  u: string;
  i: string;
  c: string;
}

export function encodeCursor(userSub: string, last: { uploadId: string; createdAt: string }): string {
  const cursor: Cursor = { u: userSub, i: last.uploadId, c: last.createdAt };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(userSub: string, value: string): { uploadId: string; createdAt: string } {
  const refused = new BadRequestError('cursor: is not a cursor of this listing; pass nextCursor as it came');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw refused;
  }
  const cursor = parsed as Partial<Cursor> | null;
  if (
    typeof cursor !== 'object' ||
    cursor === null ||
    cursor.u !== userSub ||
    typeof cursor.i !== 'string' ||
    typeof cursor.c !== 'string' ||
    Number.isNaN(Date.parse(cursor.c))
  ) {
    throw refused;
  }
  return { uploadId: cursor.i, createdAt: cursor.c };
}

const QUERY_PARAMETERS = new Set(['limit', 'cursor']);

/** `GET /uploads?limit=&cursor=`: the caller's uploads, newest first, a page at a time. */
export async function listUploads(request: SessionRequest, deps: SessionDeps): Promise<ListUploadsResponse> {
  const userSub = callerOf(request.userSub);
  const unknown = Object.keys(request.query).filter((name) => !QUERY_PARAMETERS.has(name));
  if (unknown.length > 0) {
    throw new BadRequestError(
      `unknown query parameter ${unknown.map((n) => `"${n}"`).join(', ')}: use limit and cursor`,
    );
  }
  const rawLimit = request.query.limit;
  const limit = rawLimit === undefined ? LIST_UPLOADS.defaultLimit : Number(rawLimit);
  if (
    rawLimit !== undefined &&
    (!/^\d+$/.test(rawLimit) || !Number.isSafeInteger(limit) || limit < 1 || limit > LIST_UPLOADS.maxLimit)
  ) {
    throw new BadRequestError(`limit: must be a whole number from 1 to ${LIST_UPLOADS.maxLimit}`);
  }
  const after = request.query.cursor === undefined ? undefined : decodeCursor(userSub, request.query.cursor);
  const page = await unavailableOn('DynamoDB Query', () => deps.table().list(userSub, limit, after));
  return {
    uploads: await Promise.all(page.records.map((record) => statusOf(record, deps))),
    ...(page.last !== undefined && { nextCursor: encodeCursor(userSub, page.last) }),
  };
}
