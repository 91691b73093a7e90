import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { decodeUploadEvent, processedKeyFor, type UploadEvent } from '@streamdrop/events';
import type { UploadsTable } from '@streamdrop/lambda-kit/uploads-table';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { ProcessorConfig } from './config';
import {
  asPermanentFailure,
  ChecksumMismatchError,
  isMissingObject,
  ProcessorError,
  SourceMissingError,
  SourceNotTransformableError,
  WrongBucketError,
} from './errors';
import { type Invocation, writeFailureRecord } from './failure-record';
import type { ByteBudget } from './limiter';
import type { RecordLogger } from './logger';
import type { ProcessorMetrics } from './metrics';
import { copyUnchanged, type Transform } from './transforms';

/** Smallest part S3 accepts: memory per record stays near (queue size + 1) parts. */
export const UPLOAD_PART_SIZE = 5 * 1024 * 1024;
export const UPLOAD_QUEUE_SIZE = 2;
/** The most source bytes one record buffers, however large its object: the parts in flight. */
export const MAX_BUFFERED_BYTES = (UPLOAD_QUEUE_SIZE + 1) * UPLOAD_PART_SIZE;

export interface ProcessDeps {
  s3: S3Client;
  config: Pick<ProcessorConfig, 'dataBucket' | 'failuresBucket'>;
  transform: Transform;
  now: () => Date;
  logger?: RecordLogger;
  /** Bounds the bytes that records buffer at once (absent: no bound). */
  memory?: ByteBudget;
  metrics?: Pick<ProcessorMetrics, 'processed' | 'skipped' | 'failedPermanently'>;
  /**
   * The table of upload statuses (absent: none is kept). An upload becomes `processed` only once
   * its processed object is whole — on the "already processed" path too, so that a crash between
   * the write and the update heals on redelivery — and `failed` with its failure record's reason.
   */
  statuses?: Pick<UploadsTable, 'get' | 'markProcessed' | 'markFailed'>;
}

/** What the status of a processed upload records: the processed object, and the source's digest. */
export interface Written {
  readonly size: number;
  readonly sha256: string;
  readonly sourceSha256: string;
}

export type RecordOutcome = 'processed' | 'skipped' | 'failed-permanently';

/** Metadata of a processed object its transform could not transform: why it holds the source unchanged. */
export const TRANSFORM_NOTE = 'transform-note';

/**
 * Processes one Kinesis record. A permanent failure is written to the failures bucket and
 * counts as done; only failures worth retrying (or a failure record that could not be
 * written) are thrown.
 */
export async function handleRecord(
  record: KinesisStreamRecord,
  invocation: Invocation,
  deps: ProcessDeps,
): Promise<RecordOutcome> {
  let event: UploadEvent | undefined;
  try {
    event = decodeUploadEvent(record.kinesis.data);
    const { outcome, written } = await writeProcessedTwin(event, deps);
    await recordProcessed(event, written, deps);
    if (outcome === 'processed') deps.metrics?.processed(event, deps.now());
    else deps.metrics?.skipped();
    return outcome;
  } catch (error) {
    // The upload event's requestId is the API request that accepted the upload: the correlation id.
    const ids = { eventID: record.eventID, uploadId: event?.uploadId, requestId: event?.requestId };
    const failure = asPermanentFailure(error);
    if (!failure) {
      deps.logger?.error('record failed, it will be retried', { ...ids, error });
      throw error;
    }
    deps.logger?.warn('record failed permanently, writing a failure record', {
      ...ids,
      errorName: failure.name,
      reason: failure.reason,
    });
    // A source that is gone was deleted: whatever an earlier delivery wrote for it goes too.
    if (failure instanceof SourceMissingError && event)
      await dropTwin(event, processedKeyFor(event.key), deps);
    await writeFailureRecord({ record, event, failure, invocation, failedAt: deps.now() }, deps);
    // After the failure record: `failed` is never shown without the record that says why.
    if (event && deps.statuses) await deps.statuses.markFailed(event.userSub, event.uploadId, failure.reason);
    deps.metrics?.failedPermanently();
    return 'failed-permanently';
  }
}

