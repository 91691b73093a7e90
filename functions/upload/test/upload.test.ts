import { createHash } from 'node:crypto';
import { ProvisionedThroughputExceededException, PutRecordCommand } from '@aws-sdk/client-kinesis';
import {
  DeleteObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { decodeUploadEvent, UploadResponseSchema, ValidationError } from '@streamdrop/events';
import {
  makeHttpApiEvent,
  makeUploadEvent,
  TEST_BUCKET,
  TEST_UPLOAD_ID,
  TEST_USER_SUB,
} from '@streamdrop/events/testing';
import { HttpError } from '@streamdrop/lambda-kit';
import { ServiceUnavailableError } from '../src/errors';
import { acceptUpload, maxBodyBytes } from '../src/upload';
import { uploadInputFromEvent } from '../src/upload-input';
import {
  acceptEverything,
  DEMO_BODY,
  expectNothingStoredOrPublished,
  kinesisMock,
  loggedText,
  makeDeps,
  s3Mock,
  TEST_STREAM_NAME,
  TEST_VERSION_ID,
  upload,
} from './support';

const DEMO_KEY = `uploads/${TEST_USER_SUB}/${TEST_UPLOAD_ID}/demo.txt`;
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes);

function putObjectInput() {
  const call = s3Mock.commandCalls(PutObjectCommand)[0];
  if (!call) throw new Error('PutObject was not called');
  return call.args[0].input;
}

function putRecordInput() {
  const call = kinesisMock.commandCalls(PutRecordCommand)[0];
  if (!call) throw new Error('PutRecord was not called');
  return call.args[0].input;
}

beforeEach(acceptEverything);

