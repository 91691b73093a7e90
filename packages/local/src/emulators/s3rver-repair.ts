import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Log } from '../types';

const OBJECT = '._S3rver_object';
const METADATA = '._S3rver_metadata.json';

/**
 * S3 stores a PUT atomically; s3rver writes the object file, then its `.md5`, then its metadata,
 * and answers only after the last. A process killed in between (SIGKILL of the local stack)
 * leaves an object without metadata or with a truncated metadata file — and s3rver then answers
 * 500 to every listing of the bucket, HeadBucket included, for good. Such an object was never
 * acknowledged to its writer, so it is removed, as S3 would never have kept it. Runs before
 * s3rver starts; returns the keys removed (`bucket/key` as stored on disk).
 */
export function repairS3rverStore(dir: string, log: Log): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  const walk = (folder: string) => {
    const entries = readdirSync(folder, { withFileTypes: true });
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      if (!entry.name.endsWith(OBJECT)) continue;
      const base = entry.name.slice(0, -OBJECT.length);
      const metadata = `${base}${METADATA}`;
      let complete = names.has(metadata);
      if (complete) {
        try {
          JSON.parse(readFileSync(join(folder, metadata), 'utf8'));
        } catch {
          complete = false;
        }
      }
      if (complete) continue;
      for (const file of [entry.name, `${entry.name}.md5`, metadata])
        rmSync(join(folder, file), { force: true });
      const key = relative(dir, join(folder, base));
      removed.push(key);
      log.warn(
        `s3rver: removed ${key}, whose write was cut off when the stack was killed (never acknowledged; S3 keeps no half-written object)`,
      );
    }
  };
  walk(dir);
  return removed;
}
