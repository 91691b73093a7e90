import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';

/** One object version a function wrote (or a delete it made), as the S3 fault proxy saw S3 accept it. */
export interface VersionLogEntry {
  at: string;
  bucket: string;
  key: string;
  /** put: PutObject; copy: CopyObject; complete: CompleteMultipartUpload; delete: DeleteObject. */
  op: 'put' | 'copy' | 'complete' | 'delete';
  etag?: string;
}

/**
 * s3rver has no versioning, so ListObjectVersions cannot tell how many times a key was written.
 * The version log stands in for it: one JSON line per object version the functions wrote,
 * appended synchronously before the writer hears S3's answer, so that it survives a SIGKILL.
 */
export interface VersionLog {
  file: string;
  append(entry: VersionLogEntry): void;
}

export const versionLogPath = (stateDir: string) => join(stateDir, 's3-versions.jsonl');

export function openVersionLog(file: string): VersionLog {
  mkdirSync(dirname(file), { recursive: true });
  return {
    file,
    append(entry) {
      appendFileSync(file, `${JSON.stringify(entry)}\n`);
    },
  };
}

/** Every entry of a version log; a line torn by a kill mid-write is skipped. */
export function readVersionLog(file: string): VersionLogEntry[] {
  if (!existsSync(file)) return [];
  const entries: VersionLogEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as Partial<VersionLogEntry>;
      if (typeof entry.bucket === 'string' && typeof entry.key === 'string' && typeof entry.op === 'string') {
        entries.push(entry as VersionLogEntry);
      }
    } catch {
      // torn line
    }
  }
  return entries;
}

function isNotImplemented(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'NotImplemented' ||
    e.name === 'MethodNotAllowed' ||
    e.$metadata?.httpStatusCode === 405 ||
    e.$metadata?.httpStatusCode === 501
  );
}

/**
 * How many versions each key under `prefix` has: from S3's ListObjectVersions (a versioned bucket
 * on AWS), or — where the server does not implement it, as s3rver — from the local version log.
 */
export async function objectVersionCounts(
  s3: S3Client,
  bucket: string,
  prefix: string,
  versionLogFile?: string,
): Promise<{ counts: Map<string, number>; source: 'ListObjectVersions' | 'version log' }> {
  const counts = new Map<string, number>();
  try {
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, VersionIdMarker }),
      );
      for (const v of page.Versions ?? []) if (v.Key) counts.set(v.Key, (counts.get(v.Key) ?? 0) + 1);
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (KeyMarker);
    return { counts, source: 'ListObjectVersions' };
  } catch (error) {
    if (!isNotImplemented(error) || !versionLogFile) throw error;
  }
  for (const entry of readVersionLog(versionLogFile)) {
    if (entry.bucket !== bucket || !entry.key.startsWith(prefix) || entry.op === 'delete') continue;
    counts.set(entry.key, (counts.get(entry.key) ?? 0) + 1);
  }
  return { counts, source: 'version log' };
}
