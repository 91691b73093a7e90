import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import {
  CreateSessionResponseSchema,
  decodeUploadEvent,
  ListUploadsResponseSchema,
  UploadStatusSchema,
} from '@streamdrop/events';
import { TEST_UPLOAD_ID, TEST_USER_SUB } from '@streamdrop/events/testing';
import { completeUpload } from '../src/sessions/complete';
import { createSession } from '../src/sessions/create';
import { deleteUpload } from '../src/sessions/delete';
import { getUpload, listUploads } from '../src/sessions/read';
import {
  asItem,
  ddbMock,
  KEY,
  makeSessionDeps,
  NOW,
  sessionRecord,
  sessionRequest,
} from './sessions-support';
import { kinesisMock, s3Mock } from './support';

const MIB = 1024 * 1024;
const DIGEST = 'ab'.repeat(32);
const create = (body: object, deps = makeSessionDeps()) =>
  createSession(sessionRequest({ body: JSON.stringify(body), uploadId: undefined }), deps);

beforeEach(() => {
  s3Mock.reset();
  kinesisMock.reset();
  ddbMock.reset();
  ddbMock.on(PutItemCommand).resolves({});
  ddbMock.on(UpdateItemCommand).resolves({});
  ddbMock.on(DeleteItemCommand).resolves({});
  s3Mock.on(PutObjectTaggingCommand).resolves({});
  s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'mpu-1' });
  kinesisMock.on(PutRecordCommand).resolves({ ShardId: 'shardId-000000000000', SequenceNumber: '1' });
});

function nothingCreated() {
  expect(s3Mock).not.toHaveReceivedCommand(CreateMultipartUploadCommand);
  expect(ddbMock).not.toHaveReceivedCommand(PutItemCommand);
  expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
}