/**
 * Marks the upload processed, once its processed object is whole. On the skip path the twin was
 * written earlier: if the status does not say so yet (the writer died before its update), the
 * twin is read once to learn its digest, and the status is healed. When no status can be marked
 * because the upload was deleted meanwhile, the twin goes too (`dropTwinOfDeletedUpload`).
 */
async function recordProcessed(
  event: UploadEvent,
  written: Written | undefined,
  deps: ProcessDeps,
): Promise<void> {
  const statuses = deps.statuses;
  if (!statuses) return;
  const key = processedKeyFor(event.key);
  let digest = written;
  if (digest === undefined) {
    const current = await statuses.get(event.userSub, event.uploadId);
    if (current?.status === 'processed' && current.processed?.key === key) return;
    if (current) digest = await digestOf(deps.s3, deps.config.dataBucket, key, event);
  }
  const marked =
    digest !== undefined && (await statuses.markProcessed(event.userSub, event.uploadId, { key, ...digest }));
  if (!marked) await dropTwinOfDeletedUpload(event, key, deps);
}

/**
 * No status could be marked: the upload has no item (older than the table, expired, or deleted)
 * or a `DELETE` has begun. A `DELETE` removes the source first, so a source that is gone means
 * the upload was deleted while this record was processed, and the processed object written for
 * it must not outlive it. A source still there leaves the twin alone (a `DELETE` in progress
 * removes it after the source).
 */
async function dropTwinOfDeletedUpload(event: UploadEvent, key: string, deps: ProcessDeps): Promise<void> {
  try {
    await deps.s3.send(new HeadObjectCommand({ Bucket: deps.config.dataBucket, Key: event.key }));
    return;
  } catch (error) {
    if (!isMissingObject(error)) throw error; // transient: the record is retried, and this check with it
  }
  await dropTwin(event, key, deps);
}

/** Deletes the processed object of an upload whose source is gone: it must not outlive it. */
async function dropTwin(event: UploadEvent, key: string, deps: ProcessDeps): Promise<void> {
  await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.config.dataBucket, Key: key }));
  deps.logger?.info(
    'the upload is gone (deleted while it was processed); its processed object is removed too',
    {
      uploadId: event.uploadId,
      key,
    },
  );
}

/** The size and sha256 of a twin written earlier, read back (the rare path of a healed status). */
async function digestOf(s3: S3Client, bucket: string, key: string, event: UploadEvent): Promise<Written> {
  const body = await getSourceBody(s3, bucket, key);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex'), sourceSha256: event.sha256 ?? NOT_DECLARED };
}

/**
 * The `source-sha256` metadata of a direct upload that declared no digest: the metadata goes out
 * before the bytes are read, so it cannot hold the computed one (the status does). Such an upload's
 * key is never written twice (If-None-Match), so its id alone tells one source from another.
 */
export const NOT_DECLARED = 'not-declared';

/** How the processed object may be written: only if absent, or only over the twin we looked at. */
type WriteCondition = { readonly IfNoneMatch: '*' } | { readonly IfMatch: string };
const CREATE_ONLY: WriteCondition = { IfNoneMatch: '*' };

/** Conditional writes of one record that may lose to another writer before it goes back to be retried. */
export const MAX_WRITE_ATTEMPTS = 3;

/** The metadata that says which upload, and which transform, a processed object was made from. */
const IDENTITY = ['upload-id', 'source-sha256', 'transform'] as const;

