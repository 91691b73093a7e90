import 'aws-sdk-client-mock-jest';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  FailureRecordV1Schema,
  failureRecordKey,
  processedKeyFor,
  type UploadEventV1,
} from '@streamdrop/events';
import {
  makeKinesisEvent,
  makeKinesisRecord,
  makeLambdaContext,
  makeUploadEvent,
  TEST_BUCKET,
} from '@streamdrop/events/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler, type ProcessorDeps } from '../src/handler';
import { upperCaseText } from '../src/transforms';
import { FakeS3, s3Error, sdkBody, testS3Client } from './support/fake-s3';

const FAILURES_BUCKET = 'streamdrop-test-failures';
const CONCURRENCY = 2;

const s3Mock = mockClient(S3Client);
let fake: FakeS3;

/** The handler over test dependencies: no environment, no module-scope clients. */
function makeHandler(overrides: Partial<ProcessorDeps> = {}) {
  return createHandler({
    s3: testS3Client(),
    config: { dataBucket: TEST_BUCKET, failuresBucket: FAILURES_BUCKET, concurrency: CONCURRENCY },
    transform: upperCaseText,
    now: () => new Date('2026-11-21T10:05:00.000Z'),
    logger: { info: jest.fn(), warn: jest.fn(), error: jest.fn() },
    ...overrides,
  });
}
const handler = makeHandler();

beforeEach(() => {
  s3Mock.reset();
  fake = new FakeS3(s3Mock);
});

/** A record for a distinct upload whose source object is in the data bucket. */
function uploadRecord(n: number) {
  const event = makeUploadEvent({ uploadId: `upload-${n}`, content: `hello kinesis ${n}` });
  fake.put(TEST_BUCKET, event.key, `hello kinesis ${n}`, event.contentType);
  return { event, record: makeKinesisRecord(event) };
}

const processedText = (event: UploadEventV1) =>
  fake.get(TEST_BUCKET, processedKeyFor(event.key))?.body.toString('utf8');

