import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repairS3rverStore } from '../src/emulators/s3rver-repair';
import { silentLog } from '../src/types';

describe('s3rver store repair after a kill', () => {
  it('removes objects whose write was cut off (no or truncated metadata) and keeps whole ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamdrop-s3rver-'));
    const folder = join(dir, 'bucket', 'processed', 'u1');
    mkdirSync(folder, { recursive: true });
    const object = (name: string, metadata: string | undefined) => {
      writeFileSync(join(folder, `${name}._S3rver_object`), 'content');
      writeFileSync(join(folder, `${name}._S3rver_object.md5`), 'abc');
      if (metadata !== undefined) writeFileSync(join(folder, `${name}._S3rver_metadata.json`), metadata);
    };
    object('whole.txt', '{"content-type":"text/plain"}');
    object('truncated.txt', '');
    object('half.txt', '{"content-ty');
    object('no-metadata.txt', undefined);
    writeFileSync(join(dir, 'bucket', '._S3rver_cors.xml'), '<CORSConfiguration/>');

    const removed = repairS3rverStore(dir, silentLog);

    expect(removed.sort()).toEqual(
      ['half.txt', 'no-metadata.txt', 'truncated.txt'].map((n) => join('bucket', 'processed', 'u1', n)),
    );
    expect(existsSync(join(folder, 'whole.txt._S3rver_object'))).toBe(true);
    expect(existsSync(join(folder, 'whole.txt._S3rver_metadata.json'))).toBe(true);
    for (const name of ['truncated.txt', 'half.txt', 'no-metadata.txt']) {
      for (const suffix of ['_object', '_object.md5', '_metadata.json'])
        expect(existsSync(join(folder, `${name}._S3rver${suffix}`))).toBe(false);
    }
    expect(existsSync(join(dir, 'bucket', '._S3rver_cors.xml'))).toBe(true);
    expect(repairS3rverStore(dir, silentLog)).toEqual([]);
  });
});