describe('upload core: accepted uploads', () => {
  it('stores the demo body under uploads/<sub>/<id>/ with its metadata and checksum', async () => {
    await upload({ body: DEMO_BODY });

    expect(putObjectInput()).toEqual({
      Bucket: TEST_BUCKET,
      Key: DEMO_KEY,
      Body: Buffer.from('hello kinesis'),
      ContentType: 'text/plain; charset=utf-8',
      ContentLength: 13,
      Metadata: {
        'upload-id': TEST_UPLOAD_ID,
        sha256: sha256('hello kinesis').digest('hex'),
        'user-sub': TEST_USER_SUB,
      },
      ChecksumSHA256: sha256('hello kinesis').digest('base64'),
      Tagging: 'streamdrop-state=pending',
    });
  });

  it('marks the stored version complete once its event is published, and only then answers', async () => {
    const order: string[] = [];
    s3Mock.on(PutObjectCommand).callsFake(async () => {
      order.push('PutObject');
      return { VersionId: TEST_VERSION_ID };
    });
    kinesisMock.on(PutRecordCommand).callsFake(async () => {
      order.push('PutRecord');
      return { ShardId: 'shardId-000000000000', SequenceNumber: '1' };
    });
    s3Mock.on(PutObjectTaggingCommand).callsFake(async () => {
      order.push('PutObjectTagging');
      return {};
    });

    await upload({ body: DEMO_BODY });

    expect(order).toEqual(['PutObject', 'PutRecord', 'PutObjectTagging']);
    expect(s3Mock.commandCalls(PutObjectTaggingCommand)[0]?.args[0].input).toEqual({
      Bucket: TEST_BUCKET,
      Key: DEMO_KEY,
      VersionId: TEST_VERSION_ID,
      Tagging: { TagSet: [{ Key: 'streamdrop-state', Value: 'complete' }] },
    });
  });

  it('marks the object complete without a version id when the bucket is not versioned', async () => {
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"etag"' });

    await upload({ body: DEMO_BODY });

    expect(s3Mock.commandCalls(PutObjectTaggingCommand)[0]?.args[0].input).not.toHaveProperty('VersionId');
  });

  it('publishes upload event v1 partitioned by upload id after storing the object', async () => {
    await upload({ body: DEMO_BODY });

    const input = putRecordInput();
    expect(input.StreamName).toBe(TEST_STREAM_NAME);
    expect(input.PartitionKey).toBe(TEST_UPLOAD_ID);
    expect(decodeUploadEvent(input.Data ?? new Uint8Array())).toEqual(makeUploadEvent());
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectCommand);
  });

  it('answers with a body that matches UploadResponseSchema', async () => {
    const response = await upload({ body: DEMO_BODY, requestId: 'req-42' });

    expect(UploadResponseSchema.parse(response)).toEqual({
      message: 'Upload accepted; it will be processed shortly.',
      uploadId: TEST_UPLOAD_ID,
      file_key: DEMO_KEY,
      s3: { bucket: TEST_BUCKET, key: DEMO_KEY },
      requestId: 'req-42',
    });
  });

  it('stores the exact bytes of a base64 binary upload as application/octet-stream', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x80, 0x7f, 0x0a, 0x0d, 0xc3, 0x28]);

    await upload({ body: { filename: 'blob.bin', content: bytes.toString('base64'), encoding: 'base64' } });

    const input = putObjectInput();
    expect(Buffer.from(input.Body as Uint8Array).equals(bytes)).toBe(true);
    expect(input.ContentType).toBe('application/octet-stream');
    expect(input.ContentLength).toBe(bytes.length);
    expect(input.Metadata?.sha256).toBe(sha256(bytes).digest('hex'));
    expect(decodeUploadEvent(putRecordInput().Data ?? new Uint8Array()).size).toBe(bytes.length);
  });

  it('decodes a body that API Gateway delivered base64-encoded', async () => {
    const body = Buffer.from(JSON.stringify(DEMO_BODY)).toString('base64');

    await upload({ body, isBase64Encoded: true });

    expect(putObjectInput().Body).toEqual(Buffer.from('hello kinesis'));
  });

  it('keeps the content type the caller sent', async () => {
    await upload({ body: { ...DEMO_BODY, filename: 'a.csv', contentType: 'text/csv' } });

    expect(putObjectInput().ContentType).toBe('text/csv');
    expect(decodeUploadEvent(putRecordInput().Data ?? new Uint8Array()).contentType).toBe('text/csv');
  });

  it('accepts content of exactly MAX_UPLOAD_BYTES', async () => {
    const deps = makeDeps({ config: { ...makeDeps().config, maxUploadBytes: 16 } });

    await upload({ body: { filename: 'a.txt', content: 'x'.repeat(16) } }, deps);

    expect(putObjectInput().ContentLength).toBe(16);
  });

  it.each([
    ['no Content-Type header', undefined],
    ['application/json; charset=utf-8', 'application/json; charset=utf-8'],
    ['application/json;charset="UTF-8"', 'application/json;charset="UTF-8"'],
    ['a +json media type', 'application/vnd.api+json'],
  ])('accepts a JSON body sent with %s', async (_label, contentType) => {
    const event = makeHttpApiEvent({ body: DEMO_BODY });
    if (contentType === undefined) delete event.headers['content-type'];
    else event.headers['content-type'] = contentType;

    await acceptUpload(uploadInputFromEvent(event), makeDeps());

    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it('logs the accepted upload without its content', async () => {
    const deps = makeDeps();

    await upload({ body: DEMO_BODY }, deps);

    expect(deps.logger.info).toHaveBeenCalledWith(
      'upload accepted',
      expect.objectContaining({ uploadId: TEST_UPLOAD_ID, key: DEMO_KEY }),
    );
    expect(loggedText(deps.logger)).not.toContain('hello kinesis');
  });
});

describe('upload core: the caller', () => {
  it.each([
    ['there is no authorizer context', null],
    ['the claims carry no sub', { token_use: 'id' }],
    ['the sub is empty', { sub: '' }],
    ['the sub is not a string', { sub: 42 }],
    ['the sub cannot be a key segment', { sub: '../other-user' }],
    ['the sub contains a slash', { sub: 'a/b' }],
  ])('rejects with 401 and stores nothing when %s', async (_label, claims) => {
    await expect(upload({ body: DEMO_BODY, claims })).rejects.toMatchObject({
      name: 'UnauthorizedError',
      statusCode: 401,
    });
    expectNothingStoredOrPublished();
  });
});

