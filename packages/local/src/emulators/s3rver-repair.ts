import { type Dirent, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Log } from '../types';

const OBJECT = '._S3rver_object';
const METADATA = '._S3rver_metadata.json';
/** Folders of the patched s3rver's own (hashed keys, writes in progress): it writes them atomically. */
const OWN_FOLDERS = /^\._S3rver_/;

/**
 * Repairs a state folder written by s3rver 3.7.1 before our patch, once, before s3rver starts.
 *
 * Unpatched s3rver wrote an object, then its `.md5`, then its metadata: a process killed in
 * between (a SIGKILL of the local stack), or a key segment too long for a file name beside the
 * metadata's suffix (234–240 bytes), left an object file without metadata or with a truncated
 * one — after which every listing of the bucket answered 500, for good. The patched s3rver writes
 * atomically (temporary file, journal, renames) and stores long segments under hashed names, so
 * it never leaves such an object; an older folder may still hold some. Such an object was never
 * acknowledged to its writer, and S3 keeps no half-written object: it is removed.
 *
 * Total: a file it cannot read, remove or even name (ENAMETOOLONG) is reported and left, never
 * thrown — the repair can never fail a start. Returns the keys removed (`bucket/key` as on disk).
 */
export function repairS3rverStore(dir: string, log: Log): string[] {
  const removed: string[] = [];
  const problem = (what: string, error: unknown) =>
    log.warn(`s3rver store repair: ${what}: ${(error as Error).message ?? String(error)} (left as it is)`);

  const isWholeMetadata = (file: string): boolean => {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      return typeof parsed === 'object' && parsed !== null;
    } catch {
      return false;
    }
  };

  const remove = (file: string): boolean => {
    try {
      rmSync(file, { force: true });
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A sibling whose name would be too long never existed: nothing to remove.
      if (code === 'ENAMETOOLONG') return true;
      problem(`cannot remove ${file}`, error);
      return false;
    }
  };

  const walk = (folder: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      problem(`cannot read ${folder}`, error);
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        // Below a bucket, the patched s3rver's own folders hold nothing of the old format.
        if (depth >= 1 && OWN_FOLDERS.test(entry.name)) continue;
        walk(path, depth + 1);
        continue;
      }
      if (depth < 1 || !entry.name.endsWith(OBJECT)) continue;
      const base = entry.name.slice(0, -OBJECT.length);
      const metadata = `${base}${METADATA}`;
      if (names.has(metadata) && isWholeMetadata(join(folder, metadata))) continue;
      const done = [entry.name, `${entry.name}.md5`, metadata].map((file) => remove(join(folder, file)));
      if (!done[0]) continue;
      const key = relative(dir, join(folder, base));
      removed.push(key);
      log.warn(
        `s3rver: removed ${key}, whose write was cut off (never acknowledged; S3 keeps no half-written object)`,
      );
    }
  };

  try {
    if (existsSync(dir)) walk(dir, 0);
  } catch (error) {
    problem(`cannot look through ${dir}`, error);
  }
  return removed;
}