/**
 * Writes the processed twin of an upload (`processed/...` for `uploads/...`), unless one made
 * from the same upload by the same transform is already there.
 *
 * The write itself is the check: S3 creates the object only if the key is absent
 * (`If-None-Match: *`), so the normal path is two calls, GetObject and PutObject, and two
 * deliveries of one record can never both write. A 412 means a twin exists; one HeadObject then
 * says whether it is this upload's (skipped) or an older one (another transform, another source),
 * which is replaced, but only while it is still that object (`If-Match: <its ETag>`). A 409 means
 * another conditional write of the key is under way: look again the same way.
 */
export async function writeProcessedTwin(
  event: UploadEvent,
  deps: Omit<ProcessDeps, 'now'>,
): Promise<{ outcome: 'processed' | 'skipped'; written?: Written }> {
  const { s3, logger } = deps;
  const bucket = deps.config.dataBucket;
  if (event.bucket !== bucket) throw new WrongBucketError(event.bucket);
  const key = processedKeyFor(event.key);
  const metadata: Record<string, string> = {
    'upload-id': event.uploadId,
    'source-sha256': event.sha256 ?? NOT_DECLARED,
    // Metadata travels in HTTP headers, which must be ASCII; filenames need not be.
    'source-key': encodeURI(event.key),
    transform: deps.transform.name,
  };
  const skip = () => {
    logger?.info('already processed, skipping', {
      uploadId: event.uploadId,
      requestId: event.requestId,
      key,
    });
    return { outcome: 'skipped' as const };
  };

  let condition = CREATE_ONLY;
  // A source larger than one part is looked up first: redelivered, it would otherwise be read and
  // uploaded whole before S3 refused to complete it. One HeadObject is cheap next to its parts.
  if (event.size > UPLOAD_PART_SIZE) {
    const twin = await headTwin(s3, bucket, key);
    if (twin && isSameUpload(twin.metadata, metadata)) return skip();
    if (twin) condition = { IfMatch: twin.etag };
  }

  // A small object is buffered whole (one PutObject), a large one a few parts at a time.
  const buffered = Math.min(event.size, MAX_BUFFERED_BYTES);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const write = () => transformInto(key, metadata, condition, event, deps);
      const written = await (deps.memory ? deps.memory(buffered, write) : write());
      logger?.info('processed', {
        uploadId: event.uploadId,
        requestId: event.requestId,
        key,
        size: written.size,
      });
      return { outcome: 'processed', written };
    } catch (error) {
      if (!isConditionLost(error)) throw error;
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        throw new ProcessorError(`${key} kept changing while it was written; the record will be retried`, {
          cause: error,
        });
      }
    }
    const twin = await headTwin(s3, bucket, key);
    if (!twin) {
      condition = CREATE_ONLY; // deleted since: create it
    } else if (isSameUpload(twin.metadata, metadata)) {
      return skip();
    } else {
      logger?.info('replacing a processed object made from another upload or transform', {
        uploadId: event.uploadId,
        requestId: event.requestId,
        key,
        found: Object.fromEntries(IDENTITY.map((name) => [name, twin.metadata[name]])),
      });
      condition = { IfMatch: twin.etag };
    }
  }
}

/**
 * Streams the source through the transform into `key`, checking its sha256 on the way. When the
 * transform finds it cannot transform the source faithfully, the source is read again and stored
 * unchanged, with the transform's note in `transform-note`: copied, never corrupted.
 */
async function transformInto(
  key: string,
  metadata: Record<string, string>,
  condition: WriteCondition,
  event: UploadEvent,
  deps: Omit<ProcessDeps, 'now'>,
): Promise<Written> {
  try {
    return await streamInto(key, metadata, condition, event, deps, (input) =>
      deps.transform.transform(input, { contentType: event.contentType }),
    );
  } catch (error) {
    if (!(error instanceof SourceNotTransformableError)) throw error;
    deps.logger?.warn('the transform cannot transform this upload; storing it unchanged', {
      uploadId: event.uploadId,
      requestId: event.requestId,
      key,
      note: error.note,
    });
    return await streamInto(
      key,
      { ...metadata, [TRANSFORM_NOTE]: error.note },
      condition,
      event,
      deps,
      copyUnchanged,
    );
  }
}

