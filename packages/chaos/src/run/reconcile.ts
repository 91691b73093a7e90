import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { PROCESSED_PREFIX, processedKeyFor, UPLOADS_PREFIX } from '@streamdrop/events';
import { objectVersionCounts } from '../faults/version-log';
import type { AcceptedUpload } from './driver';

/**
 * Where the run learns which uploads failed with a reason: the failures bucket, as the operator
 * tools read it (`pnpm streamdrop failures list`); the chaos command passes their reader in.
 */
export interface FailureIndex {
  /** Upload id -> the failure that holds it (its id and reason), and how many failures there are. */
  failedUploads(): Promise<{ byUpload: Map<string, { id: string; reason: string }>; count: number }>;
}

export interface Reconciliation {
  accepted: number;
  /** Processed object present, content exactly the expected transform, idempotency metadata right. */
  processedCorrectly: number;
  /** Not processed, but in the failures bucket with a reason. */
  failedWithReason: number;
  /** Neither processed nor in the failures bucket. */
  lost: number;
  /** More than one version of its processed object (it was processed, then processed again). */
  duplicated: number;
  /** A processed object whose content or metadata is not what the upload should have produced. */
  corrupted: number;
  /**
   * Objects under uploads/ that no acknowledged upload and no event on the stream names (stored,
   * then their writer died before publishing them): the lifecycle sweep must have removed them.
   */
  orphans: number;
  /** Where the version counts come from: S3 ListObjectVersions, or the local version log. */
  versionSource: string;
  details: {
    /** `problem`: set when the upload was processed but its stored source is gone (swept, deleted). */
    lost: Array<{ uploadId: string; key: string; problem?: string }>;
    orphans: string[];
    duplicated: Array<{ uploadId: string; key: string; versions: number }>;
    corrupted: Array<{ uploadId: string; key: string; problem: string }>;
    failed: Array<{ uploadId: string; failure: string; reason: string }>;
  };
  /** For the record, not failures: what the API did not acknowledge but exists anyway. */
  info: {
    /** Processed objects of uploads the client never got a 2xx for (the answer was lost, e.g. in a kill). */
    unacknowledgedProcessed: number;
    /** Objects under uploads/ without an acknowledged upload (e.g. stored, then the stack was killed). */
    unacknowledgedUploads: number;
    failureObjects: number;
  };
}

/** Every key under `prefix`, page by page. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/**
 * Accounts for every acknowledged upload: processed exactly right, or failed with a reason — else
 * lost. Also counts duplicates (a processed key written more than once) and corruption.
 */
export async function reconcile(args: {
  accepted: readonly AcceptedUpload[];
  s3: S3Client;
  dataBucket: string;
  failures: FailureIndex;
  versionLogFile?: string;
  /** The keys upload events on the stream name (for orphans); none known when absent. */
  namedByEvents?: ReadonlySet<string>;
}): Promise<Reconciliation> {
  const { s3, dataBucket } = args;
  const processedKeys = new Set(await listKeys(s3, dataBucket, PROCESSED_PREFIX));
  const uploadKeys = await listKeys(s3, dataBucket, UPLOADS_PREFIX);
  const storedUploads = new Set(uploadKeys);
  const { counts: versions, source } = await objectVersionCounts(
    s3,
    dataBucket,
    PROCESSED_PREFIX,
    args.versionLogFile,
  );
  const { byUpload: failures, count: failureObjects } = await args.failures.failedUploads();
  const result: Reconciliation = {
    accepted: args.accepted.length,
    processedCorrectly: 0,
    failedWithReason: 0,
    lost: 0,
    duplicated: 0,
    corrupted: 0,
    orphans: 0,
    versionSource: source,
    details: { lost: [], orphans: [], duplicated: [], corrupted: [], failed: [] },
    info: { unacknowledgedProcessed: 0, unacknowledgedUploads: 0, failureObjects },
  };
  const ackedProcessed = new Set<string>();
  const ackedUploads = new Set<string>();

  await mapLimit(args.accepted, 16, async (upload) => {
    const processed = processedKeyFor(upload.key);
    ackedProcessed.add(processed);
    ackedUploads.add(upload.key);
    const ids = { uploadId: upload.uploadId, key: upload.key };
    // Nothing acknowledged is ever touched: its stored upload stays, whatever the lifecycle sweep did.
    if (!storedUploads.has(upload.key)) {
      result.lost += 1;
      result.details.lost.push({ ...ids, problem: 'its stored upload is gone' });
      return;
    }
    if (processedKeys.has(processed)) {
      const object = await s3.send(new GetObjectCommand({ Bucket: dataBucket, Key: processed }));
      const body = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      const meta = object.Metadata ?? {};
      const problems: string[] = [];
      if (!body.equals(Buffer.from(upload.expected, 'utf8'))) {
        problems.push(
          `content differs (${body.length} bytes, expected ${Buffer.byteLength(upload.expected)})`,
        );
      }
      if (meta['upload-id'] !== upload.uploadId) problems.push(`metadata upload-id is ${meta['upload-id']}`);
      if (meta['source-sha256'] !== upload.sha256)
        problems.push(`metadata source-sha256 is ${meta['source-sha256']}`);
      if (problems.length > 0) {
        result.corrupted += 1;
        result.details.corrupted.push({ ...ids, problem: problems.join('; ') });
      } else result.processedCorrectly += 1;
      const count = versions.get(processed) ?? 1;
      if (count > 1) {
        result.duplicated += 1;
        result.details.duplicated.push({ ...ids, versions: count });
      }
      return;
    }
    const failure = failures.get(upload.uploadId);
    if (failure) {
      result.failedWithReason += 1;
      result.details.failed.push({ uploadId: upload.uploadId, failure: failure.id, reason: failure.reason });
      return;
    }
    result.lost += 1;
    result.details.lost.push(ids);
  });
  for (const key of processedKeys) if (!ackedProcessed.has(key)) result.info.unacknowledgedProcessed += 1;
  for (const key of uploadKeys) {
    if (ackedUploads.has(key)) continue;
    result.info.unacknowledgedUploads += 1;
    if (args.namedByEvents && !args.namedByEvents.has(key)) {
      result.orphans += 1;
      result.details.orphans.push(key);
    }
  }
  return result;
}

/** A cheap fingerprint of the pipeline's visible state, to tell when it has stopped moving. */
export async function pipelineFingerprint(
  s3: S3Client,
  dataBucket: string,
  failuresBucket: string,
): Promise<string> {
  const [processed, failures] = await Promise.all([
    listKeys(s3, dataBucket, PROCESSED_PREFIX),
    listKeys(s3, failuresBucket, ''),
  ]);
  return createHash('sha256')
    .update(processed.sort().join('\n'))
    .update('\0')
    .update(failures.sort().join('\n'))
    .digest('hex');
}

/** Maps `items` through `fn` with at most `limit` calls in flight, keeping their order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (;;) {
        const i = next;
        next += 1;
        if (i >= items.length) return;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}