describe('processor handler', () => {
  it('reports only the record that hit throttling in batchItemFailures', async () => {
    const [first, middle, last] = [uploadRecord(1), uploadRecord(2), uploadRecord(3)];
    s3Mock.on(GetObjectCommand, { Key: middle.event.key }).rejects(s3Error('SlowDown', 503));

    const response = await handler(
      makeKinesisEvent([first.record, middle.record, last.record]),
      makeLambdaContext(),
    );

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: middle.record.kinesis.sequenceNumber }],
    });
    expect(processedText(first.event)).toBe('HELLO KINESIS 1');
    expect(processedText(middle.event)).toBeUndefined();
    expect(processedText(last.event)).toBe('HELLO KINESIS 3');
  });

  it('counts a record that failed permanently as done once its failure record is written', async () => {
    const good = uploadRecord(1);
    const bad = makeKinesisRecord('{"version": 1');

    const response = await handler(makeKinesisEvent([good.record, bad]), makeLambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const stored = fake.get(FAILURES_BUCKET, failureRecordKey(bad.eventID));
    const failure = FailureRecordV1Schema.parse(JSON.parse(stored?.body.toString('utf8') ?? 'null'));
    expect(failure.record.data).toBe(bad.kinesis.data);
    expect(failure.functionName).toBe(makeLambdaContext().functionName);
    expect(processedText(good.event)).toBe('HELLO KINESIS 1');
  });

  it('writes off an event whose content type holds CR/LF at once, and processes its neighbours', async () => {
    const [first, last] = [uploadRecord(1), uploadRecord(3)];
    const event = makeUploadEvent({
      uploadId: 'upload-2',
      content: 'hello kinesis 2',
      contentType: 'text/plain\r\nx-amz-meta-evil: 1',
    });
    fake.put(TEST_BUCKET, event.key, 'hello kinesis 2', 'text/plain');
    const poisoned = makeKinesisRecord(event);

    const response = await handler(
      makeKinesisEvent([first.record, poisoned, last.record]),
      makeLambdaContext(),
    );

    // Not in batchItemFailures: the event source mapping never delivers it again.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: FAILURES_BUCKET,
      Key: failureRecordKey(poisoned.eventID),
    });
    expect(s3Mock.commandCalls(PutObjectCommand, { Bucket: FAILURES_BUCKET })).toHaveLength(1);
    const stored = fake.get(FAILURES_BUCKET, failureRecordKey(poisoned.eventID));
    const failure = FailureRecordV1Schema.parse(JSON.parse(stored?.body.toString('utf8') ?? 'null'));
    expect(failure.errorName).toBe('InvalidEventError');
    expect(failure.reason).toMatch(/^invalid upload event: contentType: must be a media type/);
    expect(processedText(event)).toBeUndefined();
    expect(processedText(first.event)).toBe('HELLO KINESIS 1');
    expect(processedText(last.event)).toBe('HELLO KINESIS 3');
  });

  it('writes off a record whose request Node.js refuses to send, instead of retrying it', async () => {
    const [first, middle] = [uploadRecord(1), uploadRecord(2)];
    s3Mock.on(PutObjectCommand, { Bucket: TEST_BUCKET, Key: processedKeyFor(middle.event.key) }).rejects(
      Object.assign(new TypeError('Invalid character in header content ["x-amz-meta-source-key"]'), {
        code: 'ERR_INVALID_CHAR',
      }),
    );

    const response = await handler(makeKinesisEvent([first.record, middle.record]), makeLambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    const stored = fake.get(FAILURES_BUCKET, failureRecordKey(middle.record.eventID));
    const failure = FailureRecordV1Schema.parse(JSON.parse(stored?.body.toString('utf8') ?? 'null'));
    expect(failure.errorName).toBe('UnsendableRequestError');
    expect(failure.reason).toContain('ERR_INVALID_CHAR');
    expect(processedText(first.event)).toBe('HELLO KINESIS 1');
  });

  it('writes off a record S3 refuses with a client error that cannot change, and retries one that can', async () => {
    const [refused, denied] = [uploadRecord(1), uploadRecord(2)];
    s3Mock.on(GetObjectCommand, { Key: refused.event.key }).rejects(s3Error('InvalidObjectState', 403));
    s3Mock.on(GetObjectCommand, { Key: denied.event.key }).rejects(s3Error('AccessDenied', 403));

    const response = await handler(makeKinesisEvent([refused.record, denied.record]), makeLambdaContext());

    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: denied.record.kinesis.sequenceNumber }],
    });
    const stored = fake.get(FAILURES_BUCKET, failureRecordKey(refused.record.eventID));
    expect(JSON.parse(stored?.body.toString('utf8') ?? 'null')).toMatchObject({
      errorName: 'S3RefusedError',
    });
    expect(fake.get(FAILURES_BUCKET, failureRecordKey(denied.record.eventID))).toBeUndefined();
  });

  it('does not throw for a batch where every record failed permanently', async () => {
    const response = await handler(
      makeKinesisEvent([makeKinesisRecord('nope'), makeKinesisRecord('[]')]),
      makeLambdaContext(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 2);
  });

  it('reports a record as failed when its failure record cannot be written', async () => {
    const good = uploadRecord(1);
    const bad = makeKinesisRecord('not json');
    s3Mock.on(PutObjectCommand, { Bucket: FAILURES_BUCKET }).rejects(s3Error('InternalError', 500));

    const response = await handler(makeKinesisEvent([good.record, bad]), makeLambdaContext());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.kinesis.sequenceNumber }] });
  });

  it('throws when every record of the batch failed, so that the event source mapping bisects it', async () => {
    const records = [uploadRecord(1).record, uploadRecord(2).record];
    s3Mock.on(GetObjectCommand).rejects(s3Error('SlowDown', 503));

    await expect(handler(makeKinesisEvent(records), makeLambdaContext())).rejects.toMatchObject({
      name: 'FullBatchFailureError',
    });
  });

  it(`processes at most PROCESSOR_CONCURRENCY (${CONCURRENCY}) records at a time and finishes them all`, async () => {
    const uploads = Array.from({ length: 7 }, (_, i) => uploadRecord(i));
    let inFlight = 0;
    let maxInFlight = 0;
    const written = new Set<string>();
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    // A record is in flight from its GetObject until its processed object is written.
    s3Mock.on(GetObjectCommand).callsFake(async (input: { Bucket?: string; Key?: string }) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await pause();
      return { Body: sdkBody([fake.get(input.Bucket, input.Key)?.body ?? Buffer.alloc(0)]) };
    });
    s3Mock.on(PutObjectCommand).callsFake(async (input: { Key?: string }) => {
      await pause();
      written.add(input.Key ?? '');
      inFlight -= 1;
      return {};
    });

    const response = await handler(makeKinesisEvent(uploads.map((u) => u.record)), makeLambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(maxInFlight).toBe(CONCURRENCY);
    expect([...written].sort()).toEqual(uploads.map((u) => processedKeyFor(u.event.key)).sort());
  });
});