describe('upload core: the request', () => {
  it.each([
    ['a parent-directory path', '../etc/passwd'],
    ['an absolute path', '/abs'],
    ['a backslash', 'a\\b'],
    ['the dot name', '.'],
    ['the dot-dot name', '..'],
    ['a NUL byte', 'a\u0000b'],
    ['a control character', 'bell\u0007.txt'],
    ['256 bytes', 'x'.repeat(256)],
    ['nothing', ''],
  ])('rejects a filename with %s with 400 naming filename and stores nothing', async (_label, filename) => {
    const rejection = upload({ body: { filename, content: 'x' } });

    await expect(rejection).rejects.toMatchObject({ name: 'BadRequestError', statusCode: 400 });
    await expect(rejection).rejects.toThrow(/^filename: /);
    expectNothingStoredOrPublished();
  });

  it.each([
    ['invalid JSON', '{"filename": "a.txt", ', /^body is not valid JSON$/],
    ['an empty body', '', /^body is required/],
    ['no body at all', undefined, /^body is required/],
    ['a JSON array', '[]', /expected object/],
    ['a filename that is not a string', { filename: 7, content: 'x' }, /^filename: must be a string$/],
    ['content that is not a string', { filename: 'a.txt', content: 42 }, /^content: must be a string$/],
    ['no content', { filename: 'a.txt' }, /^content: /],
    ['an unknown encoding', { filename: 'a.txt', content: 'x', encoding: 'hex' }, /^encoding: /],
    [
      'base64 content that is not base64',
      { filename: 'a', content: '%%%', encoding: 'base64' },
      /^content: /,
    ],
    ['a malformed contentType', { ...DEMO_BODY, contentType: 'not a type' }, /^contentType: /],
    [
      'a contentType with CR/LF before a parameter (a header injection)',
      { ...DEMO_BODY, contentType: 'text/plain\r\n; charset=utf-8' },
      /^contentType: must be a media type/,
    ],
    [
      'text content with a lone surrogate, which UTF-8 cannot store',
      '{"filename":"a.txt","content":"caf\\ud800e"}',
      /^content: must be well-formed Unicode: it holds a lone surrogate/,
    ],
    ['an unknown field', { ...DEMO_BODY, extra: true }, /^unknown field "extra"$/],
  ])('rejects %s with 400 and an actionable message, storing nothing', async (_label, body, message) => {
    const rejection = upload({ body });

    await expect(rejection).rejects.toMatchObject({ name: 'BadRequestError', statusCode: 400 });
    await expect(rejection).rejects.toThrow(message);
    expectNothingStoredOrPublished();
  });

  it('rejects a base64-encoded body that is not UTF-8 as invalid JSON', async () => {
    const body = Buffer.from([0x7b, 0xff, 0x7d]).toString('base64');

    await expect(upload({ body, isBase64Encoded: true })).rejects.toThrow(/^body is not valid JSON$/);
    expectNothingStoredOrPublished();
  });

  it('rejects content over MAX_UPLOAD_BYTES with 413 naming the limit and stores nothing', async () => {
    const deps = makeDeps({ config: { ...makeDeps().config, maxUploadBytes: 16 } });

    const rejection = upload({ body: { filename: 'a.txt', content: 'x'.repeat(17) } }, deps);

    await expect(rejection).rejects.toMatchObject({ name: 'PayloadTooLargeError', statusCode: 413 });
    await expect(rejection).rejects.toThrow(/at most 16 bytes/);
    expectNothingStoredOrPublished();
  });

  it('measures the limit on decoded bytes, not on base64 characters', async () => {
    const deps = makeDeps({ config: { ...makeDeps().config, maxUploadBytes: 16 } });
    const content = Buffer.alloc(17).toString('base64');

    await expect(
      upload({ body: { filename: 'a', content, encoding: 'base64' } }, deps),
    ).rejects.toMatchObject({
      statusCode: 413,
    });
    expectNothingStoredOrPublished();
  });

  it('refuses an oversized raw body with 413 before parsing it', async () => {
    const deps = makeDeps({ config: { ...makeDeps().config, maxUploadBytes: 16 } });
    const body = `{${' '.repeat(maxBodyBytes(16))}`; // not even JSON: never parsed

    const rejection = upload({ body }, deps);

    await expect(rejection).rejects.toMatchObject({ name: 'PayloadTooLargeError', statusCode: 413 });
    await expect(rejection).rejects.toThrow(/16 bytes/);
    expectNothingStoredOrPublished();
  });

  it('allows the base64 of MAX_UPLOAD_BYTES of content plus JSON around it in the raw body', () => {
    const content = Buffer.alloc(4 * 1024 * 1024).toString('base64');
    const body = JSON.stringify({ filename: 'f'.repeat(255), content, encoding: 'base64' });

    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(maxBodyBytes(4 * 1024 * 1024));
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=iso-8859-1',
    'application/jsonp',
  ])('rejects Content-Type %s with 415 telling the caller to send JSON', async (contentType) => {
    const rejection = upload({ body: DEMO_BODY, headers: { 'content-type': contentType } });

    await expect(rejection).rejects.toMatchObject({ name: 'UnsupportedMediaTypeError', statusCode: 415 });
    await expect(rejection).rejects.toThrow('Content-Type: application/json');
    expectNothingStoredOrPublished();
  });
});

