// The local S3 (s3rver 3.7.1 with patches/s3rver@3.7.1.patch) behaves like S3 where streamdrop
// depends on it. Each test runs against the real emulator child (src/emulators/s3rver-child.mjs),
// started the way the local stack starts it — without `--openssl-legacy-provider`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { localS3Client } from '../../src/clients';
import { repairS3rverStore } from '../../src/emulators/s3rver-repair';
import { silentLog } from '../../src/types';
import {
  body as objectBody,
  type S3rverProcess,
  s3Error,
  settle,
  slowPut as slowRequest,
  startS3rver,
  tempDirs,
  xmlCode,
  xmlMessage,
} from './s3rver-support';

jest.setTimeout(60_000);

const REGION = 'us-east-1';
const BUCKET = 'patch-test';
const MiB = 1024 * 1024;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('base64');
const md5Hex = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
/** S3 lists keys in UTF-8 byte order (not JavaScript's UTF-16 order). */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

const body = (s3: S3Client, Key: string, Bucket = BUCKET) => objectBody(s3, Bucket, Key);

async function listAll(s3: S3Client, input: { Prefix?: string; MaxKeys?: number } = {}): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, ...input, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/** An anonymous PUT to BUCKET whose body is sent in two halves (see s3rver-support's slowPut). */
const slowPut = (endpoint: string, key: string, data: Buffer, headers: Record<string, string> = {}) =>
  slowRequest(`${endpoint}/${BUCKET}/${key}`, data, headers);

// Every state folder a test makes, removed at the end even when an assertion failed.
const { tempDir, cleanUp } = tempDirs();
afterAll(cleanUp);

