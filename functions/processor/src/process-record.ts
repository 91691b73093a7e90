import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { decodeUploadEvent, processedKeyFor, type UploadEventV1 } from '@streamdrop/events';
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
  let event: UploadEventV1 | undefined;
  try {
    event = decodeUploadEvent(record.kinesis.data);
    return await writeProcessedTwin(event, deps);
  } catch (error) {
    const ids = { eventID: record.eventID, uploadId: event?.uploadId };
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
    await writeFailureRecord({ record, event, failure, invocation, failedAt: deps.now() }, deps);
    return 'failed-permanently';
  }
}

/**
 * Writes the processed twin of an upload (`processed/...` for `uploads/...`), unless one made
 * from the same upload by the same transform is already there.
 */
export async function writeProcessedTwin(
  event: UploadEventV1,
  deps: Omit<ProcessDeps, 'now'>,
): Promise<'processed' | 'skipped'> {
  const { s3, logger } = deps;
  const bucket = deps.config.dataBucket;
  if (event.bucket !== bucket) throw new WrongBucketError(event.bucket);
  const key = processedKeyFor(event.key);
  const metadata: Record<string, string> = {
    'upload-id': event.uploadId,
    'source-sha256': event.sha256,
    // Metadata travels in HTTP headers, which must be ASCII; filenames need not be.
    'source-key': encodeURI(event.key),
    transform: deps.transform.name,
  };

  if (await isAlreadyProcessed(s3, bucket, key, metadata)) {
    logger?.info('already processed, skipping', { uploadId: event.uploadId, key });
    return 'skipped';
  }

  // A small object is buffered whole (one PutObject), a large one a few parts at a time.
  const buffered = Math.min(event.size, MAX_BUFFERED_BYTES);
  const write = () => transformInto(key, metadata, event, deps);
  await (deps.memory ? deps.memory(buffered, write) : write());
  logger?.info('processed', { uploadId: event.uploadId, key });
  return 'processed';
}

/**
 * Streams the source through the transform into `key`, checking its sha256 on the way. When the
 * transform finds it cannot transform the source faithfully, the source is read again and stored
 * unchanged, with the transform's note in `transform-note`: copied, never corrupted.
 */
async function transformInto(
  key: string,
  metadata: Record<string, string>,
  event: UploadEventV1,
  deps: Omit<ProcessDeps, 'now'>,
): Promise<void> {
  try {
    await streamInto(key, metadata, event, deps, (input) =>
      deps.transform.transform(input, { contentType: event.contentType }),
    );
  } catch (error) {
    if (!(error instanceof SourceNotTransformableError)) throw error;
    deps.logger?.warn('the transform cannot transform this upload; storing it unchanged', {
      uploadId: event.uploadId,
      key,
      note: error.note,
    });
    await streamInto(key, { ...metadata, [TRANSFORM_NOTE]: error.note }, event, deps, copyUnchanged);
  }
}

/** Streams the source through `write` into `key`, checking its sha256 on the way. */
async function streamInto(
  key: string,
  metadata: Record<string, string>,
  event: UploadEventV1,
  { s3, config }: Omit<ProcessDeps, 'now'>,
  write: (input: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>,
): Promise<void> {
  const bucket = config.dataBucket;
  const body = await getSourceBody(s3, bucket, event.key);
  const output = Readable.from(write(verifySha256(body, event)));
  try {
    // A mismatch makes the source stream fail before its end, so lib-storage never sends the
    // last PutObject / CompleteMultipartUpload and aborts any multipart upload it began.
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: key, Body: output, ContentType: event.contentType, Metadata: metadata },
      partSize: UPLOAD_PART_SIZE,
      queueSize: UPLOAD_QUEUE_SIZE,
      leavePartsOnError: false,
    }).done();
  } finally {
    // Insurance: however the upload ended, the source's connection must not stay open.
    output.destroy();
    body.destroy();
  }
}

async function isAlreadyProcessed(
  s3: S3Client,
  bucket: string,
  key: string,
  expected: Record<string, string>,
): Promise<boolean> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const found = head.Metadata ?? {};
    return ['upload-id', 'source-sha256', 'transform'].every((name) => found[name] === expected[name]);
  } catch (error) {
    if (isMissingObject(error)) return false;
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

/** Passes the bytes through and fails at the end when their sha256 is not the event's. */
async function* verifySha256(
  source: AsyncIterable<Uint8Array>,
  event: UploadEventV1,
): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
  const actual = hash.digest('hex');
  if (actual !== event.sha256) throw new ChecksumMismatchError(event.key, event.sha256, actual);
}
