import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type S3Stub, startS3Stub } from '../src/stubs/s3-stub';
import { sha256Of, textSource, wholeUnits } from '../src/stubs/text-source';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

let stub: S3Stub;
let s3: S3Client;

beforeAll(async () => {
  // No added latency: these tests check answers, never timing.
  stub = await startS3Stub({ latencyMs: 0, keepBodiesUpTo: 64 * 1024 });
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: stub.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
});

afterAll(async () => {
  s3.destroy();
  await stub.close();
});

describe('the bench S3 stub', () => {
  it('answers the loopback endpoint path-style, as the SDK addresses an IP endpoint', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'uploads/a/b/c.txt', Body: 'hello' }));

    expect(stub.object('data', 'uploads/a/b/c.txt')?.sha256).toBe(sha256('hello'));
  });

  it('answers PutObjectTagging (the re-tag of an upload) without storing its body as the object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'uploads/t.txt', Body: 'hello' }));
    const puts = stub.calls.PutObject ?? 0;

    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'data',
        Key: 'uploads/t.txt',
        Tagging: { TagSet: [{ Key: 'streamdrop-state', Value: 'complete' }] },
      }),
    );

    expect(stub.calls.PutObjectTagging).toBe(1);
    expect(stub.calls.PutObject).toBe(puts);
    expect(stub.object('data', 'uploads/t.txt')?.sha256).toBe(sha256('hello'));
  });

  it('stores what PutObject sends, with content type and metadata, and serves it back', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'data',
        Key: 'processed/wörld.txt',
        Body: 'HELLO WÖRLD',
        ContentType: 'text/plain; charset=utf-8',
        Metadata: { 'upload-id': 'u-1', transform: 'uppercase-text-v1' },
      }),
    );

    const head = await s3.send(new HeadObjectCommand({ Bucket: 'data', Key: 'processed/wörld.txt' }));
    expect(head.Metadata).toEqual({ 'upload-id': 'u-1', transform: 'uppercase-text-v1' });
    expect(head.ContentType).toBe('text/plain; charset=utf-8');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'processed/wörld.txt' }));
    await expect(got.Body?.transformToString()).resolves.toBe('HELLO WÖRLD');
  });

  it('answers a missing key as S3 does: NotFound for HeadObject, NoSuchKey for GetObject', async () => {
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'data', Key: 'nothing' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'nothing' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('refuses a create-only PutObject (If-None-Match: *) when the key exists', async () => {
    const put = () =>
      s3.send(
        new PutObjectCommand({ Bucket: 'data', Key: 'idempotency/k.json', Body: '{}', IfNoneMatch: '*' }),
      );
    await put();

    await expect(put()).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });

  it('deletes objects', async () => {
    stub.putObject('data', 'to-delete', Buffer.from('x'));
    await s3.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'to-delete' }));

    expect(stub.object('data', 'to-delete')).toBeUndefined();
  });

  it('decodes a streamed body the SDK sends aws-chunked with a trailing checksum', async () => {
    const text = 'streamed ✓ '.repeat(5000);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'data',
        Key: 'streamed.txt',
        Body: Readable.from([Buffer.from(text)]),
        ContentLength: Buffer.byteLength(text),
      }),
    );

    expect(stub.object('data', 'streamed.txt')).toMatchObject({
      size: Buffer.byteLength(text),
      sha256: sha256(text),
    });
  });

  it('assembles a multipart upload in part order even when parts arrive out of order', async () => {
    const parts = [Buffer.alloc(70_000, 'a'), Buffer.alloc(70_000, 'b'), Buffer.from('c-last')];
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'data',
        Key: 'multi.bin',
        ContentType: 'application/octet-stream',
      }),
    );
    const send = (n: number) =>
      s3.send(
        new UploadPartCommand({
          Bucket: 'data',
          Key: 'multi.bin',
          UploadId,
          PartNumber: n,
          Body: parts[n - 1],
        }),
      );
    const etags = [await send(3), await send(1), await send(2)].map((p) => p.ETag);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'data',
        Key: 'multi.bin',
        UploadId,
        MultipartUpload: {
          Parts: [1, 2, 3].map((n) => ({ PartNumber: n, ETag: etags[[3, 1, 2].indexOf(n)] })),
        },
      }),
    );

    expect(stub.object('data', 'multi.bin')).toMatchObject({
      size: 140_006,
      sha256: sha256(Buffer.concat(parts)),
      contentType: 'application/octet-stream',
    });
    expect(stub.calls).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 3, CompleteMultipartUpload: 1 });
  });

  it('serves a generated object chunk by chunk without holding its bytes', async () => {
    const source = textSource(wholeUnits(300_000));
    stub.putSource('data', 'uploads/big.txt', source, sha256Of(source));

    const got = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'uploads/big.txt' }));
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);

    expect(bytes.length).toBe(source.size);
    expect(sha256(bytes)).toBe(sha256Of(source));
    expect(stub.object('data', 'uploads/big.txt')?.body).toBeUndefined();
  });

  it('counts objects under a prefix of one bucket', () => {
    stub.putObject('other', 'processed/x', Buffer.from('x'));

    expect(stub.objectCount('other', 'processed/')).toBe(1);
    expect(stub.objectCount('other', 'uploads/')).toBe(0);
  });

  it('replaces an object on If-Match only while it still has that ETag', async () => {
    const first = stub.putObject('data', 'processed/cas.txt', Buffer.from('one'));
    const put = (etag: string, body: string) =>
      s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'processed/cas.txt', Body: body, IfMatch: etag }));

    await put(first.etag, 'two');
    await expect(put(first.etag, 'three')).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: 'data', Key: 'processed/absent.txt', Body: 'x', IfMatch: '"x"' }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });

    expect(stub.object('data', 'processed/cas.txt')?.sha256).toBe(sha256('two'));
  });

  it('refuses to complete a create-only multipart upload (If-None-Match: *) over an existing key', async () => {
    stub.putObject('data', 'processed/twin.bin', Buffer.from('already here'));
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'processed/twin.bin' }),
    );
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: 'data',
        Key: 'processed/twin.bin',
        UploadId,
        PartNumber: 1,
        Body: 'new',
      }),
    );

    await expect(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'data',
          Key: 'processed/twin.bin',
          UploadId,
          IfNoneMatch: '*',
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });

    expect(stub.object('data', 'processed/twin.bin')?.sha256).toBe(sha256('already here'));
  });
});
