import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import {
  CompleteMultipartUploadCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type Part,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { SESSION_UPLOAD_TAG, UPLOAD_STATE_TAG, type UploadState } from '@streamdrop/config';
import {
  type CompleteUploadResponse,
  DIRECT_UPLOAD_EVENT_VERSION,
  encodeUploadEvent,
  UPLOAD_STATUSES,
  type UploadEventV2,
} from '@streamdrop/events';
import type { UploadRecord } from '@streamdrop/lambda-kit/uploads-table';
import { ServiceUnavailableError } from '../errors';
import { ACCEPTED_MESSAGE } from '../upload';
import { callerOf, uploadIdOf } from './caller';
import type { SessionDeps, SessionRequest } from './deps';
import { PartsMissingError, SessionExpiredError, SizeMismatchError, UploadNotFoundError } from './errors';
import { unavailableOn } from './unavailable';

const errorName = (error: unknown) => (error instanceof Error ? error.name : '');
const httpStatus = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * `POST /uploads/{id}/complete`: the server lists what arrived itself (no body needed), checks it
 * is the whole file of the declared size, completes the multipart upload, then publishes upload
 * event v2 and answers 202, the same promise as the inline path: processed, or a failure record
 * with its reason.
 *
 * The object is re-tagged `pending` before the event goes out and `complete` after, as the inline
 * path stores it: whatever dies half-way leaves an object the lifecycle rule removes only once no
 * event can name it. The status becomes `queued` only once the event is on the stream, and only
 * from `awaiting-upload` (a quicker processor's `processed` stays). Complete is idempotent: a
 * second one of a queued (or processed, or failed) upload answers 202 with its status again.
 */
export async function completeUpload(
  request: SessionRequest,
  deps: SessionDeps,
): Promise<CompleteUploadResponse> {
  const userSub = callerOf(request.userSub);
  const uploadId = uploadIdOf(request.uploadId);
  const { dataBucket: bucket, streamName } = deps.config;
  const table = deps.table();
  const ids = { uploadId, requestId: request.requestId };

  const record = await unavailableOn('DynamoDB GetItem', () => table.get(userSub, uploadId));
  if (!record) throw new UploadNotFoundError(uploadId);
  const answer = (status: CompleteUploadResponse['status']): CompleteUploadResponse => ({
    message: ACCEPTED_MESSAGE,
    uploadId,
    file_key: record.key,
    s3: { bucket, key: record.key },
    requestId: request.requestId,
    status,
  });

  if (record.status !== UPLOAD_STATUSES.awaitingUpload) {
    // Completed before: the event is out. Mark the object complete again, in case the answer of
    // that complete was a 503 because this very step failed.
    if (record.status === UPLOAD_STATUSES.queued)
      await tag(deps, bucket, record.key, UPLOAD_STATE_TAG.complete);
    deps.logger?.info('upload completed before; answering again', { ...ids, status: record.status });
    return answer(record.status);
  }
  const now = deps.now();
  if (record.completeBy !== undefined && now.getTime() > Date.parse(record.completeBy)) {
    throw new SessionExpiredError(uploadId, record.completeBy);
  }

  await assembled(record, deps, bucket);

  await unavailableOn('S3 PutObjectTagging (pending)', () =>
    tag(deps, bucket, record.key, UPLOAD_STATE_TAG.pending),
  );
  const uploadedAt = now.toISOString();
  const event: UploadEventV2 = {
    version: DIRECT_UPLOAD_EVENT_VERSION,
    origin: 'direct',
    uploadId,
    bucket,
    key: record.key,
    size: record.size,
    contentType: record.contentType,
    ...(record.sha256 !== undefined && { sha256: record.sha256 }),
    uploadedAt,
    requestId: request.requestId,
    userSub,
  };
  try {
    await deps.kinesis.send(
      new PutRecordCommand({
        StreamName: streamName,
        PartitionKey: uploadId,
        Data: encodeUploadEvent(event),
      }),
    );
  } catch (error) {
    // Nothing is out: the session stays completable (its status is still awaiting-upload), and
    // its object goes back to `uploading`, which expires if it is never completed.
    await tag(deps, bucket, record.key, SESSION_UPLOAD_TAG.value).catch((tagError: unknown) =>
      deps.logger?.error('could not tag an uncompleted upload back to uploading', {
        ...ids,
        error: tagError,
      }),
    );
    throw new ServiceUnavailableError('Kinesis PutRecord failed; the session can be completed again', {
      cause: error,
    });
  }
  // From here on the promise holds whatever else fails: the processor will process the upload.
  const queued = await table.markQueued(userSub, uploadId, uploadedAt).catch((error: unknown) => {
    deps.logger?.error('upload event published, but its status could not be set to queued', {
      ...ids,
      error,
    });
    return false;
  });
  await unavailableOn('S3 PutObjectTagging (complete)', () =>
    tag(deps, bucket, record.key, UPLOAD_STATE_TAG.complete),
  );
  deps.logger?.info('upload accepted', {
    ...ids,
    key: record.key,
    size: record.size,
    origin: 'direct',
    queued,
  });
  deps.metrics?.accepted(record.size);
  return answer(UPLOAD_STATUSES.queued);
}

async function tag(deps: SessionDeps, bucket: string, key: string, state: UploadState): Promise<void> {
  await deps.s3.send(
    new PutObjectTaggingCommand({
      Bucket: bucket,
      Key: key,
      Tagging: { TagSet: [{ Key: UPLOAD_STATE_TAG.key, Value: state }] },
    }),
  );
}

/**
 * Makes sure the whole file is at its key, of the declared size: a single PUT is listed; a
 * multipart upload's parts are listed (every part, each of its planned size) and completed. A
 * multipart upload completed by an earlier attempt that failed later on is found as an object.
 */
async function assembled(record: UploadRecord, deps: SessionDeps, bucket: string): Promise<void> {
  if (record.multipartUploadId === undefined || record.partSize === undefined) {
    const size = await objectSize(deps, bucket, record.key);
    if (size === undefined) throw new PartsMissingError([1], 1);
    if (size !== record.size) {
      throw new SizeMismatchError(`the file uploaded is ${size} bytes; the session declared ${record.size}`);
    }
    return;
  }
  const parts = await listParts(deps, bucket, record.key, record.multipartUploadId);
  if (parts === undefined) {
    // No such multipart upload any more: completed by an earlier attempt, or aborted.
    const size = await objectSize(deps, bucket, record.key);
    if (size === undefined)
      throw new SessionExpiredError(record.uploadId, record.completeBy ?? 'an unknown time');
    if (size !== record.size) {
      throw new SizeMismatchError(`the file uploaded is ${size} bytes; the session declared ${record.size}`);
    }
    return;
  }
  const partSize = record.partSize;
  const total = Math.max(1, Math.ceil(record.size / partSize));
  const byNumber = new Map(parts.map((part) => [part.PartNumber, part]));
  const missing: number[] = [];
  for (let n = 1; n <= total; n += 1) if (!byNumber.has(n)) missing.push(n);
  if (missing.length > 0) throw new PartsMissingError(missing, total);
  for (const part of parts) {
    const number = part.PartNumber ?? 0;
    const expected = number === total ? record.size - partSize * (total - 1) : partSize;
    if (number > total)
      throw new SizeMismatchError(`part ${number} is beyond the ${total} parts of the session`);
    if (part.Size !== expected) {
      throw new SizeMismatchError(
        `part ${number} is ${part.Size ?? 0} bytes; the session expects ${expected}`,
      );
    }
  }
  try {
    await deps.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: record.key,
        UploadId: record.multipartUploadId,
        MultipartUpload: {
          Parts: [...parts]
            .sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0))
            .map((part) => ({ PartNumber: part.PartNumber, ETag: part.ETag })),
        },
        // Nothing is ever replaced: the key is this upload's own.
        IfNoneMatch: '*',
      }),
    );
  } catch (error) {
    // Another complete of this session was quicker: the object is there.
    if (errorName(error) === 'NoSuchUpload' || httpStatus(error) === 412) {
      const size = await objectSize(deps, bucket, record.key);
      if (size === record.size) return;
    }
    throw new ServiceUnavailableError('S3 CompleteMultipartUpload failed', { cause: error });
  }
}

