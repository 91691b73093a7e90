import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type LifecycleRule, selects } from './rules';

/** What one sweep did. */
export interface SweepReport {
  /** When the sweep began (epoch ms): every object old enough at this moment was considered. */
  startedAt: number;
  finishedAt: number;
  /** The clock the rules were evaluated against (epoch ms; `startedAt` unless a test moves it). */
  now: number;
  expired: Array<{ bucket: string; key: string; rule: string }>;
  aborted: Array<{ bucket: string; key: string; uploadId: string; rule: string }>;
  /** Objects or uploads a rule selected but the sweep could not remove (tried again next time). */
  errors: Array<{ bucket: string; key: string; rule: string; error: string }>;
}

export interface SweepOptions {
  s3: S3Client;
  rules: readonly LifecycleRule[];
  /** How long a "day" of the rules lasts, in ms (a real day by default; shorter in tests and chaos). */
  dayMs: number;
  /** The clock (default: now). */
  now?: number;
}

const CONCURRENCY = 8;

async function eachLimited<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** The tags of an object, or undefined when it is gone. */
async function tagsOf(s3: S3Client, bucket: string, key: string) {
  try {
    const out = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    return (out.TagSet ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * Carries out the lifecycle rules once, as S3 would at `now`: every current object a rule selects
 * (prefix, size, tags) whose age — from its LastModified — has reached the rule's days (or whose
 * date has passed) is deleted; every multipart upload older than its rule's days is aborted. Ages
 * are checked before tags, so only objects old enough cost a tag lookup; an object's tags are read
 * just before it is deleted, never from an older look.
 */
export async function sweepLifecycle(options: SweepOptions): Promise<SweepReport> {
  const { s3, dayMs } = options;
  const startedAt = Date.now();
  const now = options.now ?? startedAt;
  const report: SweepReport = { startedAt, finishedAt: startedAt, now, expired: [], aborted: [], errors: [] };
  for (const rule of options.rules) {
    if (!rule.enabled) continue;
    const { bucket } = rule;
    const fail = (key: string, error: unknown) =>
      report.errors.push({ bucket, key, rule: rule.id, error: (error as Error).message ?? String(error) });

    const expiresAfterMs = rule.expirationDays !== undefined ? rule.expirationDays * dayMs : undefined;
    if (expiresAfterMs !== undefined || rule.expirationDate !== undefined) {
      const due = (lastModified: number) =>
        (expiresAfterMs !== undefined && lastModified + expiresAfterMs <= now) ||
        (rule.expirationDate !== undefined && rule.expirationDate <= now);
      const candidates: Array<{ key: string; size: number }> = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: rule.prefix || undefined,
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) {
          const key = object.Key ?? '';
          const size = object.Size ?? 0;
          if (due(object.LastModified?.getTime() ?? now) && selects({ ...rule, tags: [] }, { key, size }))
            candidates.push({ key, size });
        }
        token = page.NextContinuationToken;
      } while (token);
      await eachLimited(candidates, async ({ key, size }) => {
        try {
          if (rule.tags.length > 0) {
            const tags = await tagsOf(s3, bucket, key);
            if (!tags || !selects(rule, { key, size, tags })) return;
          }
          await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
          report.expired.push({ bucket, key, rule: rule.id });
        } catch (error) {
          fail(key, error);
        }
      });
    }

    if (rule.abortIncompleteDays !== undefined) {
      const abortAfterMs = rule.abortIncompleteDays * dayMs;
      const old: Array<{ key: string; uploadId: string }> = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      for (;;) {
        const page = await s3.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: rule.prefix || undefined,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
        for (const upload of page.Uploads ?? []) {
          const initiated = upload.Initiated?.getTime() ?? now;
          if (initiated + abortAfterMs <= now && upload.Key && upload.UploadId)
            old.push({ key: upload.Key, uploadId: upload.UploadId });
        }
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        uploadIdMarker = page.NextUploadIdMarker;
      }
      await eachLimited(old, async ({ key, uploadId }) => {
        try {
          await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
          report.aborted.push({ bucket, key, uploadId, rule: rule.id });
        } catch (error) {
          if ((error as { name?: string }).name !== 'NoSuchUpload') fail(key, error);
        }
      });
    }
  }
  report.finishedAt = Date.now();
  return report;
}