describe('upload core: failing dependencies', () => {
  const s3Down = () =>
    new S3ServiceException({
      name: 'InternalError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
      message: 'We encountered an internal error.',
    });
  const streamDown = () =>
    new ProvisionedThroughputExceededException({
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    });

  it('answers 503 with a retry delay and publishes nothing when S3 fails', async () => {
    s3Mock.on(PutObjectCommand).rejects(s3Down());

    const rejection = upload({ body: DEMO_BODY });

    await expect(rejection).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(rejection).rejects.toMatchObject({ statusCode: 503, retryAfterSeconds: 2 });
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectCommand);
  });

  it('rolls back the stored version and answers 503 when Kinesis fails', async () => {
    kinesisMock.on(PutRecordCommand).rejects(streamDown());

    await expect(upload({ body: DEMO_BODY })).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      statusCode: 503,
    });

    expect(s3Mock).toHaveReceivedCommandTimes(DeleteObjectCommand, 1);
    expect(s3Mock.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: TEST_BUCKET,
      Key: DEMO_KEY,
      VersionId: TEST_VERSION_ID,
    });
  });

  it('rolls back with a plain delete when the bucket is not versioned', async () => {
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"etag"' });
    kinesisMock.on(PutRecordCommand).rejects(streamDown());

    await expect(upload({ body: DEMO_BODY })).rejects.toMatchObject({ statusCode: 503 });

    expect(s3Mock.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: TEST_BUCKET,
      Key: DEMO_KEY,
    });
  });

  it('never marks an object complete whose event was not published', async () => {
    kinesisMock.on(PutRecordCommand).rejects(streamDown());

    await expect(upload({ body: DEMO_BODY })).rejects.toMatchObject({ statusCode: 503 });

    expect(s3Mock).not.toHaveReceivedCommand(PutObjectTaggingCommand);
  });

  it('answers 503 and rolls the version back when it cannot be marked complete after its event was published', async () => {
    s3Mock.on(PutObjectTaggingCommand).rejects(s3Down());
    const deps = makeDeps();

    const rejection = upload({ body: DEMO_BODY }, deps);

    await expect(rejection).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(rejection).rejects.toMatchObject({ statusCode: 503, retryAfterSeconds: 2 });
    expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordCommand, 1);
    expect(s3Mock.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: TEST_BUCKET, Key: DEMO_KEY, VersionId: TEST_VERSION_ID },
    ]);
    expect(deps.logger.error).toHaveBeenCalledWith(
      'upload event published but the object could not be marked complete',
      expect.objectContaining({ uploadId: TEST_UPLOAD_ID, key: DEMO_KEY }),
    );
  });

  it('still answers 503 and logs bucket and key, not content, when the rollback fails', async () => {
    kinesisMock.on(PutRecordCommand).rejects(streamDown());
    s3Mock.on(DeleteObjectCommand).rejects(s3Down());
    const deps = makeDeps();

    await expect(upload({ body: DEMO_BODY }, deps)).rejects.toMatchObject({ statusCode: 503 });

    expect(deps.logger.error).toHaveBeenCalledWith(
      expect.stringContaining('rollback failed'),
      expect.objectContaining({ bucket: TEST_BUCKET, key: DEMO_KEY, versionId: TEST_VERSION_ID }),
    );
    expect(loggedText(deps.logger)).not.toContain('hello kinesis');
  });

  it('stores nothing when the id generator yields an unusable id (a bug, not a bad request)', async () => {
    const rejection = upload({ body: DEMO_BODY }, makeDeps({ newId: () => 'not/an/id' }));

    await expect(rejection).rejects.toBeInstanceOf(ValidationError);
    await expect(rejection).rejects.not.toBeInstanceOf(HttpError);
    expectNothingStoredOrPublished();
  });

  it('stores nothing when the configuration is broken', async () => {
    const config = {
      dataBucket: TEST_BUCKET,
      get streamName(): string {
        throw new Error('STREAM_NAME is not set');
      },
      maxUploadBytes: 1024,
    };

    await expect(upload({ body: DEMO_BODY }, makeDeps({ config }))).rejects.toThrow('STREAM_NAME');
    expectNothingStoredOrPublished();
  });
});