describe('opening an upload session', () => {
  it('hands out one presigned PUT that binds the length, no overwrite, the uploading tag and a declared sha256', async () => {
    const response = CreateSessionResponseSchema.parse(
      await create({ filename: 'big.bin', size: 12, sha256: DIGEST.toUpperCase() }),
    );

    expect(response).toMatchObject({ uploadId: TEST_UPLOAD_ID, status: 'awaiting-upload' });
    expect(response.expiresAt).toBe('2026-12-06T10:15:00.000Z');
    expect(response.parts).toHaveLength(1);
    const [part] = response.parts;
    expect(part).toMatchObject({ partNumber: 1, method: 'PUT', offset: 0, size: 12 });
    expect(part?.headers).toEqual({
      'content-type': 'application/octet-stream',
      'if-none-match': '*',
      'x-amz-tagging': 'streamdrop-state=uploading',
      'x-amz-checksum-sha256': Buffer.from(DIGEST, 'hex').toString('base64'),
    });
    const url = new URL(part?.url ?? '');
    expect(url.host).toBe('streamdrop-test-data.s3.us-east-1.amazonaws.com');
    expect(decodeURIComponent(url.pathname)).toBe(`/${KEY}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual([
      'content-length',
      'host',
      'if-none-match',
      'x-amz-checksum-sha256',
      'x-amz-tagging',
    ]);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    // No checksum of an empty body in the query: S3 would refuse every byte with BadDigest.
    expect([...url.searchParams.keys()].filter((k) => k.startsWith('x-amz-checksum'))).toEqual([]);
    expect(s3Mock).not.toHaveReceivedCommand(CreateMultipartUploadCommand);
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
    const item = ddbMock.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({
      userSub: { S: TEST_USER_SUB },
      uploadId: { S: TEST_UPLOAD_ID },
      status: { S: 'awaiting-upload' },
      sha256: { S: DIGEST },
      size: { N: '12' },
      // Gone an hour after the URLs: DynamoDB's TTL removes a session never completed.
      expiresAtEpoch: { N: String((NOW.getTime() + 900_000 + 3_600_000) / 1000) },
    });
  });

  it('splits a larger file into 16 MiB parts, the last one odd-sized, each with its length signed', async () => {
    const size = 2 * 16 * MIB + 7;
    const response = CreateSessionResponseSchema.parse(await create({ filename: 'big.bin', size }));

    expect(response.parts.map(({ partNumber, offset, size }) => ({ partNumber, offset, size }))).toEqual([
      { partNumber: 1, offset: 0, size: 16 * MIB },
      { partNumber: 2, offset: 16 * MIB, size: 16 * MIB },
      { partNumber: 3, offset: 32 * MIB, size: 7 },
    ]);
    for (const part of response.parts) {
      const url = new URL(part.url);
      expect(url.searchParams.get('uploadId')).toBe('mpu-1');
      expect(url.searchParams.get('partNumber')).toBe(String(part.partNumber));
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
      expect(part.headers).toEqual({});
    }
    expect(s3Mock).toHaveReceivedCommandWith(CreateMultipartUploadCommand, {
      Key: KEY,
      Tagging: 'streamdrop-state=uploading',
    });
    const item = ddbMock.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({ multipartUploadId: { S: 'mpu-1' }, partSize: { N: String(16 * MIB) } });
  });

  it('keeps a 5 GiB file within 1,000 parts of at least 16 MiB', async () => {
    const response = await create({ filename: 'big.bin', size: 5 * 1024 * MIB });
    expect(response.parts).toHaveLength(320);
  });

  it('refuses a file over the limit with 413 before anything is created', async () => {
    const deps = makeSessionDeps();
    await expect(create({ filename: 'big.bin', size: 5 * 1024 * MIB + 1 }, deps)).rejects.toMatchObject({
      statusCode: 413,
      message: 'size must be at most 5368709120 bytes (got 5368709121)',
    });
    nothingCreated();
  });

  it.each([
    [{ filename: 'a', size: -1 }, /^size: /],
    [{ filename: 'a/b', size: 1 }, /^filename: /],
    [{ filename: 'a', size: 1, sha256: 'nope' }, /^sha256: /],
    [{ filename: 'a', size: 1, bucket: 'other' }, /unknown field "bucket"/],
  ])('refuses %j with 400 naming the field, creating nothing', async (body, message) => {
    await expect(create(body)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(message),
    });
    nothingCreated();
  });

  it('aborts the multipart upload and answers 503 when the session cannot be recorded', async () => {
    ddbMock.on(PutItemCommand).rejects(new Error('throttled'));
    s3Mock.on(AbortMultipartUploadCommand).resolves({});

    await expect(create({ filename: 'big.bin', size: 40 * MIB })).rejects.toMatchObject({ statusCode: 503 });
    expect(s3Mock).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { Key: KEY, UploadId: 'mpu-1' });
  });
});

describe('completing an upload session', () => {
  const complete = (deps = makeSessionDeps(), userSub = TEST_USER_SUB) =>
    completeUpload(sessionRequest({ userSub }), deps);
  const stored = (size: number) =>
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: KEY, Size: size }] });

  it('lists the single PUT, tags it pending, publishes event v2, marks it queued, tags it complete, answers 202', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(sessionRecord({ sha256: DIGEST })) });
    stored(12);

    const response = await complete();

    expect(response).toEqual({
      message: 'Upload accepted; it will be processed shortly.',
      uploadId: TEST_UPLOAD_ID,
      file_key: KEY,
      s3: { bucket: 'streamdrop-test-data', key: KEY },
      requestId: 'Req1=',
      status: 'queued',
    });
    const tags = s3Mock
      .commandCalls(PutObjectTaggingCommand)
      .map((c) => c.args[0].input.Tagging?.TagSet?.[0]?.Value);
    expect(tags).toEqual(['pending', 'complete']);
    const event = decodeUploadEvent(
      kinesisMock.commandCalls(PutRecordCommand)[0]?.args[0].input.Data ?? new Uint8Array(),
    );
    expect(event).toMatchObject({
      version: 2,
      origin: 'direct',
      key: KEY,
      size: 12,
      sha256: DIGEST,
      userSub: TEST_USER_SUB,
    });
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      ConditionExpression: '#status = :awaiting',
    });
  });

  it('publishes no sha256 when none was declared', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(sessionRecord()) });
    stored(12);
    await complete();
    const event = decodeUploadEvent(
      kinesisMock.commandCalls(PutRecordCommand)[0]?.args[0].input.Data ?? new Uint8Array(),
    );
    expect(event).not.toHaveProperty('sha256');
  });

  it('answers 404 for an id the caller does not have, whoever else has it', async () => {
    ddbMock.on(GetItemCommand).resolves({});
    await expect(complete(makeSessionDeps(), 'another-user')).rejects.toMatchObject({ statusCode: 404 });
    expect(ddbMock).toHaveReceivedCommandWith(GetItemCommand, {
      Key: { userSub: { S: 'another-user' }, uploadId: { S: TEST_UPLOAD_ID } },
    });
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
  });

  it('answers 409 before the single PUT arrived, and publishes nothing', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(sessionRecord()) });
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
    await expect(complete()).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringMatching(/part 1/),
    });
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectTaggingCommand);
  });

  it('answers 409 naming the parts that did not arrive', async () => {
    const record = sessionRecord({ size: 40 * MIB, multipartUploadId: 'mpu-1', partSize: 16 * MIB });
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(record) });
    s3Mock.on(ListPartsCommand).resolves({ Parts: [{ PartNumber: 2, Size: 16 * MIB, ETag: '"b"' }] });

    await expect(complete()).rejects.toMatchObject({
      statusCode: 409,
      message: 'parts not uploaded yet: 1, 3 (of 3); upload them, then complete',
    });
    expect(s3Mock).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
  });

  it('answers 422 when a part is not the size the session planned', async () => {
    const record = sessionRecord({ size: 20 * MIB, multipartUploadId: 'mpu-1', partSize: 16 * MIB });
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(record) });
    s3Mock.on(ListPartsCommand).resolves({
      Parts: [
        { PartNumber: 1, Size: 16 * MIB, ETag: '"a"' },
        { PartNumber: 2, Size: 3, ETag: '"b"' },
      ],
    });
    await expect(complete()).rejects.toMatchObject({
      statusCode: 422,
      message: expect.stringMatching(/^size: part 2/),
    });
  });

  it('completes a multipart upload with every part in order, never replacing an object', async () => {
    const record = sessionRecord({ size: 20 * MIB, multipartUploadId: 'mpu-1', partSize: 16 * MIB });
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(record) });
    s3Mock.on(ListPartsCommand).resolves({
      Parts: [
        { PartNumber: 2, Size: 4 * MIB, ETag: '"b"' },
        { PartNumber: 1, Size: 16 * MIB, ETag: '"a"' },
      ],
    });
    s3Mock.on(CompleteMultipartUploadCommand).resolves({});

    expect((await complete()).status).toBe('queued');
    expect(s3Mock).toHaveReceivedCommandWith(CompleteMultipartUploadCommand, {
      UploadId: 'mpu-1',
      IfNoneMatch: '*',
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: '"a"' },
          { PartNumber: 2, ETag: '"b"' },
        ],
      },
    });
  });

  it('answers 410 once the session is past its deadline', async () => {
    ddbMock.on(GetItemCommand).resolves({
      Item: asItem(sessionRecord({ completeBy: new Date(NOW.getTime() - 1).toISOString() })),
    });
    await expect(complete()).rejects.toMatchObject({ statusCode: 410 });
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
  });

  it('leaves the session completable when Kinesis fails: 503, tagged uploading again, status untouched', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(sessionRecord()) });
    stored(12);
    kinesisMock.on(PutRecordCommand).rejects(new Error('throttled'));

    await expect(complete()).rejects.toMatchObject({ statusCode: 503, retryAfterSeconds: 2 });
    const tags = s3Mock
      .commandCalls(PutObjectTaggingCommand)
      .map((c) => c.args[0].input.Tagging?.TagSet?.[0]?.Value);
    expect(tags).toEqual(['pending', 'uploading']);
    expect(ddbMock).not.toHaveReceivedCommand(UpdateItemCommand);
  });

  it('answers a second complete of a queued upload with the same 202, publishing nothing again', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(sessionRecord({ status: 'queued' })) });
    expect((await complete()).status).toBe('queued');
    expect(kinesisMock).not.toHaveReceivedCommand(PutRecordCommand);
  });
});

describe('reading uploads', () => {
  it('shows a processed upload with a presigned download of its processed object', async () => {
    const processed = { key: KEY.replace(/^uploads/, 'processed'), size: 12, sha256: DIGEST };
    ddbMock.on(GetItemCommand).resolves({
      Item: {
        ...asItem(sessionRecord({ status: 'processed' })),
        processedKey: { S: processed.key },
        processedSize: { N: '12' },
        processedSha256: { S: DIGEST },
      },
    });
    const status = UploadStatusSchema.parse(await getUpload(sessionRequest(), makeSessionDeps()));

    expect(status).toMatchObject({
      status: 'processed',
      processed: { ...processed, expiresAt: '2026-12-06T10:05:00.000Z' },
    });
    const url = new URL(status.processed?.url ?? '');
    expect(url.host).toBe('streamdrop-test-data.s3.us-east-1.amazonaws.com');
    expect(decodeURIComponent(url.pathname)).toBe(`/${processed.key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('response-content-disposition')).toBe("attachment; filename*=UTF-8''big.bin");
  });

  it('shows the reason of a failed upload, and no processed object', async () => {
    ddbMock.on(GetItemCommand).resolves({
      Item: { ...asItem(sessionRecord({ status: 'failed' })), failureReason: { S: 'checksum mismatch' } },
    });
    const status = await getUpload(sessionRequest(), makeSessionDeps());
    expect(status).toMatchObject({ status: 'failed', failure: { reason: 'checksum mismatch' } });
    expect(status).not.toHaveProperty('processed');
  });

  it('answers 404 for an unknown id, and for one that cannot be an id', async () => {
    ddbMock.on(GetItemCommand).resolves({});
    await expect(getUpload(sessionRequest(), makeSessionDeps())).rejects.toMatchObject({ statusCode: 404 });
    await expect(getUpload(sessionRequest({ uploadId: '../x' }), makeSessionDeps())).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('lists newest first a page at a time, the cursor bringing the next page', async () => {
    const first = sessionRecord({ uploadId: 'b', createdAt: '2026-12-06T10:00:02.000Z' });
    ddbMock.on(QueryCommand).resolves({
      Items: [asItem(first)],
      LastEvaluatedKey: asItem(first),
    });
    const page = ListUploadsResponseSchema.parse(
      await listUploads(sessionRequest({ query: { limit: '1' } }), makeSessionDeps()),
    );
    expect(page.uploads.map((u) => u.uploadId)).toEqual(['b']);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(ddbMock).toHaveReceivedCommandWith(QueryCommand, {
      ScanIndexForward: false,
      Limit: 1,
      IndexName: 'byCreatedAt',
    });

    ddbMock.on(QueryCommand).resolves({ Items: [] });
    const next = await listUploads(
      sessionRequest({ query: { cursor: page.nextCursor ?? '' } }),
      makeSessionDeps(),
    );
    expect(next).toEqual({ uploads: [] });
    expect(ddbMock.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      userSub: { S: TEST_USER_SUB },
      uploadId: { S: 'b' },
      createdAt: { S: '2026-12-06T10:00:02.000Z#b' },
    });
  });

  it.each([
    [{ limit: '0' }, /^limit: /],
    [{ limit: '101' }, /^limit: /],
    [{ limit: 'ten' }, /^limit: /],
    [{ cursor: 'garbage' }, /^cursor: /],
    [{ page: '2' }, /unknown query parameter "page"/],
  ])('refuses %j with 400 naming the parameter', async (query, message) => {
    await expect(listUploads(sessionRequest({ query }), makeSessionDeps())).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(message),
    });
  });

  it("refuses another user's cursor", async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [asItem(sessionRecord())], LastEvaluatedKey: {} });
    const page = await listUploads(sessionRequest(), makeSessionDeps());
    await expect(
      listUploads(
        sessionRequest({ userSub: 'someone-else', query: { cursor: page.nextCursor ?? '' } }),
        makeSessionDeps(),
      ),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('deleting an upload', () => {
  it('aborts an open multipart upload, deletes the upload and its processed twin, then the item', async () => {
    ddbMock
      .on(GetItemCommand)
      .resolves({ Item: asItem(sessionRecord({ multipartUploadId: 'mpu-1', partSize: 16 * MIB })) });
    s3Mock.on(AbortMultipartUploadCommand).resolves({});
    s3Mock.on(DeleteObjectCommand).resolves({});
    const deps = makeSessionDeps();

    await deleteUpload(sessionRequest(), deps);

    expect(s3Mock).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'mpu-1' });
    expect(s3Mock.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      KEY,
      KEY.replace(/^uploads/, 'processed'),
    ]);
    expect(ddbMock).toHaveReceivedCommand(DeleteItemCommand);
    expect(deps.metrics.deleted).toHaveBeenCalledTimes(1);
  });

  it('marks the item as being deleted before it removes anything, so that a processor finishing meanwhile records nothing', async () => {
    const order: string[] = [];
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(sessionRecord()) });
    ddbMock.on(UpdateItemCommand).callsFake(async (input: { UpdateExpression?: string }) => {
      order.push(`UpdateItem ${input.UpdateExpression}`);
      return {};
    });
    ddbMock.on(DeleteItemCommand).callsFake(async () => {
      order.push('DeleteItem');
      return {};
    });
    s3Mock.on(DeleteObjectCommand).callsFake(async (input: { Key?: string }) => {
      order.push(`DeleteObject ${input.Key?.split('/')[0]}`);
      return {};
    });

    await deleteUpload(sessionRequest(), makeSessionDeps());

    expect(order).toEqual([
      'UpdateItem SET #deleting = :at',
      'DeleteObject uploads',
      'DeleteObject processed',
      'DeleteItem',
    ]);
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      ConditionExpression: 'attribute_exists(#pk)',
      ExpressionAttributeNames: expect.objectContaining({ '#deleting': 'deletingAt' }),
    });
  });

  it('answers 404 and deletes nothing when the item goes between its read and its mark', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: asItem(sessionRecord()) });
    ddbMock
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'gone', $metadata: {} }));
    await expect(deleteUpload(sessionRequest(), makeSessionDeps())).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectCommand);
    expect(ddbMock).not.toHaveReceivedCommand(DeleteItemCommand);
  });

  it('answers 404 and deletes nothing for an id the caller does not have', async () => {
    ddbMock.on(GetItemCommand).resolves({});
    await expect(
      deleteUpload(sessionRequest({ userSub: 'another-user' }), makeSessionDeps()),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectCommand);
    expect(ddbMock).not.toHaveReceivedCommand(DeleteItemCommand);
  });
});
