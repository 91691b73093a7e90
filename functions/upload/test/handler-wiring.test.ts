import { ProvisionedThroughputExceededException, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { decodeUploadEvent, UploadResponseSchema } from '@streamdrop/events';
import { makeHttpApiEvent, makeLambdaContext, TEST_BUCKET, TEST_USER_SUB } from '@streamdrop/events/testing';
import { acceptEverything, DEMO_BODY, kinesisMock, s3Mock, TEST_STREAM_NAME } from './support';

// The production handler reads its environment when its modules load: set it first, then import.
const ENV = {
  AWS_REGION: 'us-east-1',
  DATA_BUCKET: TEST_BUCKET,
  STREAM_NAME: TEST_STREAM_NAME,
  MAX_UPLOAD_BYTES: '1024',
  KINESIS_MAX_ATTEMPTS: '3',
  S3_FORCE_PATH_STYLE: 'true',
};
const saved = { ...process.env };
let entry: typeof import('../src/index');
let clients: typeof import('../src/clients');

beforeAll(async () => {
  Object.assign(process.env, ENV);
  entry = await import('../src/index');
  clients = await import('../src/clients');
});

afterAll(() => {
  process.env = saved;
});

beforeEach(acceptEverything);

describe('upload handler as deployed (index.handler)', () => {
  it('stores and publishes the demo upload with the bucket and stream from the environment', async () => {
    const response = await entry.handler(makeHttpApiEvent({ body: DEMO_BODY }), makeLambdaContext());

    expect(response.statusCode).toBe(202);
    const body = UploadResponseSchema.parse(JSON.parse(response.body ?? ''));
    expect(body.file_key).toMatch(new RegExp(`^uploads/${TEST_USER_SUB}/[0-9a-f-]{36}/demo\\.txt$`));
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: TEST_BUCKET, Key: body.file_key });
    const record = kinesisMock.commandCalls(PutRecordCommand)[0]?.args[0].input;
    expect(record?.StreamName).toBe(TEST_STREAM_NAME);
    expect(record?.PartitionKey).toBe(body.uploadId);
    const event = decodeUploadEvent(record?.Data ?? new Uint8Array());
    expect(Math.abs(Date.parse(event.uploadedAt) - Date.now())).toBeLessThan(60_000);
  });

  it('gives every upload a fresh id', async () => {
    const first = await entry.handler(makeHttpApiEvent({ body: DEMO_BODY }), makeLambdaContext());
    const second = await entry.handler(makeHttpApiEvent({ body: DEMO_BODY }), makeLambdaContext());

    expect(JSON.parse(first.body ?? '').uploadId).not.toBe(JSON.parse(second.body ?? '').uploadId);
  });

  it('enforces MAX_UPLOAD_BYTES from the environment with 413', async () => {
    const body = { filename: 'big.txt', content: 'x'.repeat(1025) };

    const response = await entry.handler(makeHttpApiEvent({ body }), makeLambdaContext());

    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body ?? '').message).toContain('1024 bytes');
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('rolls back and answers 503 with Retry-After when Kinesis fails', async () => {
    kinesisMock
      .on(PutRecordCommand)
      .rejects(new ProvisionedThroughputExceededException({ $metadata: {}, message: 'Rate exceeded' }));

    const response = await entry.handler(makeHttpApiEvent({ body: DEMO_BODY }), makeLambdaContext());

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('2');
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteObjectCommand, 1);
  });

  it('talks to Kinesis over HTTP/1.1 with the attempts from KINESIS_MAX_ATTEMPTS', async () => {
    const handler = clients.kinesis.config.requestHandler;

    expect(handler).toBeInstanceOf(NodeHttpHandler);
    expect(handler.metadata?.handlerProtocol).toBe('http/1.1');
    expect(await clients.kinesis.config.maxAttempts()).toBe(3);
  });

  it('addresses S3 path-style when S3_FORCE_PATH_STYLE is true', () => {
    expect(clients.s3.config.forcePathStyle).toBe(true);
  });
});
