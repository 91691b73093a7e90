import { AbortMultipartUploadCommand, CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { DIRECT_UPLOAD, partSizeFor, SESSION_UPLOAD_TAG, uploadStateTagging } from '@streamdrop/config';
import {
  type CreateSessionResponse,
  parseCreateSessionRequest,
  type SessionPart,
  UPLOAD_STATUSES,
} from '@streamdrop/events';
import { PayloadTooLargeError, parseJsonBody } from '@streamdrop/lambda-kit';
import type { UploadRecord } from '@streamdrop/lambda-kit/uploads-table';
import { ServiceUnavailableError } from '../errors';
import { callerOf, keyFor } from './caller';
import type { SessionDeps, SessionRequest } from './deps';
import { presignPart, presignSinglePut } from './presign';

/** A session request is small: a name, a size, a type and a digest. */
export const MAX_SESSION_BODY_BYTES = 16 * 1024;

/** Where the bytes of a file of `size` go: one part, or parts of `partSize` (the last one shorter). */
export function planParts(size: number): { partSize?: number; parts: { offset: number; size: number }[] } {
  const partSize = partSizeFor(size);
  if (partSize === undefined) return { parts: [{ offset: 0, size }] };
  const parts: { offset: number; size: number }[] = [];
  for (let offset = 0; offset < size; offset += partSize) {
    parts.push({ offset, size: Math.min(partSize, size - offset) });
  }
  return { partSize, parts };
}

/**
 * `POST /uploads` with `size` (and no `content`): opens an upload session. Checks everything
 * before anything is created (a size over the limit is 413), creates the multipart upload when
 * the file is larger than one PUT, writes the session's item (`awaiting-upload`, with a time to
 * live), and answers with one presigned URL per part. Nothing is published: that is what complete
 * does. If the item cannot be written, the multipart upload is aborted: nothing half-done stays.
 */
export async function createSession(
  request: SessionRequest,
  deps: SessionDeps,
): Promise<CreateSessionResponse> {
  const userSub = callerOf(request.userSub);
  const { dataBucket: bucket, maxDirectUploadBytes, uploadUrlTtlSeconds } = deps.config;
  const table = deps.table();
  const body = parseJsonBody(request, parseCreateSessionRequest, {
    expected: 'a JSON object with filename and size',
    limit: {
      maxBytes: MAX_SESSION_BODY_BYTES,
      message: `request body is too large: a session request is at most ${MAX_SESSION_BODY_BYTES} bytes`,
    },
  });
  if (body.size > maxDirectUploadBytes) {
    throw new PayloadTooLargeError(`size must be at most ${maxDirectUploadBytes} bytes (got ${body.size})`);
  }
  const plan = planParts(body.size);
  if (plan.parts.length > DIRECT_UPLOAD.maxPartsPerSession) {
    throw new PayloadTooLargeError(
      `size ${body.size} needs ${plan.parts.length} parts; a session has at most ${DIRECT_UPLOAD.maxPartsPerSession}`,
    );
  }

  const uploadId = deps.newId();
  const key = keyFor(userSub, uploadId, body.filename);
  const contentType = body.contentType ?? 'application/octet-stream';
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + uploadUrlTtlSeconds * 1000);
  const completeBy = new Date(expiresAt.getTime() + DIRECT_UPLOAD.completionGraceSeconds * 1000);

  let multipartUploadId: string | undefined;
  if (plan.partSize !== undefined) {
    try {
      const created = await deps.s3.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ContentType: contentType,
          // Not completed yet: the lifecycle rule expires what is never completed.
          Tagging: uploadStateTagging(SESSION_UPLOAD_TAG.value),
        }),
      );
      multipartUploadId = created.UploadId;
    } catch (error) {
      throw new ServiceUnavailableError('S3 CreateMultipartUpload failed', { cause: error });
    }
    if (!multipartUploadId) throw new Error('S3 CreateMultipartUpload answered without an UploadId');
  }

  const record: UploadRecord = {
    userSub,
    uploadId,
    createdAt: now.toISOString(),
    filename: body.filename,
    key,
    size: body.size,
    contentType,
    status: UPLOAD_STATUSES.awaitingUpload,
    origin: 'direct',
    expiresAt: expiresAt.toISOString(),
    completeBy: completeBy.toISOString(),
    ...(body.sha256 !== undefined && { sha256: body.sha256 }),
    ...(multipartUploadId !== undefined && { multipartUploadId, partSize: plan.partSize }),
  };
  try {
    // The id is fresh: the condition only guards against a bug handing out one twice.
    if (!(await table.create(record, Math.ceil(completeBy.getTime() / 1000)))) {
      throw new Error(`upload id ${uploadId} exists already`);
    }
  } catch (error) {
    if (multipartUploadId !== undefined) {
      await deps.s3
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: multipartUploadId }))
        .catch((abortError: unknown) =>
          // The lifecycle rule aborts it within a day anyway.
          deps.logger?.error('could not abort the multipart upload of a session not recorded', {
            uploadId,
            requestId: request.requestId,
            error: abortError,
          }),
        );
    }
    throw new ServiceUnavailableError('DynamoDB PutItem of the session failed', { cause: error });
  }

  const expiresIn = uploadUrlTtlSeconds;
  const parts: SessionPart[] =
    multipartUploadId === undefined
      ? [
          await presignSinglePut(deps.presignS3, {
            bucket,
            key,
            size: body.size,
            contentType,
            expiresIn,
            ...(body.sha256 !== undefined && { sha256: body.sha256 }),
          }),
        ]
      : await Promise.all(
          plan.parts.map((part, index) =>
            presignPart(deps.presignS3, {
              bucket,
              key,
              multipartUploadId: multipartUploadId as string,
              partNumber: index + 1,
              offset: part.offset,
              size: part.size,
              expiresIn,
            }),
          ),
        );
  deps.logger?.info('upload session opened', {
    uploadId,
    requestId: request.requestId,
    key,
    size: body.size,
    parts: parts.length,
    declaredSha256: body.sha256 !== undefined,
  });
  deps.metrics?.opened();
  return {
    uploadId,
    status: UPLOAD_STATUSES.awaitingUpload,
    expiresAt: record.expiresAt as string,
    parts,
  };
}