/** Every part S3 holds of the multipart upload, or undefined when it does not exist (any more). */
async function listParts(
  deps: SessionDeps,
  bucket: string,
  key: string,
  multipartUploadId: string,
): Promise<Part[] | undefined> {
  const parts: Part[] = [];
  let marker: string | undefined;
  for (;;) {
    let page: Awaited<ReturnType<typeof send>>;
    const send = () =>
      deps.s3.send(
        new ListPartsCommand({
          Bucket: bucket,
          Key: key,
          UploadId: multipartUploadId,
          ...(marker !== undefined && { PartNumberMarker: marker }),
        }),
      );
    try {
      page = await send();
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload' || httpStatus(error) === 404) return undefined;
      throw new ServiceUnavailableError('S3 ListParts failed', { cause: error });
    }
    parts.push(...(page.Parts ?? []));
    if (!page.IsTruncated || page.NextPartNumberMarker === undefined) return parts;
    marker = page.NextPartNumberMarker;
  }
}

/**
 * The size of the object at `key`, or undefined when there is none. Listed rather than headed:
 * the function may list the bucket, but never read an upload's bytes (nor its metadata).
 */
async function objectSize(deps: SessionDeps, bucket: string, key: string): Promise<number | undefined> {
  const listed = await unavailableOn('S3 ListObjectsV2', () =>
    deps.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 })),
  );
  const found = listed.Contents?.find((object) => object.Key === key);
  return found === undefined ? undefined : (found.Size ?? 0);
}
