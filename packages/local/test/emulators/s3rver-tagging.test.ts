// Object tags on the local S3 (s3rver 3.7.1 with patches/s3rver@3.7.1.patch), the way streamdrop
// uses them: an upload is written tagged `streamdrop-state=pending` (PutObject's x-amz-tagging,
// also signed into a presigned PUT URL, or CreateMultipartUpload's), re-tagged `complete` with
// PutObjectTagging, and what stays pending is expired by a lifecycle rule — emulated locally by a
// sweep that lists objects, reads their tags and LastModified, and deletes.
// Each test runs against the real emulator child, started the way the local stack starts it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  type CopyObjectCommandInput,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type Tag,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { localS3Client } from '../../src/clients';
import {
  body,
  type S3rverProcess,
  s3Error,
  settle,
  slowPut,
  startS3rver,
  tempDirs,
  xmlCode,
  xmlMessage,
} from './s3rver-support';

jest.setTimeout(60_000);

const REGION = 'us-east-1';
const BUCKET = 'tagging-test';

const { tempDir, cleanUp } = tempDirs();
afterAll(cleanUp);

/** Tags as S3 takes them in x-amz-tagging: URL-encoded `k=v&k2=v2`. */
const header = (tags: Tag[]) =>
  tags.map((t) => `${encodeURIComponent(t.Key ?? '')}=${encodeURIComponent(t.Value ?? '')}`).join('&');