/** Streams the source through `write` into `key` under `condition`, checking its sha256 on the way. */
async function streamInto(
  key: string,
  metadata: Record<string, string>,
  condition: WriteCondition,
  event: UploadEvent,
  { s3, config }: Omit<ProcessDeps, 'now'>,
  write: (input: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>,
): Promise<Written> {
  const bucket = config.dataBucket;
  const body = await getSourceBody(s3, bucket, event.key);
  const source = { sha256: '' };
  const out = { hash: createHash('sha256'), size: 0 };
  const output = Readable.from(measured(write(verifySha256(body, event, source)), out));
  // lib-storage passes the condition to PutObject (one part) and to CompleteMultipartUpload; S3
  // takes no condition on CreateMultipartUpload or UploadPart, and their requests leave it out.
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: key,
      Body: output,
      ContentType: event.contentType,
      Metadata: metadata,
      ...condition,
    },
    partSize: UPLOAD_PART_SIZE,
    queueSize: UPLOAD_QUEUE_SIZE,
    leavePartsOnError: false,
  });
  try {
    // A mismatch makes the source stream fail before its end, so lib-storage never sends the
    // last PutObject / CompleteMultipartUpload and aborts any multipart upload it began.
    await upload.done();
    return { size: out.size, sha256: out.hash.digest('hex'), sourceSha256: source.sha256 };
  } catch (error) {
    // A refused CompleteMultipartUpload leaves its upload open (S3 keeps the parts): abort it.
    if (isConditionLost(error) && upload.uploadId !== undefined) {
      await s3
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: upload.uploadId }))
        .catch(() => undefined); // the bucket's lifecycle rule aborts it within 7 days anyway
    }
    throw error;
  } finally {
    // Insurance: however the upload ended, the source's connection must not stay open.
    output.destroy();
    body.destroy();
  }
}

/** True when S3 refused a conditional write: 412 (the condition is false) or 409 (a concurrent one). */
function isConditionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    error.name === 'PreconditionFailed' ||
    error.name === 'ConditionalRequestConflict' ||
    status === 412 ||
    status === 409
  );
}

function isSameUpload(found: Record<string, string>, expected: Record<string, string>): boolean {
  return IDENTITY.every((name) => found[name] === expected[name]);
}

/** The processed object's metadata and ETag, or `undefined` when there is none. */
async function headTwin(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ metadata: Record<string, string>; etag: string } | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (head.ETag === undefined) throw new ProcessorError(`HeadObject ${key} answered without an ETag`);
    return { metadata: head.Metadata ?? {}, etag: head.ETag };
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

async function getSourceBody(s3: S3Client, bucket: string, key: string): Promise<Readable> {
  let body: unknown;
  try {
    body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body;
  } catch (error) {
    if (isMissingObject(error)) throw new SourceMissingError(key, error);
    throw error;
  }
  if (!(body instanceof Readable)) throw new ProcessorError(`GetObject ${key} returned no readable body`);
  return body;
}

/**
 * Passes the bytes through and fails at the end when their sha256 is not the one the event
 * declares; a direct upload that declared none has its digest computed (into `computed`).
 */
async function* verifySha256(
  source: AsyncIterable<Uint8Array>,
  event: UploadEvent,
  computed: { sha256: string },
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
  const actual = hash.digest('hex');
  if (event.sha256 !== undefined && actual !== event.sha256) {
    throw new ChecksumMismatchError(event.key, event.sha256, actual);
  }
  computed.sha256 = actual;
}

/** Passes the output through, counting its bytes and hashing them. */
async function* measured(
  output: AsyncIterable<Uint8Array>,
  into: { hash: ReturnType<typeof createHash>; size: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of output) {
    into.hash.update(chunk);
    into.size += chunk.length;
    yield chunk;
  }
}