describe('patched s3rver', () => {
  let dir: string;
  let server: S3rverProcess;
  let s3: S3Client;

  beforeAll(async () => {
    dir = tempDir('patch');
    server = await startS3rver(dir);
    s3 = localS3Client(server.endpoint, REGION);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new CreateBucketCommand({ Bucket: 'patch-other' }));
  });

  afterAll(async () => {
    await server.stop();
  });

  afterEach(() => {
    // no request may have crashed the emulator
    expect(server.child.exitCode).toBeNull();
    expect(server.child.signalCode).toBeNull();
  });

  describe('any key S3 accepts (up to 1,024 bytes of UTF-8, any script)', () => {
    const keys = [
      `uploads/u1/${'a'.repeat(234)}`, // 234–240: a half-written object that broke every listing
      `uploads/u1/${'b'.repeat(240)}`,
      `uploads/u1/${'c'.repeat(255)}`, // 241+: an unhandled write-stream error killed s3rver
      'd'.repeat(1024), // one segment of 1,024 bytes
      `uploads/${'界'.repeat(337)}x`, // 3-byte characters, 1,024 bytes in all
      `${'😀'.repeat(255)}/end`, // 4-byte characters
      `a/${'é'.repeat(500)}/z`,
      '../escape', // once written outside the bucket folder
      'a/./b',
      'a//b',
      '/leading',
      'trailing/',
      'x._S3rver_object',
      'sp ace+plus%25?#&=;,$@!*()[]~.txt',
    ];
    const sorted = [...keys].sort(byteOrder);

    afterAll(async () => {
      for (const Key of keys) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key }));
    });

    it('stores, reads, heads and copies each one', async () => {
      for (const Key of keys) {
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: `body of ${Key}` }));
        expect(await body(s3, Key)).toBe(`body of ${Key}`);
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key }));
        expect(head.ContentLength).toBe(Buffer.byteLength(`body of ${Key}`));
        expect(head.ETag).toBe(`"${md5Hex(`body of ${Key}`)}"`);
        // CopySource is URL-encoded (a key may hold any character)
        const copy = await s3.send(
          new CopyObjectCommand({
            Bucket: 'patch-other',
            Key,
            CopySource: `${BUCKET}/${Key.split('/').map(encodeURIComponent).join('/')}`,
          }),
        );
        expect(copy.CopyObjectResult?.ETag).toBe(head.ETag);
        expect(await body(s3, Key, 'patch-other')).toBe(`body of ${Key}`);
      }
      // nothing was written outside the bucket's folder
      expect(readdirSync(dir).sort()).toEqual(['patch-other', BUCKET].sort());
    });

    it('lists them in S3 order: whole, by prefix, by pages, after a key, with a delimiter', async () => {
      expect(await listAll(s3)).toEqual(sorted);
      expect(await listAll(s3, { MaxKeys: 3 })).toEqual(sorted);
      expect(await listAll(s3, { Prefix: 'uploads/u1/' })).toEqual(keys.slice(0, 3));
      const after = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: sorted[5] }));
      expect(after.Contents?.map((o) => o.Key)).toEqual(sorted.slice(6));
      const folders = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
      const commonPrefixes = [
        ...new Set(sorted.filter((k) => k.includes('/')).map((k) => k.slice(0, k.indexOf('/') + 1))),
      ];
      expect(commonPrefixes).toHaveLength(6);
      expect(folders.CommonPrefixes?.map((p) => p.Prefix)).toEqual(commonPrefixes);
      expect(folders.Contents?.map((o) => o.Key)).toEqual(sorted.filter((k) => !k.includes('/')));
      expect(folders.KeyCount).toBe(commonPrefixes.length + sorted.filter((k) => !k.includes('/')).length);
    });

    it('deletes them', async () => {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: keys[2] }));
      expect((await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: keys[2] })))).status).toBe(
        404,
      );
      expect(await listAll(s3, { Prefix: 'uploads/u1/' })).toEqual(keys.slice(0, 2));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keys[2], Body: `body of ${keys[2]}` }));
    });

    it('takes a multipart upload to a 1,024-byte key', async () => {
      const Key = `m/${'ü'.repeat(511)}`;
      const data = Buffer.alloc(5 * MiB + 1, 7);
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
      const part1 = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key,
          UploadId,
          PartNumber: 1,
          Body: data.subarray(0, 5 * MiB),
        }),
      );
      const part2 = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: 2, Body: data.subarray(5 * MiB) }),
      );
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key,
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: part1.ETag },
              { PartNumber: 2, ETag: part2.ETag },
            ],
          },
        }),
      );
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      expect(sha256(Buffer.from((await object.Body?.transformToByteArray()) ?? []))).toBe(sha256(data));
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key }));
    });

    it('refuses a key over 1,024 bytes as S3 does', async () => {
      const error = await s3Error(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k'.repeat(1025), Body: 'x' })),
      );
      expect(error).toMatchObject({ status: 400, code: 'KeyTooLongError' });
    });
  });

  describe('ListObjects', () => {
    const keys = [
      'list/a',
      'list/a-c',
      'list/a/b',
      'list/a/b/c',
      'list/a/c',
      'list/ab',
      'list/b/x',
      'list/z',
      'list/é',
    ];
    beforeAll(async () => {
      for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }));
    });

    it('pages with a delimiter: keys and common prefixes in order, each once, counted against MaxKeys', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: BUCKET,
            Prefix: 'list/',
            Delimiter: '/',
            MaxKeys: 1,
            ContinuationToken: token,
          }),
        );
        expect(page.KeyCount).toBe(1);
        seen.push(
          ...(page.Contents ?? []).map((o) => o.Key ?? ''),
          ...(page.CommonPrefixes ?? []).map((p) => `${p.Prefix}`),
        );
        token = page.NextContinuationToken;
        pages += 1;
      } while (token);
      expect(seen).toEqual(['list/a', 'list/a-c', 'list/a/', 'list/ab', 'list/b/', 'list/z', 'list/é']);
      expect(pages).toBe(7);
    });

    it('pages ListObjects (v1) by NextMarker', async () => {
      const seen: string[] = [];
      let marker: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsCommand({
            Bucket: BUCKET,
            Prefix: 'list/',
            Delimiter: '/',
            MaxKeys: 2,
            Marker: marker,
          }),
        );
        seen.push(
          ...(page.Contents ?? []).map((o) => o.Key ?? ''),
          ...(page.CommonPrefixes ?? []).map((p) => `${p.Prefix}`),
        );
        marker = page.IsTruncated ? page.NextMarker : undefined;
      } while (marker);
      expect(seen.sort(byteOrder)).toEqual([
        'list/a',
        'list/a-c',
        'list/a/',
        'list/ab',
        'list/b/',
        'list/z',
        'list/é',
      ]);
    });

    it('continues past the first page with an opaque token that needs no legacy cipher', async () => {
      // s3rver 3.7.1 encrypted the token with DES: a 500 on Node 20 without --openssl-legacy-provider
      expect(await listAll(s3, { Prefix: 'list/', MaxKeys: 2 })).toEqual(keys);
      const error = await s3Error(
        s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: 'bm90IGEgdG9rZW4=' })),
      );
      expect(error).toMatchObject({ status: 400, code: 'InvalidArgument' });
    });
  });

  describe('atomic writes', () => {
    it('shows a reader nothing of a write in progress: a new key is absent, a replaced one whole', async () => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'atomic/old', Body: 'old content' }));
      const fresh = slowPut(server.endpoint, 'atomic/new', Buffer.alloc(64 * 1024, 'n'));
      const replacing = slowPut(server.endpoint, 'atomic/old', Buffer.alloc(64 * 1024, 'r'));
      await settle();
      expect(
        (await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'atomic/new' })))).status,
      ).toBe(404);
      expect(await listAll(s3, { Prefix: 'atomic/' })).toEqual(['atomic/old']);
      expect(await body(s3, 'atomic/old')).toBe('old content');
      fresh.finish();
      replacing.finish();
      expect((await fresh.response).status).toBe(200);
      expect((await replacing.response).status).toBe(200);
      expect(await body(s3, 'atomic/new')).toBe('n'.repeat(64 * 1024));
      expect(await body(s3, 'atomic/old')).toBe('r'.repeat(64 * 1024));
    });

    it('keeps nothing of a request cut off mid-body, and lives on', async () => {
      const cut = slowPut(server.endpoint, 'atomic/cut', Buffer.alloc(64 * 1024, 'c'));
      cut.response.catch(() => undefined);
      await settle();
      cut.request.destroy();
      await settle();
      expect(
        (await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'atomic/cut' })))).status,
      ).toBe(404);
      // no temporary file is left behind either
      expect(readdirSync(join(dir, BUCKET, '._S3rver_tmp'))).toEqual([]);
    });

    it('leaves no half object when the process is killed mid-write, and keeps every whole one', async () => {
      const killDir = tempDir('kill');
      let victim = await startS3rver(killDir);
      const client = localS3Client(victim.endpoint, REGION);
      await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'whole', Body: 'whole content' }));
      const half = slowPut(victim.endpoint, 'half', Buffer.alloc(64 * 1024, 'h'));
      const overwrite = slowPut(victim.endpoint, 'whole', Buffer.alloc(64 * 1024, 'o'));
      half.response.catch(() => undefined);
      overwrite.response.catch(() => undefined);
      await settle();
      await victim.kill();

      expect(repairS3rverStore(killDir, silentLog)).toEqual([]); // nothing for the start-up repair to do
      victim = await startS3rver(killDir);
      const restarted = localS3Client(victim.endpoint, REGION);
      const listing = await restarted.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      expect(listing.Contents?.map((o) => o.Key)).toEqual(['whole']);
      expect(await body(restarted, 'whole')).toBe('whole content');
      expect(
        (await s3Error(restarted.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'half' })))).status,
      ).toBe(404);
      await victim.stop();
    });

    it('completes at start-up a commit the process was killed in the middle of', async () => {
      // The patch renames an object's metadata, its MD5 and then its data into place, after
      // writing the renames to a journal. Here the process "died" after the first rename.
      const crashDir = tempDir('journal');
      const tmp = join(crashDir, BUCKET, '._S3rver_tmp');
      const target = join(BUCKET, 'journal', 'key');
      mkdirSync(join(crashDir, BUCKET, 'journal'), { recursive: true });
      writeFileSync(join(crashDir, `${target}._S3rver_metadata.json`), '{"content-type":"text/plain"}');
      mkdirSync(tmp);
      writeFileSync(join(tmp, 'w.1'), md5Hex('committed'));
      writeFileSync(join(tmp, 'w'), 'committed');
      writeFileSync(
        join(tmp, 'w.commit'),
        JSON.stringify([
          [join(BUCKET, '._S3rver_tmp', 'w.0'), `${target}._S3rver_metadata.json`],
          [join(BUCKET, '._S3rver_tmp', 'w.1'), `${target}._S3rver_object.md5`],
          [join(BUCKET, '._S3rver_tmp', 'w'), `${target}._S3rver_object`],
        ]),
      );
      writeFileSync(join(tmp, 'unfinished'), 'a write that never committed');
      const restarted = await startS3rver(crashDir);
      const client = localS3Client(restarted.endpoint, REGION);
      const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'journal/key' }));
      expect(await object.Body?.transformToString()).toBe('committed');
      expect(object.ETag).toBe(`"${md5Hex('committed')}"`);
      expect(object.ContentType).toBe('text/plain');
      expect(existsSync(tmp)).toBe(false);
      await restarted.stop();
    });
  });

  describe('conditional writes', () => {
    it('answers If-None-Match: * with 412 when the key exists', async () => {
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/once', Body: 'first', IfNoneMatch: '*' }),
      );
      const error = await s3Error(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/once', Body: 'second', IfNoneMatch: '*' })),
      );
      expect(error).toMatchObject({ status: 412, code: 'PreconditionFailed' });
      expect(error.message).toBe('At least one of the pre-conditions you specified did not hold');
      expect(await body(s3, 'cond/once')).toBe('first');
    });

    it('answers If-None-Match: * on CopyObject with 412 when the destination exists', async () => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/copy-source', Body: 'source' }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/copy-target', Body: 'target' }));
      const copy = (Key: string) =>
        s3.send(
          new CopyObjectCommand({
            Bucket: BUCKET,
            Key,
            CopySource: `${BUCKET}/cond/copy-source`,
            IfNoneMatch: '*',
          }),
        );
      expect(await s3Error(copy('cond/copy-target'))).toMatchObject({
        status: 412,
        code: 'PreconditionFailed',
      });
      expect(await body(s3, 'cond/copy-target')).toBe('target');
      await copy('cond/copy-new');
      expect(await body(s3, 'cond/copy-new')).toBe('source');
    });

    it('lets exactly one of two racing If-None-Match: * writers win', async () => {
      for (let round = 0; round < 10; round += 1) {
        const Key = `cond/race-${round}`;
        const a = slowPut(server.endpoint, Key, Buffer.alloc(256 * 1024, 'a'), { 'if-none-match': '*' });
        const b = slowPut(server.endpoint, Key, Buffer.alloc(256 * 1024, 'b'), { 'if-none-match': '*' });
        await new Promise((resolve) => setTimeout(resolve, 20));
        a.finish();
        b.finish();
        const results = await Promise.all([a.response, b.response]);
        expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
        const loser = results.find((r) => r.status === 412);
        expect(xmlCode(loser?.body ?? '')).toBe('PreconditionFailed');
        const winner = results[0].status === 200 ? 'a' : 'b';
        expect(await body(s3, Key)).toBe(winner.repeat(256 * 1024));
      }
    });

    it('answers If-Match with 412 when the ETag differs, 404 when there is no object', async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/match', Body: 'v1' }));
      const stale = await s3Error(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/match', Body: 'v2', IfMatch: '"0123"' })),
      );
      expect(stale).toMatchObject({ status: 412, code: 'PreconditionFailed' });
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/match', Body: 'v2', IfMatch: put.ETag }),
      );
      expect(await body(s3, 'cond/match')).toBe('v2');
      const missing = await s3Error(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond/none', Body: 'v1', IfMatch: put.ETag })),
      );
      expect(missing).toMatchObject({ status: 404, code: 'NoSuchKey' });
    });

    it('answers If-None-Match: * on CompleteMultipartUpload with 412 when the key exists', async () => {
      const Key = 'cond/multipart';
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'already here' }));
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
      const part = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: 1, Body: 'x' }),
      );
      const error = await s3Error(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key,
            UploadId,
            IfNoneMatch: '*',
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          }),
        ),
      );
      expect(error).toMatchObject({ status: 412, code: 'PreconditionFailed' });
      expect(await body(s3, Key)).toBe('already here');
      await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId }));
    });
  });

  describe('checksums', () => {
    it('verifies x-amz-checksum-sha256 on PutObject, stores it and returns it when asked', async () => {
      const error = await s3Error(
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'sum/put',
            Body: 'data',
            ChecksumSHA256: sha256('other'),
          }),
        ),
      );
      expect(error).toMatchObject({ status: 400, code: 'BadDigest' });
      expect(error.message).toBe('The SHA256 you specified did not match the calculated checksum.');
      expect((await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sum/put' })))).status).toBe(
        404,
      );

      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'sum/put',
          Body: 'data',
          ChecksumSHA256: sha256('data'),
        }),
      );
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: 'sum/put', ChecksumMode: 'ENABLED' }),
      );
      expect(head.ChecksumSHA256).toBe(sha256('data'));
      const get = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: 'sum/put', ChecksumMode: 'ENABLED' }),
      );
      expect(get.ChecksumSHA256).toBe(sha256('data'));
      const plain = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sum/put' }));
      expect(plain.ChecksumSHA256).toBeUndefined();

      const malformed = await s3Error(
        s3.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: 'sum/put', Body: 'data', ChecksumSHA256: 'bm9wZQ==' }),
        ),
      );
      expect(malformed).toMatchObject({ status: 400, code: 'InvalidRequest' });
      expect(await body(s3, 'sum/put')).toBe('data');
    });

    it('verifies the checksum a presigned URL carries in its query', async () => {
      const url = await getSignedUrl(
        s3,
        new PutObjectCommand({ Bucket: BUCKET, Key: 'sum/presigned', ChecksumSHA256: sha256('exact bytes') }),
        { expiresIn: 300 },
      );
      expect(new URL(url).searchParams.get('x-amz-checksum-sha256')).toBe(sha256('exact bytes'));
      const wrong = await fetch(url, { method: 'PUT', body: 'other bytes' });
      expect(wrong.status).toBe(400);
      expect(xmlCode(await wrong.text())).toBe('BadDigest');
      const right = await fetch(url, { method: 'PUT', body: 'exact bytes' });
      expect(right.status).toBe(200);
      expect(await body(s3, 'sum/presigned')).toBe('exact bytes');
    });

    it('keeps verifying Content-MD5', async () => {
      const ContentMD5 = createHash('md5').update('md5 body').digest('base64');
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sum/md5', Body: 'md5 body', ContentMD5 }));
      const bad = await s3Error(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sum/md5', Body: 'changed', ContentMD5 })),
      );
      expect(bad).toMatchObject({ status: 400, code: 'BadDigest' });
      const invalid = await s3Error(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sum/md5', Body: 'x', ContentMD5: 'bm9wZQ==' })),
      );
      expect(invalid).toMatchObject({ status: 400, code: 'InvalidDigest' });
      expect(await body(s3, 'sum/md5')).toBe('md5 body');
    });

    it('verifies part checksums, lists them, and gives the object a composite checksum', async () => {
      const Key = 'sum/multipart';
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: BUCKET, Key, ChecksumAlgorithm: 'SHA256' }),
      );
      const parts = [Buffer.alloc(5 * MiB, 1), Buffer.from('tail')];
      const bad = await s3Error(
        s3.send(
          new UploadPartCommand({
            Bucket: BUCKET,
            Key,
            UploadId,
            PartNumber: 1,
            Body: parts[0],
            ChecksumSHA256: sha256('x'),
          }),
        ),
      );
      expect(bad).toMatchObject({ status: 400, code: 'BadDigest' });
      const uploaded = [];
      for (const [i, Body] of parts.entries()) {
        const part = await s3.send(
          new UploadPartCommand({
            Bucket: BUCKET,
            Key,
            UploadId,
            PartNumber: i + 1,
            Body,
            ChecksumSHA256: sha256(Body),
          }),
        );
        uploaded.push({ PartNumber: i + 1, ETag: part.ETag, ChecksumSHA256: sha256(Body) });
      }
      const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key, UploadId }));
      expect(listed.Parts?.map((p) => p.ChecksumSHA256)).toEqual(parts.map((p) => sha256(p)));
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key,
          UploadId,
          MultipartUpload: { Parts: uploaded },
        }),
      );
      const composite = createHash('sha256')
        .update(Buffer.concat(parts.map((p) => createHash('sha256').update(p).digest())))
        .digest('base64');
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key, ChecksumMode: 'ENABLED' }));
      expect(head.ChecksumSHA256).toBe(`${composite}-2`);
    });
  });

  describe('multipart uploads', () => {
    const Key = 'multi/object';
    const five = Buffer.alloc(5 * MiB, 'f');

    it('lists parts with their number, size, ETag and date, page by page', async () => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
      const bodies = [five, five, Buffer.from('last')];
      const etags: (string | undefined)[] = [];
      for (const [i, Body] of bodies.entries()) {
        etags.push(
          (await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: i + 1, Body })))
            .ETag,
        );
      }
      const first = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key, UploadId, MaxParts: 2 }));
      expect(first.IsTruncated).toBe(true);
      expect(first.NextPartNumberMarker).toBe('2');
      expect(first.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
        [1, 5 * MiB, etags[0]],
        [2, 5 * MiB, etags[1]],
      ]);
      expect(first.Parts?.[0]?.LastModified).toBeInstanceOf(Date);
      const second = await s3.send(
        new ListPartsCommand({
          Bucket: BUCKET,
          Key,
          UploadId,
          MaxParts: 2,
          PartNumberMarker: first.NextPartNumberMarker,
        }),
      );
      expect(second.IsTruncated).toBe(false);
      expect(second.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([[3, 4, etags[2]]]);

      const complete = (Parts: { PartNumber: number; ETag?: string }[]) =>
        s3.send(
          new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId, MultipartUpload: { Parts } }),
        );
      expect(
        await s3Error(
          complete([
            { PartNumber: 2, ETag: etags[1] },
            { PartNumber: 1, ETag: etags[0] },
          ]),
        ),
      ).toMatchObject({ status: 400, code: 'InvalidPartOrder' });
      expect(await s3Error(complete([{ PartNumber: 1, ETag: `"${'0'.repeat(32)}"` }]))).toMatchObject({
        status: 400,
        code: 'InvalidPart',
      });
      expect(await s3Error(complete([{ PartNumber: 4, ETag: etags[0] }]))).toMatchObject({
        status: 400,
        code: 'InvalidPart',
      });
      expect(
        await s3Error(
          complete([
            { PartNumber: 1, ETag: etags[0] },
            { PartNumber: 3, ETag: etags[2] },
            { PartNumber: 2, ETag: etags[1] },
          ]),
        ),
      ).toMatchObject({ status: 400, code: 'InvalidPartOrder' });

      const done = await complete(bodies.map((_, i) => ({ PartNumber: i + 1, ETag: etags[i] })));
      // S3's multipart ETag: MD5 of the parts' MD5s, dash, number of parts
      const md5s = Buffer.concat(bodies.map((b) => createHash('md5').update(b).digest()));
      expect(done.ETag).toBe(`"${md5Hex(md5s)}-3"`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key }));
      expect(head.ContentLength).toBe(10 * MiB + 4);
      expect(head.ETag).toBe(done.ETag);
    });

    it('refuses a part under 5 MiB that is not the last (EntityTooSmall)', async () => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
      const small = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: 1, Body: 'small' }),
      );
      const last = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: 2, Body: 'last' }),
      );
      const error = await s3Error(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key,
            UploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: small.ETag },
                { PartNumber: 2, ETag: last.ETag },
              ],
            },
          }),
        ),
      );
      expect(error).toMatchObject({ status: 400, code: 'EntityTooSmall' });
      await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId }));
    });

    it('aborts an upload: 204, its parts gone, and every later call NoSuchUpload', async () => {
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi/aborted' }),
      );
      const part = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: 'multi/aborted', UploadId, PartNumber: 1, Body: 'x' }),
      );
      const aborted = await s3.send(
        new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi/aborted', UploadId }),
      );
      expect(aborted.$metadata.httpStatusCode).toBe(204);
      const calls = [
        s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'multi/aborted', UploadId })),
        s3.send(
          new UploadPartCommand({ Bucket: BUCKET, Key: 'multi/aborted', UploadId, PartNumber: 2, Body: 'y' }),
        ),
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: 'multi/aborted',
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          }),
        ),
        s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi/aborted', UploadId })),
      ];
      for (const call of calls)
        expect(await s3Error(call)).toMatchObject({ status: 404, code: 'NoSuchUpload' });
      expect(
        (await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'multi/aborted' })))).status,
      ).toBe(404);
    });

    it('accepts an upload id only for its own key, and never as a path', async () => {
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi/mine' }),
      );
      for (const [Key, id] of [
        ['multi/other', UploadId],
        ['multi/mine', '../../../escape'],
      ]) {
        const error = await s3Error(
          s3.send(new UploadPartCommand({ Bucket: BUCKET, Key, UploadId: id, PartNumber: 1, Body: 'x' })),
        );
        expect(error).toMatchObject({ status: 404, code: 'NoSuchUpload' });
      }
      const badNumber = await s3Error(
        s3.send(
          new UploadPartCommand({
            Bucket: BUCKET,
            Key: 'multi/mine',
            UploadId,
            PartNumber: 10001,
            Body: 'x',
          }),
        ),
      );
      expect(badNumber).toMatchObject({ status: 400, code: 'InvalidArgument' });
      await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi/mine', UploadId }));
    });

    it('lists open uploads (ListMultipartUploads) by prefix', async () => {
      const a = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'open/a' }));
      const b = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'open/b' }));
      await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'elsewhere/c' }));
      const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'open/' }));
      expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
        ['open/a', a.UploadId],
        ['open/b', b.UploadId],
      ]);
      expect(listed.Uploads?.[0]?.Initiated).toBeInstanceOf(Date);
      const page = await s3.send(
        new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'open/', MaxUploads: 1 }),
      );
      expect(page.IsTruncated).toBe(true);
      expect(page.NextKeyMarker).toBe('open/a');
      const next = await s3.send(
        new ListMultipartUploadsCommand({
          Bucket: BUCKET,
          Prefix: 'open/',
          KeyMarker: page.NextKeyMarker,
          UploadIdMarker: page.NextUploadIdMarker,
        }),
      );
      expect(next.Uploads?.map((u) => u.Key)).toEqual(['open/b']);
    });
  });

  describe('SigV4', () => {
    beforeAll(async () => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'signed/a', Body: 'object a' }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'signed/b', Body: 'object b' }));
      await s3.send(new PutObjectCommand({ Bucket: 'patch-other', Key: 'signed/a', Body: 'other bucket' }));
    });

    const refused = async (response: Response, code: string, message?: string) => {
      expect(response.status).toBe(403);
      const text = await response.text();
      expect(xmlCode(text)).toBe(code);
      if (message) expect(xmlMessage(text)).toBe(message);
    };

    it('serves a presigned GET, and refuses it edited to another key or bucket', async () => {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'signed/a' }), {
        expiresIn: 300,
      });
      const ok = await fetch(url);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('object a');
      await refused(await fetch(url.replace('/signed/a?', '/signed/b?')), 'SignatureDoesNotMatch');
      await refused(await fetch(url.replace(`/${BUCKET}/`, '/patch-other/')), 'SignatureDoesNotMatch');
      // the method is signed too
      await expect(fetch(url, { method: 'HEAD' })).resolves.toHaveProperty('status', 403);
    });

    it('refuses a presigned UploadPart URL edited to another part number', async () => {
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'signed/parts' }),
      );
      const url = await getSignedUrl(
        s3,
        new UploadPartCommand({ Bucket: BUCKET, Key: 'signed/parts', UploadId, PartNumber: 1 }),
        { expiresIn: 300 },
      );
      await refused(
        await fetch(url.replace('partNumber=1', 'partNumber=2'), { method: 'PUT', body: 'x' }),
        'SignatureDoesNotMatch',
      );
      expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(200);
      await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'signed/parts', UploadId }));
    });

    it('refuses a presigned PUT whose signed content length or checksum was changed', async () => {
      const sized = await getSignedUrl(
        s3,
        new PutObjectCommand({ Bucket: BUCKET, Key: 'signed/sized', ContentLength: 5 }),
        {
          expiresIn: 300,
        },
      );
      expect(new URL(sized).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
      await refused(await fetch(sized, { method: 'PUT', body: 'sixsix' }), 'SignatureDoesNotMatch');
      expect((await fetch(sized, { method: 'PUT', body: 'five!' })).status).toBe(200);

      const summed = await getSignedUrl(
        s3,
        new PutObjectCommand({ Bucket: BUCKET, Key: 'signed/summed', ChecksumSHA256: sha256('promised') }),
        { expiresIn: 300 },
      );
      const edited = new URL(summed);
      edited.searchParams.set('x-amz-checksum-sha256', sha256('something else'));
      await refused(await fetch(edited, { method: 'PUT', body: 'something else' }), 'SignatureDoesNotMatch');
    });

    it('refuses x-amz-* headers a presigned URL did not sign', async () => {
      const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: 'signed/headers' }), {
        expiresIn: 300,
      });
      await refused(
        await fetch(url, { method: 'PUT', body: 'x', headers: { 'x-amz-meta-extra': 'sneaked in' } }),
        'AccessDenied',
        'There were headers present in the request which were not signed',
      );
    });

    it('refuses an expired presigned URL with "Request has expired"', async () => {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'signed/a' }), {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 120_000),
      });
      await refused(await fetch(url), 'AccessDenied', 'Request has expired');
    });

    it('refuses signatures made with another secret, presigned or in the Authorization header', async () => {
      const forger = new S3Client({
        endpoint: server.endpoint,
        region: REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'not the secret' },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      const url = await getSignedUrl(forger, new GetObjectCommand({ Bucket: BUCKET, Key: 'signed/a' }), {
        expiresIn: 300,
      });
      await refused(await fetch(url), 'SignatureDoesNotMatch');
      const error = await s3Error(
        forger.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'signed/a', Body: 'forged' })),
      );
      expect(error).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
      expect(await body(s3, 'signed/a')).toBe('object a');
    });

    it('answers the CORS preflight of a presigned PUT (preflights are never signed)', async () => {
      await s3.send(
        new PutBucketCorsCommand({
          Bucket: BUCKET,
          CORSConfiguration: {
            CORSRules: [
              {
                AllowedOrigins: ['http://localhost:5173'],
                AllowedMethods: ['PUT', 'GET'],
                AllowedHeaders: ['*'],
              },
            ],
          },
        }),
      );
      const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: 'signed/browser' }), {
        expiresIn: 300,
      });
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
      const put = await fetch(url, {
        method: 'PUT',
        body: 'from a browser',
        headers: { origin: 'http://localhost:5173' },
      });
      expect(put.status).toBe(200);
      expect(put.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    });
  });

  describe('what worked before keeps working', () => {
    it('keeps metadata, content type and tags, copies with replaced metadata, and persists across restarts', async () => {
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'kept/object',
          Body: 'kept',
          ContentType: 'text/plain',
          Metadata: { owner: 'u1' },
        }),
      );
      await s3.send(
        new PutObjectTaggingCommand({
          Bucket: BUCKET,
          Key: 'kept/object',
          Tagging: { TagSet: [{ Key: 'stage', Value: 'raw' }] },
        }),
      );
      const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'kept/object' }));
      expect(tags.TagSet).toEqual([{ Key: 'stage', Value: 'raw' }]);
      await s3.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'kept/copy',
          CopySource: `${BUCKET}/kept/object`,
          MetadataDirective: 'REPLACE',
          ContentType: 'application/json',
          Metadata: { owner: 'u2' },
        }),
      );

      await server.stop();
      server = await startS3rver(dir);
      s3 = localS3Client(server.endpoint, REGION);

      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'kept/object' }));
      expect(head).toMatchObject({ ContentType: 'text/plain', Metadata: { owner: 'u1' } });
      const copy = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'kept/copy' }));
      expect(copy).toMatchObject({ ContentType: 'application/json', Metadata: { owner: 'u2' } });
      expect(await body(s3, 'kept/copy')).toBe('kept');
    });

    it("starts a new object under a key without the old one's tags, as S3 does", async () => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept/tagged', Body: 'old' }));
      const Tagging = { TagSet: [{ Key: 'stage', Value: 'raw' }] };
      await s3.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'kept/tagged', Tagging }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept/tagged', Body: 'new' }));
      const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'kept/tagged' }));
      expect(tags.TagSet).toEqual([]);
    });
  });
});