const tagList = (record: Record<string, string>): Tag[] =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
/** `n` distinct tags. */
const manyTags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
const byKey = (tags: Tag[]) => [...tags].sort((a, b) => ((a.Key ?? '') < (b.Key ?? '') ? -1 : 1));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('object tags on the patched s3rver', () => {
  let dir: string;
  let server: S3rverProcess;
  let s3: S3Client;

  /** An object's tags, in key order. */
  const tagsOf = async (Key: string, Bucket = BUCKET) =>
    byKey((await s3.send(new GetObjectTaggingCommand({ Bucket, Key }))).TagSet ?? []);
  const headOf = (Key: string, Bucket = BUCKET) => s3.send(new HeadObjectCommand({ Bucket, Key }));
  const missing = async (Key: string, Bucket = BUCKET) => (await s3Error(headOf(Key, Bucket))).status === 404;
  const put = (Key: string, Body: string, Tagging?: string, Bucket = BUCKET) =>
    s3.send(new PutObjectCommand({ Bucket, Key, Body, Tagging }));
  const putTags = (Key: string, TagSet: Tag[], Bucket = BUCKET) =>
    s3.send(new PutObjectTaggingCommand({ Bucket, Key, Tagging: { TagSet } }));

  /** A multipart upload of `data` (one part) to `Key`, created with `Tagging`. */
  async function multipart(Key: string, data: string, Tagging?: string, Bucket = BUCKET) {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, Tagging }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: data }));
    return s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
  }

  beforeAll(async () => {
    dir = tempDir('tagging');
    server = await startS3rver(dir);
    s3 = localS3Client(server.endpoint, REGION);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterAll(async () => {
    await server.stop();
  });

  afterEach(() => {
    // no request may have crashed the emulator
    expect(server.child.exitCode).toBeNull();
    expect(server.child.signalCode).toBeNull();
  });

  describe('PutObject with x-amz-tagging', () => {
    it('stores the tags with the object: GetObjectTagging lists them, HeadObject and GetObject count them', async () => {
      await put('put/pending', 'upload', 'streamdrop-state=pending&owner=user%201');
      expect(await tagsOf('put/pending')).toEqual(
        tagList({ owner: 'user 1', 'streamdrop-state': 'pending' }),
      );
      expect((await headOf('put/pending')).TagCount).toBe(2);
      const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'put/pending' }));
      expect(get.TagCount).toBe(2);
      expect(await get.Body?.transformToString()).toBe('upload');

      // an untagged object has no count at all, as on S3
      await put('put/untagged', 'upload');
      expect(await tagsOf('put/untagged')).toEqual([]);
      expect((await headOf('put/untagged')).TagCount).toBeUndefined();
    });

    it('decodes the header as S3 does: + is a space, a key alone has an empty value', async () => {
      await put('put/decoded', 'x', 'a+b=c%2Bd&flag&%C3%BC=%E6%96%87');
      expect(await tagsOf('put/decoded')).toEqual(tagList({ 'a b': 'c+d', flag: '', ü: '文' }));
    });

    it('keeps tag values as they were written, numbers and spaces too', async () => {
      // s3rver 3.7.1 parsed a stored tag as XML with numbers: `007` came back as 7, `1e3` as 1000
      await put('put/numbers', 'x', 'attempt=007&size=1e3&padded=+a+');
      expect(await tagsOf('put/numbers')).toEqual(tagList({ attempt: '007', padded: ' a ', size: '1e3' }));
      await putTags('put/numbers', tagList({ attempt: '010', ratio: '0.50', padded: ' b ' }));
      expect(await tagsOf('put/numbers')).toEqual(tagList({ attempt: '010', padded: ' b ', ratio: '0.50' }));
    });

    it('replaces the tags with the object: a PUT without the header leaves the new object untagged', async () => {
      await put('put/replaced', 'v1', 'streamdrop-state=pending&first=1');
      await put('put/replaced', 'v2', 'second=2');
      expect(await tagsOf('put/replaced')).toEqual(tagList({ second: '2' }));
      await put('put/replaced', 'v3');
      expect(await tagsOf('put/replaced')).toEqual([]);
      expect((await headOf('put/replaced')).TagCount).toBeUndefined();
      expect(await body(s3, BUCKET, 'put/replaced')).toBe('v3');
    });
  });

  describe('tags are written with the object, in one commit', () => {
    it('shows a reader the old object with its old tags while a tagged replacement is written, and nothing of a new one', async () => {
      await put('atomic/replaced', 'old', 'state=old');
      const url = (key: string) => `${server.endpoint}/${BUCKET}/${key}`;
      const replacing = slowPut(url('atomic/replaced'), Buffer.alloc(64 * 1024, 'n'), {
        'x-amz-tagging': 'state=new&extra=1',
      });
      const fresh = slowPut(url('atomic/fresh'), Buffer.alloc(64 * 1024, 'f'), {
        'x-amz-tagging': 'state=new',
      });
      try {
        await settle();
        expect(await tagsOf('atomic/replaced')).toEqual(tagList({ state: 'old' }));
        expect((await headOf('atomic/replaced')).TagCount).toBe(1);
        expect(await body(s3, BUCKET, 'atomic/replaced')).toBe('old');
        const unborn = await s3Error(
          s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'atomic/fresh' })),
        );
        expect(unborn).toMatchObject({ status: 404, code: 'NoSuchKey' });
      } finally {
        replacing.finish();
        fresh.finish();
      }
      expect((await replacing.response).status).toBe(200);
      expect((await fresh.response).status).toBe(200);
      expect(await tagsOf('atomic/replaced')).toEqual(tagList({ extra: '1', state: 'new' }));
      expect(await body(s3, BUCKET, 'atomic/replaced')).toBe('n'.repeat(64 * 1024));
      expect(await tagsOf('atomic/fresh')).toEqual(tagList({ state: 'new' }));
    });

    it("never pairs an object with another write's tags while it is rewritten", async () => {
      const Key = 'atomic/rewritten';
      const versions: { Body: string; Tagging?: string }[] = [
        { Body: 'one', Tagging: 'n=1' },
        { Body: 'two', Tagging: 'n=1&m=2' },
        { Body: 'none', Tagging: undefined },
      ];
      const count = { one: 1, two: 2, none: undefined } as Record<string, number | undefined>;
      await put(Key, 'one', 'n=1');
      let writing = true;
      const writer = (async () => {
        for (let round = 0; round < 60; round += 1) {
          const { Body, Tagging } = versions[round % versions.length] ?? { Body: '' };
          await put(Key, Body, Tagging);
        }
        writing = false;
      })();
      const seen: [string, number | undefined][] = [];
      const reader = async () => {
        while (writing) {
          const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
          seen.push([(await get.Body?.transformToString()) ?? '', get.TagCount]);
        }
      };
      await Promise.all([writer, reader(), reader(), reader()]);
      expect(seen.length).toBeGreaterThan(10);
      for (const [text, tagCount] of seen) expect([text, tagCount]).toEqual([text, count[text]]);
    });

    it('completes at start-up a replacement the process was killed in the middle of, tags included', async () => {
      // The patch renames an object's metadata, its MD5, its tags (or removes the old ones) and
      // then its data into place, after writing these steps to a journal. Here two objects were
      // being replaced, one tagged and one not, and the process "died" after the first step.
      const crashDir = tempDir('tagging-journal');
      const bucketDir = join(crashDir, BUCKET);
      const tmp = join(bucketDir, '._S3rver_tmp');
      mkdirSync(join(bucketDir, 'journal'), { recursive: true });
      mkdirSync(tmp);
      const oldTags = '<Tagging><TagSet><Tag><Key>state</Key><Value>old</Value></Tag></TagSet></Tagging>';
      const newTags = '<Tagging><TagSet><Tag><Key>state</Key><Value>new</Value></Tag></TagSet></Tagging>';
      for (const [name, tags] of [
        ['untagged', null],
        ['tagged', newTags],
      ] as const) {
        const target = join(BUCKET, 'journal', name);
        // the object replaced, with its tags
        writeFileSync(join(crashDir, `${target}._S3rver_object`), 'old');
        writeFileSync(join(crashDir, `${target}._S3rver_object.md5`), 'd'.repeat(32));
        writeFileSync(join(crashDir, `${target}._S3rver_tagging.xml`), oldTags);
        // the new metadata is in place already, the rest waits in the journal
        writeFileSync(join(crashDir, `${target}._S3rver_metadata.json`), '{"content-type":"text/csv"}');
        writeFileSync(join(tmp, `${name}.1`), '0'.repeat(32));
        if (tags) writeFileSync(join(tmp, `${name}.2`), tags);
        writeFileSync(join(tmp, name), `new ${name}`);
        const journalTmp = (file: string) => join(BUCKET, '._S3rver_tmp', file);
        writeFileSync(
          join(tmp, `${name}.commit`),
          JSON.stringify([
            [journalTmp(`${name}.0`), `${target}._S3rver_metadata.json`],
            [journalTmp(`${name}.1`), `${target}._S3rver_object.md5`],
            [tags ? journalTmp(`${name}.2`) : null, `${target}._S3rver_tagging.xml`],
            [journalTmp(name), `${target}._S3rver_object`],
          ]),
        );
      }
      const restarted = await startS3rver(crashDir);
      try {
        const client = localS3Client(restarted.endpoint, REGION);
        const tagsAfter = async (Key: string) =>
          (await client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key }))).TagSet;
        expect(await body(client, BUCKET, 'journal/untagged')).toBe('new untagged');
        expect(await tagsAfter('journal/untagged')).toEqual([]);
        expect(await body(client, BUCKET, 'journal/tagged')).toBe('new tagged');
        expect(await tagsAfter('journal/tagged')).toEqual(tagList({ state: 'new' }));
      } finally {
        await restarted.stop();
      }
    });
  });

  describe('CreateMultipartUpload with x-amz-tagging', () => {
    it('applies the tags to the object CompleteMultipartUpload makes, and none without them', async () => {
      await put('multi/pending', 'old', 'stale=1');
      await multipart('multi/pending', 'all parts', 'streamdrop-state=pending');
      expect(await tagsOf('multi/pending')).toEqual(tagList({ 'streamdrop-state': 'pending' }));
      expect((await headOf('multi/pending')).TagCount).toBe(1);
      expect(await body(s3, BUCKET, 'multi/pending')).toBe('all parts');

      // an upload created without tags makes an untagged object, whatever the key held
      await multipart('multi/pending', 'again');
      expect(await tagsOf('multi/pending')).toEqual([]);
    });
  });

  describe('CopyObject', () => {
    const copy = (Key: string, input: Partial<CopyObjectCommandInput> = {}) =>
      s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key, CopySource: `${BUCKET}/copy/source`, ...input }));

    beforeAll(async () => {
      await put('copy/source', 'source', 'streamdrop-state=pending&owner=u1');
    });

    it("copies the source's tags by default (x-amz-tagging-directive COPY), replacing the target's", async () => {
      await put('copy/target', 'target', 'stale=1');
      await copy('copy/target');
      expect(await tagsOf('copy/target')).toEqual(tagList({ owner: 'u1', 'streamdrop-state': 'pending' }));
      // x-amz-tagging is ignored without REPLACE, as on S3
      await copy('copy/ignored', { Tagging: 'other=1', TaggingDirective: 'COPY' });
      expect(await tagsOf('copy/ignored')).toEqual(tagList({ owner: 'u1', 'streamdrop-state': 'pending' }));
    });

    it('sets the tags of x-amz-tagging with REPLACE, none without it', async () => {
      await copy('copy/replaced', { TaggingDirective: 'REPLACE', Tagging: 'streamdrop-state=complete' });
      expect(await tagsOf('copy/replaced')).toEqual(tagList({ 'streamdrop-state': 'complete' }));
      await copy('copy/replaced', { TaggingDirective: 'REPLACE' });
      expect(await tagsOf('copy/replaced')).toEqual([]);
      expect(await tagsOf('copy/source')).toEqual(tagList({ owner: 'u1', 'streamdrop-state': 'pending' }));
    });

    it('refuses an unknown directive, and invalid tags', async () => {
      const unknown = await s3Error(copy('copy/refused', { TaggingDirective: 'MERGE' as 'COPY' }));
      expect(unknown).toMatchObject({ status: 400, code: 'InvalidArgument' });
      const tooMany = await s3Error(
        copy('copy/refused', { TaggingDirective: 'REPLACE', Tagging: header(manyTags(11)) }),
      );
      expect(tooMany).toMatchObject({ status: 400, code: 'BadRequest' });
      expect(await missing('copy/refused')).toBe(true);
    });
  });

  describe('PutObjectTagging and DeleteObjectTagging', () => {
    it('re-tags an object without changing its body, ETag or LastModified (what a lifecycle rule ages by)', async () => {
      await put('retag/object', 'upload', 'streamdrop-state=pending');
      const before = await headOf('retag/object');
      await sleep(1100); // LastModified counts whole seconds
      await putTags('retag/object', tagList({ 'streamdrop-state': 'complete' }));
      expect(await tagsOf('retag/object')).toEqual(tagList({ 'streamdrop-state': 'complete' }));
      const after = await headOf('retag/object');
      expect(after.LastModified).toEqual(before.LastModified);
      expect(after.ETag).toBe(before.ETag);
      expect(after.TagCount).toBe(1);
      expect(await body(s3, BUCKET, 'retag/object')).toBe('upload');
    });

    it("deletes an object's tags with 204, and an empty tag set does too", async () => {
      await put('retag/deleted', 'upload', 'streamdrop-state=pending&owner=u1');
      const deleted = await s3.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: 'retag/deleted' }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      expect(await tagsOf('retag/deleted')).toEqual([]);
      expect((await headOf('retag/deleted')).TagCount).toBeUndefined();
      expect(await body(s3, BUCKET, 'retag/deleted')).toBe('upload');
      // again, on an object without tags
      await s3.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: 'retag/deleted' }));

      await putTags('retag/deleted', tagList({ a: '1' }));
      await putTags('retag/deleted', []);
      expect(await tagsOf('retag/deleted')).toEqual([]);
      expect((await headOf('retag/deleted')).TagCount).toBeUndefined();
    });

    it('answers 404 NoSuchKey for a key that does not exist', async () => {
      const Key = 'retag/missing';
      expect(await s3Error(putTags(Key, tagList({ a: '1' })))).toMatchObject({
        status: 404,
        code: 'NoSuchKey',
      });
      expect(await s3Error(s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key })))).toMatchObject({
        status: 404,
        code: 'NoSuchKey',
      });
      expect(await s3Error(s3.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key })))).toMatchObject({
        status: 404,
        code: 'NoSuchKey',
      });
      expect(await missing('retag/missing')).toBe(true);
    });
  });

  describe("S3's limits", () => {
    /**
     * Gives `tags` each way S3 takes tags: PutObject's header (a new key), CreateMultipartUpload's
     * header, and PutObjectTagging's document (on an object tagged `kept=1`).
     */
    async function eachWay(name: string, tags: Tag[], rawHeader = header(tags)) {
      await put(`limits/${name}/tagged`, 'x', 'kept=1');
      return {
        put: await s3Error(put(`limits/${name}/new`, 'x', rawHeader)),
        multipart: await s3Error(
          s3.send(
            new CreateMultipartUploadCommand({
              Bucket: BUCKET,
              Key: `limits/${name}/new`,
              Tagging: rawHeader,
            }),
          ),
        ),
        putTagging: await s3Error(putTags(`limits/${name}/tagged`, tags)),
      };
    }
    /** Nothing of the refused writes was kept. */
    async function nothingKept(name: string) {
      expect(await missing(`limits/${name}/new`)).toBe(true);
      expect(await tagsOf(`limits/${name}/tagged`)).toEqual(tagList({ kept: '1' }));
    }

    it('takes 10 tags, keys of 128 and values of 256 UTF-16 code units, letters of any script and S3 symbols', async () => {
      const longest = Array.from({ length: 10 }, (_, i) => ({
        Key: `${i}`.padEnd(128, 'k'),
        Value: `${i}`.padEnd(256, 'v'),
      }));
      const unicode = [
        { Key: '𝒜'.repeat(64), Value: '文'.repeat(256) }, // 𝒜 takes two UTF-16 code units
        { Key: 'ünïcödé', Value: 'ελληνικά' },
        { Key: 'a b+c-d=e.f_g:h/i@j', Value: '' },
      ];
      for (const tags of [longest, unicode]) {
        await put('limits/accepted', 'x', header(tags));
        expect(await tagsOf('limits/accepted')).toEqual(byKey(tags));
        await putTags('limits/accepted', tags);
        expect(await tagsOf('limits/accepted')).toEqual(byKey(tags));
        await multipart('limits/accepted', 'x', header(tags));
        expect(await tagsOf('limits/accepted')).toEqual(byKey(tags));
        expect((await headOf('limits/accepted')).TagCount).toBe(tags.length);
      }
    });

    it('refuses 11 tags with 400 BadRequest "Object tags cannot be greater than 10"', async () => {
      const refused = await eachWay('eleven', manyTags(11));
      for (const error of Object.values(refused)) {
        expect(error).toEqual({
          status: 400,
          code: 'BadRequest',
          message: 'Object tags cannot be greater than 10',
        });
      }
      await nothingKept('eleven');
    });

    it.each([
      ['a key of 129 characters', { Key: 'k'.repeat(129), Value: 'v' }, 'TagKey'],
      ['a key of 65 astral characters (130 code units)', { Key: '𝒜'.repeat(65), Value: 'v' }, 'TagKey'],
      ['an empty key', { Key: '', Value: 'v' }, 'TagKey'],
      ['a key with "?"', { Key: 'a?b', Value: 'v' }, 'TagKey'],
      ['a value of 257 characters', { Key: 'k', Value: 'v'.repeat(257) }, 'TagValue'],
      ['a value with ","', { Key: 'k', Value: 'metal,openstack' }, 'TagValue'],
      ['a value with an emoji', { Key: 'k', Value: '😀' }, 'TagValue'],
    ])('refuses %s with 400 InvalidTag', async (name, tag, field) => {
      const refused = await eachWay(name.replace(/\W+/g, '-'), [tag]);
      for (const error of Object.values(refused)) {
        expect(error).toEqual({
          status: 400,
          code: 'InvalidTag',
          message: `The ${field} you have provided is invalid`,
        });
      }
      await nothingKept(name.replace(/\W+/g, '-'));
    });

    it('refuses two tags with one key: InvalidTag in a tag set, InvalidArgument in x-amz-tagging', async () => {
      const refused = await eachWay('duplicate', tagList({ a: '1' }).concat(tagList({ a: '2' })));
      expect(refused.putTagging).toEqual({
        status: 400,
        code: 'InvalidTag',
        message: 'Cannot provide multiple Tags with the same key',
      });
      const invalidHeader = {
        status: 400,
        code: 'InvalidArgument',
        message:
          "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
      };
      expect(refused.put).toEqual(invalidHeader);
      expect(refused.multipart).toEqual(invalidHeader);
      await nothingKept('duplicate');
    });

    it.each([
      ['not UTF-8', 'a=%FF'],
      ['not URL-encoded', 'a=%zz'],
      ['a pair with two "="', 'a=b=c'],
    ])('refuses an x-amz-tagging header that is %s with 400 InvalidArgument', async (_, value) => {
      const error = await s3Error(put('limits/header', 'x', value));
      expect(error).toMatchObject({ status: 400, code: 'InvalidArgument' });
      expect(await missing('limits/header')).toBe(true);
    });
  });

  describe('presigned PUT', () => {
    it('applies the tags a presigned URL signs as a header, and refuses other tags or none', async () => {
      const url = await getSignedUrl(
        s3,
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'presigned/header',
          Tagging: 'streamdrop-state=pending',
        }),
        { expiresIn: 300, unhoistableHeaders: new Set(['x-amz-tagging']) },
      );
      const { searchParams } = new URL(url);
      expect(searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('x-amz-tagging');
      expect(searchParams.has('x-amz-tagging')).toBe(false);
      const send = (headers: Record<string, string>) =>
        fetch(url, { method: 'PUT', body: 'upload', headers });
      for (const headers of [
        {} as Record<string, string>,
        { 'x-amz-tagging': 'streamdrop-state=complete' },
        { 'x-amz-tagging': 'streamdrop-state=pending&extra=1' },
        { 'x-amz-tagging': '' },
      ]) {
        const refused = await send(headers);
        expect(refused.status).toBe(403);
        expect(xmlCode(await refused.text())).toBe('SignatureDoesNotMatch');
      }
      expect(await missing('presigned/header')).toBe(true);

      expect((await send({ 'x-amz-tagging': 'streamdrop-state=pending' })).status).toBe(200);
      expect(await tagsOf('presigned/header')).toEqual(tagList({ 'streamdrop-state': 'pending' }));
    });

    it('applies the tags a presigned URL carries in its query, and refuses them edited or overridden', async () => {
      const url = await getSignedUrl(
        s3,
        new PutObjectCommand({ Bucket: BUCKET, Key: 'presigned/query', Tagging: 'streamdrop-state=pending' }),
        { expiresIn: 300 },
      );
      expect(new URL(url).searchParams.get('x-amz-tagging')).toBe('streamdrop-state=pending');
      const edited = new URL(url);
      edited.searchParams.set('x-amz-tagging', 'streamdrop-state=complete');
      const editedResponse = await fetch(edited, { method: 'PUT', body: 'upload' });
      expect(editedResponse.status).toBe(403);
      expect(xmlCode(await editedResponse.text())).toBe('SignatureDoesNotMatch');
      const overridden = await fetch(url, {
        method: 'PUT',
        body: 'upload',
        headers: { 'x-amz-tagging': 'streamdrop-state=complete' },
      });
      expect(overridden.status).toBe(403);
      expect(xmlMessage(await overridden.text())).toBe(
        'There were headers present in the request which were not signed',
      );
      expect(await missing('presigned/query')).toBe(true);

      expect((await fetch(url, { method: 'PUT', body: 'upload' })).status).toBe(200);
      expect(await tagsOf('presigned/query')).toEqual(tagList({ 'streamdrop-state': 'pending' }));
    });
  });

  describe('the lifecycle sweep', () => {
    it('finds what stayed pending by tags and LastModified, whichever way it was written', async () => {
      const Bucket = 'tagging-sweep';
      await s3.send(new CreateBucketCommand({ Bucket }));
      const pending = 'streamdrop-state=pending';
      const complete = tagList({ 'streamdrop-state': 'complete' });
      const started = Date.now();
      await put('u/put-pending', 'x', pending, Bucket);
      await put('u/put-complete', 'x', pending, Bucket);
      await putTags('u/put-complete', complete, Bucket);
      const presigned = await getSignedUrl(
        s3,
        new PutObjectCommand({ Bucket, Key: 'u/presigned-pending', Tagging: pending }),
        { expiresIn: 300, unhoistableHeaders: new Set(['x-amz-tagging']) },
      );
      await fetch(presigned, { method: 'PUT', body: 'x', headers: { 'x-amz-tagging': pending } });
      await multipart('u/multipart-pending', 'x', pending, Bucket);
      await multipart('u/multipart-complete', 'x', pending, Bucket);
      await putTags('u/multipart-complete', complete, Bucket);
      await s3.send(
        new CopyObjectCommand({ Bucket, Key: 'u/copy-pending', CopySource: `${Bucket}/u/put-pending` }),
      );

      // the sweep: what is pending and was last modified before the cut-off goes
      const cutOff = Date.now() + 1000;
      const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
      const swept: string[] = [];
      for (const object of listed.Contents ?? []) {
        const Key = object.Key ?? '';
        const modified = object.LastModified?.getTime() ?? Number.NaN;
        expect(modified).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
        const tags = await tagsOf(Key, Bucket);
        const state = tags.find((t) => t.Key === 'streamdrop-state')?.Value;
        if (state === 'pending' && modified < cutOff) {
          await s3.send(new DeleteObjectCommand({ Bucket, Key }));
          swept.push(Key);
        }
      }
      expect(swept).toEqual([
        'u/copy-pending',
        'u/multipart-pending',
        'u/presigned-pending',
        'u/put-pending',
      ]);
      const left = await s3.send(new ListObjectsV2Command({ Bucket }));
      expect(left.Contents?.map((o) => o.Key)).toEqual(['u/multipart-complete', 'u/put-complete']);
    });
  });
});
