import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repairS3rverStore } from '../src/emulators/s3rver-repair';
import { type Log, silentLog } from '../src/types';

const OBJECT = '._S3rver_object';

function store() {
  const dir = mkdtempSync(join(tmpdir(), 'streamdrop-s3rver-'));
  const folder = join(dir, 'bucket', 'uploads', 'u1', 'id1');
  mkdirSync(folder, { recursive: true });
  return { dir, folder };
}

/** What s3rver 3.7.1 left for a key: the object file, then (maybe) its .md5 and metadata. */
function oldObject(folder: string, name: string, metadata: string | undefined, md5 = true) {
  writeFileSync(join(folder, `${name}${OBJECT}`), 'content');
  if (md5) writeFileSync(join(folder, `${name}${OBJECT}.md5`), 'abc');
  if (metadata !== undefined) writeFileSync(join(folder, `${name}._S3rver_metadata.json`), metadata);
}

describe('s3rver store repair (state folders written before the s3rver patch)', () => {
  it('removes objects whose write was cut off (no or truncated metadata) and keeps whole ones', () => {
    const { dir, folder } = store();
    oldObject(folder, 'whole.txt', '{"content-type":"text/plain"}');
    oldObject(folder, 'truncated.txt', '');
    oldObject(folder, 'half.txt', '{"content-ty');
    oldObject(folder, 'no-metadata.txt', undefined);
    writeFileSync(join(dir, 'bucket', '._S3rver_cors.xml'), '<CORSConfiguration/>');

    const removed = repairS3rverStore(dir, silentLog);

    expect(removed.sort()).toEqual(
      ['half.txt', 'no-metadata.txt', 'truncated.txt'].map((n) => join('bucket', 'uploads', 'u1', 'id1', n)),
    );
    expect(readdirSync(folder).sort()).toEqual([
      'whole.txt._S3rver_metadata.json',
      `whole.txt${OBJECT}`,
      `whole.txt${OBJECT}.md5`,
    ]);
    expect(existsSync(join(dir, 'bucket', '._S3rver_cors.xml'))).toBe(true);
    expect(repairS3rverStore(dir, silentLog)).toEqual([]);
  });

  it('removes what a 234–240-byte name left (an object whose metadata file name is too long), without ENAMETOOLONG', () => {
    const { dir, folder } = store();
    // 240 bytes: the object file name fits in 255, its .md5 and metadata siblings never could.
    const longest = `${'é'.repeat(118)}.txt`;
    const shortest = `${'a'.repeat(230)}.txt`;
    expect(Buffer.byteLength(longest)).toBe(240);
    expect(Buffer.byteLength(shortest)).toBe(234);
    oldObject(folder, longest, undefined, false);
    oldObject(folder, shortest, undefined, true);
    oldObject(folder, 'ok.txt', '{}');

    const warnings: string[] = [];
    const log: Log = { ...silentLog, warn: (m) => warnings.push(m) };
    expect(() => repairS3rverStore(dir, log)).not.toThrow();

    expect(readdirSync(folder).filter((f) => f.startsWith('ok.txt')).length).toBe(3);
    expect(readdirSync(folder).filter((f) => !f.startsWith('ok.txt'))).toEqual([]);
    expect(warnings.filter((w) => w.includes('(left as it is)'))).toEqual([]);
  });

  it('never throws: what it cannot remove is reported and left, and the rest is repaired', () => {
    const { dir, folder } = store();
    oldObject(folder, 'odd.txt', undefined);
    // A folder where its metadata file would be: rmSync refuses it without `recursive`.
    mkdirSync(join(folder, 'odd.txt._S3rver_metadata.json'));
    oldObject(folder, 'cut.txt', '{"con');

    const warnings: string[] = [];
    const log: Log = { ...silentLog, warn: (m) => warnings.push(m) };
    let removed: string[] = [];
    expect(() => {
      removed = repairS3rverStore(dir, log);
    }).not.toThrow();
    expect(removed.sort()).toEqual(
      ['cut.txt', 'odd.txt'].map((n) => join('bucket', 'uploads', 'u1', 'id1', n)),
    );
    expect(
      warnings.some((w) => w.includes('odd.txt._S3rver_metadata.json') && w.includes('left as it is')),
    ).toBe(true);
    expect(repairS3rverStore(join(dir, 'does-not-exist'), silentLog)).toEqual([]);
  });

  it('leaves the patched s3rver’s own folders alone (hashed keys, writes in progress, multipart uploads)', () => {
    const { dir } = store();
    for (const own of ['._S3rver_keys', '._S3rver_tmp', '._S3rver_uploads']) {
      const ownDir = join(dir, 'bucket', own);
      mkdirSync(ownDir, { recursive: true });
      writeFileSync(join(ownDir, `0123abcd${OBJECT}`), 'x');
    }
    expect(repairS3rverStore(dir, silentLog)).toEqual([]);
    for (const own of ['._S3rver_keys', '._S3rver_tmp', '._S3rver_uploads'])
      expect(existsSync(join(dir, 'bucket', own, `0123abcd${OBJECT}`))).toBe(true);
  });
});
