import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import {
  DeleteObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DIRECT_UPLOAD, IDEMPOTENCY, UPLOAD_STATE_TAG, uploadStateTagging } from '@streamdrop/config';
import {
  decodeContent,
  defaultContentType,
  encodeUploadEvent,
  parseUploadRequest,
  UPLOAD_STATUSES,
  type UploadEventV1,
  type UploadResponse,
  uploadKey,
  ValidationError,
} from '@streamdrop/events';
import { HttpError, PayloadTooLargeError, parseJsonBody, UnauthorizedError } from '@streamdrop/lambda-kit';
import type { UploadsTable } from '@streamdrop/lambda-kit/uploads-table';
import type { Config } from './config';
import { ServiceUnavailableError } from './errors';
import {
  claim,
  complete,
  type IdempotencyDeps,
  idempotentUploadId,
  parseIdempotencyKey,
  release,
  requestFingerprint,
} from './idempotency';
import type { UploadMetrics } from './metrics';
import type { UploadInput } from './upload-input';

export const ACCEPTED_MESSAGE = 'Upload accepted; it will be processed shortly.';

// Room for the JSON around the content: field names, a filename of up to 255 bytes even when
// every byte is \u-escaped, the content type, whitespace.
const JSON_SLACK_BYTES = 16 * 1024;

export interface UploadDeps {
  s3: Pick<S3Client, 'send'>;
  kinesis: Pick<KinesisClient, 'send'>;
  config: Pick<Config, 'dataBucket' | 'streamName' | 'maxUploadBytes'> &
    Partial<Pick<Config, 'idempotencyTtlSeconds'>>;
  now(): Date;
  newId(): string;
  logger?: Pick<Logger, 'info' | 'error'>;
  metrics?: Pick<UploadMetrics, 'accepted' | 'replayed' | 'refused' | 'flush'>;
  /**
   * The table of upload statuses, when the function has one: the upload is recorded there
   * (`awaiting-upload` before it is stored, `queued` once its event is out), so that
   * `GET /uploads` lists inline uploads too. Without it the path is exactly what it was.
   */
  statuses?: () => UploadsTable | undefined;
}

/**
 * The largest raw body that can carry `maxUploadBytes` of content: base64 of the content plus
 * the JSON around it. Text content with many escapes may need more; it is still refused, as it
 * would come close to Lambda's 6 MB payload limit anyway, and binary belongs in base64.
 */
export function maxBodyBytes(maxUploadBytes: number): number {
  return Math.ceil(maxUploadBytes / 3) * 4 + JSON_SLACK_BYTES;
}

function keyFor(userSub: string, uploadId: string, filename: string): string {
  try {
    return uploadKey({ userSub, uploadId, filename });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // The authorizer vouched for this sub, but it cannot name a folder: not a caller we can serve.
    if (error.issues.some((issue) => issue.startsWith('userSub:'))) {
      throw new UnauthorizedError('the caller identity cannot be used', { cause: error });
    }
    // The schema already checked the filename; a bad uploadId is our own bug, hence a 500.
    throw error;
  }
}

export interface UploadOutcome {
  response: UploadResponse;
  /** True when an Idempotency-Key matched an earlier request: nothing new was stored or published. */
  replayed: boolean;
}

/**
 * Handles `POST /uploads`: stores the file under `uploads/<sub>/<id>/<filename>` and publishes
 * upload event v1. Resolves only once both are durable (or with the first answer again, for a
 * repeated Idempotency-Key); throws an HttpError otherwise.
 *
 * The object is stored tagged `streamdrop-state=pending` and re-tagged `complete` once its event
 * is published, before the 202: an acknowledged upload is never pending, and the data bucket's
 * lifecycle rule expires what stays pending (a writer that died half-way), so nothing this path
 * leaves behind lives forever. Whatever fails after the object was stored rolls it back.
 */
export async function acceptUpload(input: UploadInput, deps: UploadDeps): Promise<UploadOutcome> {
  // Read every setting before anything is stored, so a deployment mistake cannot leave an orphan.
  const { dataBucket: bucket, streamName, maxUploadBytes } = deps.config;

  if (!input.userSub) throw new UnauthorizedError();
  const userSub = input.userSub;
  const request = parseJsonBody(input, parseUploadRequest, {
    expected: 'a JSON object with filename and content',
    limit: {
      maxBytes: maxBodyBytes(maxUploadBytes),
      message: `request body is too large: content is limited to ${maxUploadBytes} bytes`,
    },
  });
  const bytes = decodeContent(request);
  if (bytes.length > maxUploadBytes) {
    throw new PayloadTooLargeError(`content must be at most ${maxUploadBytes} bytes (got ${bytes.length})`);
  }

  const idempotencyKey = parseIdempotencyKey(input.idempotencyKey);
  const uploadId = idempotencyKey ? idempotentUploadId(userSub, idempotencyKey) : deps.newId();
  const key = keyFor(userSub, uploadId, request.filename);
  const digest = createHash('sha256').update(bytes).digest();
  const sha256 = digest.toString('hex');
  const contentType = request.contentType ?? defaultContentType(request.encoding);
  const idempotency: IdempotencyDeps = {
    s3: deps.s3,
    bucket,
    ttlSeconds: deps.config.idempotencyTtlSeconds ?? IDEMPOTENCY.defaultTtlSeconds,
    now: deps.now,
  };
  const fingerprint = requestFingerprint({ filename: request.filename, contentType, sha256 });
  let claimEtag: string | undefined;
  if (idempotencyKey) {
    const claimed = await withUnavailable('idempotency record', () =>
      claim(idempotency, { userSub: userSub, key: idempotencyKey, fingerprint, uploadId }),
    );
    if (claimed.kind === 'replay') {
      deps.logger?.info('idempotent replay', { uploadId, requestId: input.requestId });
      deps.metrics?.replayed();
      return { response: claimed.response, replayed: true };
    }
    claimEtag = claimed.etag;
  }
  try {
    const response = await storeAndPublish();
    if (idempotencyKey) {
      await complete(idempotency, { userSub, key: idempotencyKey, fingerprint, response, claimEtag }).catch(
        (error: unknown) =>
          // The upload is durable; a retry with the key will take over the stale claim and
          // re-publish the same upload id, which the idempotent processor folds into one object.
          deps.logger?.error('could not record the idempotent response', {
            uploadId,
            requestId: input.requestId,
            error,
          }),
      );
    }
    return { response, replayed: false };
  } catch (error) {
    if (idempotencyKey) {
      // Free the key so that the client's retry with it is not told "in progress".
      await release(idempotency, { userSub: userSub, key: idempotencyKey }).catch((releaseError: unknown) =>
        deps.logger?.error('could not release an idempotency key', {
          requestId: input.requestId,
          error: releaseError,
        }),
      );
    }
    throw error;
  }

  async function storeAndPublish(): Promise<UploadResponse> {
    const event: UploadEventV1 = {
      version: 1,
      uploadId,
      bucket,
      key,
      size: bytes.length,
      contentType,
      sha256,
      uploadedAt: deps.now().toISOString(),
      requestId: input.requestId,
      userSub: userSub,
    };
    // Encoded (and so validated) before the object is stored, for the same reason as above.
    const data = encodeUploadEvent(event);

    // Recorded first, so that whatever is stored has an item: awaiting-upload with a time to live
    // until its event is out. A rollback below removes it with the object.
    const statuses = deps.statuses?.();
    if (statuses) {
      const expiresAtEpoch = Math.ceil(deps.now().getTime() / 1000) + DIRECT_UPLOAD.completionGraceSeconds;
      await withUnavailable('status record', () =>
        statuses.create(
          {
            userSub,
            uploadId,
            createdAt: event.uploadedAt,
            filename: request.filename,
            key,
            size: bytes.length,
            contentType,
            sha256,
            status: UPLOAD_STATUSES.awaitingUpload,
            origin: 'inline',
          },
          expiresAtEpoch,
        ),
      );
    }
    const forget = async () => {
      await statuses?.delete(userSub, uploadId).catch((error: unknown) =>
        deps.logger?.error('could not remove the status of a rolled-back upload', {
          uploadId,
          requestId: input.requestId,
          error,
        }),
      );
    };

    let versionId: string | undefined;
    try {
      const stored = await deps.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: contentType,
          ContentLength: bytes.length,
          Metadata: { 'upload-id': uploadId, sha256, 'user-sub': userSub },
          // S3 recomputes the digest and refuses the object if a byte changed on the way.
          ChecksumSHA256: digest.toString('base64'),
          // Not acknowledged yet: if this invocation dies before the re-tag below, the
          // lifecycle rule removes the object once no event can name it any more.
          Tagging: uploadStateTagging(UPLOAD_STATE_TAG.pending),
        }),
      );
      versionId = stored.VersionId;
    } catch (error) {
      await forget();
      throw new ServiceUnavailableError('S3 PutObject failed', { cause: error });
    }

    try {
      await deps.kinesis.send(
        new PutRecordCommand({ StreamName: streamName, PartitionKey: uploadId, Data: data }),
      );
    } catch (error) {
      // The caller hears 503 and will retry under a new uploadId, so an object without an event
      // would be an orphan that nothing ever processes or cleans up. Remove it rather than mark
      // it: marking needs a sweeper and keeps data the caller was told we did not take. Deleting
      // the exact version leaves nothing behind in a versioned bucket (a plain delete there only
      // adds a delete marker). If PutRecord in fact succeeded unseen, the processor finds no
      // object and records the failure in the failures bucket.
      await rollback(deps, bucket, key, versionId, input.requestId);
      await forget();
      throw new ServiceUnavailableError('Kinesis PutRecord failed; the stored object was rolled back', {
        cause: error,
      });
    }
    // The event is out: queued, unless the processor was quicker (its status stays).
    await statuses?.markQueued(userSub, uploadId, event.uploadedAt).catch((error: unknown) =>
      deps.logger?.error('upload event published, but its status could not be set to queued', {
        uploadId,
        requestId: input.requestId,
        error,
      }),
    );

    try {
      await deps.s3.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: key,
          ...(versionId ? { VersionId: versionId } : {}),
          Tagging: { TagSet: [{ Key: UPLOAD_STATE_TAG.key, Value: UPLOAD_STATE_TAG.complete }] },
        }),
      );
    } catch (error) {
      // The event is out, but a 202 for an object still pending would be a promise the
      // lifecycle rule breaks days later. So the caller hears 503, as if PutRecord had failed,
      // and the object is rolled back the same way: the event then meets no source, and the
      // processor records that in the failures bucket (unless it was quicker than this rollback,
      // in which case the twin it wrote stays, as for any upload whose answer was lost).
      deps.logger?.error('upload event published but the object could not be marked complete', {
        uploadId,
        key,
        requestId: input.requestId,
        error,
      });
      await rollback(deps, bucket, key, versionId, input.requestId);
      await forget();
      throw new ServiceUnavailableError(
        'S3 PutObjectTagging failed after PutRecord; the stored object was rolled back',
        { cause: error },
      );
    }

    deps.logger?.info('upload accepted', {
      uploadId,
      key,
      size: bytes.length,
      contentType,
      requestId: input.requestId,
    });
    deps.metrics?.accepted(bytes.length);
    return {
      message: ACCEPTED_MESSAGE,
      uploadId,
      file_key: key,
      s3: { bucket, key },
      requestId: input.requestId,
    };
  }
}

async function withUnavailable<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new ServiceUnavailableError(`S3 failed on the ${what}`, { cause: error });
  }
}

async function rollback(
  deps: UploadDeps,
  bucket: string,
  key: string,
  versionId: string | undefined,
  requestId: string,
): Promise<void> {
  try {
    await deps.s3.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
  } catch (error) {
    deps.logger?.error('rollback failed: an uploaded object has no upload event', {
      bucket,
      key,
      versionId,
      requestId,
      error,
    });
  }
}
