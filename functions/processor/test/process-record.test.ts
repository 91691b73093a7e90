import 'aws-sdk-client-mock-jest';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import {
  FailureRecordV1Schema,
  failureRecordKey,
  processedKeyFor,
  type UploadEventV1,
  uploadKey,
} from '@streamdrop/events';
import {
  makeKinesisRecord,
  makeLambdaContext,
  makeUploadEvent,
  TEST_BUCKET,
  TEST_UPLOAD_ID,
  TEST_USER_SUB,
} from '@streamdrop/events/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { FailureRecordWriteError, PermanentFailureError } from '../src/errors';
import {
  handleRecord,
  MAX_BUFFERED_BYTES,
  MAX_WRITE_ATTEMPTS,
  type ProcessDeps,
  TRANSFORM_NOTE,
} from '../src/process-record';
import { NOT_UTF8_NOTE, type Transform, upperCaseText } from '../src/transforms';
import { chunksOf, FakeS3, preconditionFailed, s3Error, testS3Client } from './support/fake-s3';

const FAILURES_BUCKET = 'streamdrop-test-failures';
const NOW = new Date('2026-11-21T10:05:00.000Z');
const context = makeLambdaContext();
const invocation = { functionName: context.functionName, awsRequestId: context.awsRequestId };

const s3Mock = mockClient(S3Client);
let fake: FakeS3;
let deps: ProcessDeps & { logger: { info: jest.Mock; warn: jest.Mock; error: jest.Mock } };

beforeEach(() => {
  s3Mock.reset();
  fake = new FakeS3(s3Mock);
  deps = {
    s3: testS3Client(),
    config: { dataBucket: TEST_BUCKET, failuresBucket: FAILURES_BUCKET },
    transform: upperCaseText,
    now: () => NOW,
    logger: { info: jest.fn(), warn: jest.fn(), error: jest.fn() },
  };
});

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** Puts the upload's source object into the fake and returns a record carrying its event. */
function givenUpload(content: Uint8Array | string, overrides: Partial<UploadEventV1> = {}) {
  const event = makeUploadEvent({
    size: Buffer.byteLength(content),
    sha256: sha256(content),
    ...overrides,
  });
  fake.put(TEST_BUCKET, event.key, content, event.contentType);
  return { event, record: makeKinesisRecord(event) };
}

/** Puts a processed twin of the upload into the fake, with the given identity metadata. */
function givenTwin(event: UploadEventV1, identity: Record<string, string>) {
  const key = processedKeyFor(event.key);
  fake.put(TEST_BUCKET, key, 'AN EARLIER OUTPUT', event.contentType);
  const twin = fake.get(TEST_BUCKET, key);
  if (!twin) throw new Error('the fake did not keep the twin');
  twin.metadata = {
    'upload-id': event.uploadId,
    'source-sha256': event.sha256,
    'source-key': event.key,
    ...identity,
  };
  return { ...twin };
}

function processedObject(event: UploadEventV1) {
  return fake.get(TEST_BUCKET, processedKeyFor(event.key));
}

function failureRecordOf(eventID: string) {
  const stored = fake.get(FAILURES_BUCKET, failureRecordKey(eventID));
  if (!stored) throw new Error(`no failure record for ${eventID}`);
  expect(stored.contentType).toBe('application/json');
  return FailureRecordV1Schema.parse(JSON.parse(stored.body.toString('utf8')));
}

describe('handleRecord', () => {
  it('writes "HELLO KINESIS" to processed/<sub>/<id>/demo.txt with the upload metadata', async () => {
    const { event, record } = givenUpload('hello kinesis');

    await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

    const key = `processed/${TEST_USER_SUB}/${TEST_UPLOAD_ID}/demo.txt`;
    const metadata = {
      'upload-id': TEST_UPLOAD_ID,
      'source-sha256': event.sha256,
      'source-key': event.key,
      transform: upperCaseText.name,
    };
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: TEST_BUCKET,
      Key: key,
      ContentType: 'text/plain; charset=utf-8',
      Metadata: metadata,
    });
    const stored = fake.get(TEST_BUCKET, key);
    expect(stored?.body.toString('utf8')).toBe('HELLO KINESIS');
    expect(stored?.metadata).toEqual(metadata);
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: TEST_BUCKET, Key: event.key });
  });

  it('copies a non-text object byte for byte, whatever bytes it holds', async () => {
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x00, 0xff, 0xfe, 0x80]), randomBytes(200_000)]);
    const { event, record } = givenUpload(bytes, { contentType: 'application/octet-stream' });

    await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

    const stored = processedObject(event);
    expect(stored?.body.equals(bytes)).toBe(true);
    expect(stored?.contentType).toBe('application/octet-stream');
  });

  it('stores a non-ASCII source key as ASCII metadata that decodes back to the key', async () => {
    const key = uploadKey({ userSub: TEST_USER_SUB, uploadId: TEST_UPLOAD_ID, filename: 'résumé 1.txt' });
    const { event, record } = givenUpload('bonjour', { key });

    await handleRecord(record, invocation, deps);

    const sourceKey = processedObject(event)?.metadata['source-key'] ?? '';
    expect(sourceKey).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeURI(sourceKey)).toBe(key);
    expect(processedObject(event)?.body.toString('utf8')).toBe('BONJOUR');
  });

  it('streams an object larger than one part through a multipart upload', async () => {
    const bytes = randomBytes(6 * 1024 * 1024 + 123);
    const { event, record } = givenUpload(bytes, { contentType: 'image/png' });

    await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

    expect(s3Mock).toHaveReceivedCommandTimes(CreateMultipartUploadCommand, 1);
    expect(s3Mock).toHaveReceivedCommandTimes(UploadPartCommand, 2);
    expect(s3Mock).toHaveReceivedCommandTimes(CompleteMultipartUploadCommand, 1);
    expect(processedObject(event)?.body.equals(bytes)).toBe(true);
    expect(processedObject(event)?.metadata['source-sha256']).toBe(event.sha256);
  });

  describe('text declared UTF-8 that is not', () => {
    it('stores the source unchanged, with a note, instead of decoding it into U+FFFD', async () => {
      const latin1 = Buffer.from('Grüße aus Köln', 'latin1');
      const { event, record } = givenUpload(latin1, { contentType: 'text/plain; charset=utf-8' });

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

      const stored = processedObject(event);
      expect(stored?.body.equals(latin1)).toBe(true);
      expect(stored?.contentType).toBe('text/plain; charset=utf-8');
      expect(stored?.metadata).toEqual({
        'upload-id': event.uploadId,
        'source-sha256': event.sha256,
        'source-key': event.key,
        transform: upperCaseText.name,
        [TRANSFORM_NOTE]: NOT_UTF8_NOTE,
      });
      expect(deps.logger.warn).toHaveBeenCalledWith(
        expect.any(String),
        expect.objectContaining({ uploadId: event.uploadId, note: NOT_UTF8_NOTE }),
      );
      expect(fake.get(FAILURES_BUCKET, failureRecordKey(record.eventID))).toBeUndefined();
    });

    it('gives the same object however the bytes were cut, and skips it when delivered again', async () => {
      const source = Buffer.concat([Buffer.from('a'.repeat(1000)), Buffer.from([0xff]), Buffer.from('b')]);
      const { event, record } = givenUpload(source); // FakeS3 serves it in 64 KiB chunks

      await handleRecord(record, invocation, deps);
      await expect(handleRecord(record, invocation, deps)).resolves.toBe('skipped');

      expect(processedObject(event)?.body.equals(source)).toBe(true);
      expect(processedObject(event)?.versions).toBe(1);
    });

    it('aborts the multipart upload it had begun when the bad byte comes after the first part', async () => {
      const source = Buffer.concat([Buffer.alloc(6 * 1024 * 1024, 'a'), Buffer.from([0xc3, 0x28])]);
      const { event, record } = givenUpload(source);

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

      expect(s3Mock).toHaveReceivedCommand(AbortMultipartUploadCommand);
      expect(fake.openUploads).toBe(0);
      expect(processedObject(event)?.body.equals(source)).toBe(true);
      expect(processedObject(event)?.metadata[TRANSFORM_NOTE]).toBe(NOT_UTF8_NOTE);
    });
  });

  describe('memory budget', () => {
    /** A budget that grants at once and notes what it was asked for, and whether S3 was read yet. */
    function spyBudget() {
      const asked: Array<{ bytes: number; readsBefore: number }> = [];
      deps.memory = async (bytes, task) => {
        asked.push({ bytes, readsBefore: s3Mock.commandCalls(GetObjectCommand).length });
        return task();
      };
      return asked;
    }

    it('reads and writes a record only once the budget holds its size', async () => {
      const asked = spyBudget();
      const { event, record } = givenUpload('hello kinesis');

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

      expect(asked).toEqual([{ bytes: Buffer.byteLength('hello kinesis'), readsBefore: 0 }]);
      expect(processedObject(event)?.body.toString('utf8')).toBe('HELLO KINESIS');
    });

    it('weighs a large object by the parts it buffers at most, not by its size', async () => {
      const asked = spyBudget();
      const { record } = givenUpload('hello kinesis', { size: 2 ** 30 });

      await handleRecord(record, invocation, deps);

      expect(asked.map((a) => a.bytes)).toEqual([MAX_BUFFERED_BYTES]);
    });

    it('takes nothing from the budget for a large record that was already processed', async () => {
      const asked = spyBudget();
      const { event, record } = givenUpload('hello kinesis', { size: 2 ** 30 });
      givenTwin(event, { transform: upperCaseText.name });

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('skipped');

      expect(asked).toEqual([]);
      expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
    });
  });

  describe('conditional writes', () => {
    const dataCalls = () =>
      s3Mock
        .calls()
        .map((call) => call.args[0])
        .filter((command) => (command.input as { Bucket?: string }).Bucket === TEST_BUCKET)
        .map((command) => command.constructor.name);

    /** S3 refuses the first PutObject of `key` with `error`; later ones reach the fake. */
    function refuseFirstWrite(key: string, error: Error) {
      let refused = false;
      s3Mock.on(PutObjectCommand, { Key: key }).callsFake(async (input) => {
        if (refused) return fake.putObject(input);
        refused = true;
        throw error;
      });
    }

    it('makes two S3 calls on the normal path: GetObject, then a create-only PutObject', async () => {
      const { event, record } = givenUpload('hello kinesis');

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

      expect(dataCalls()).toEqual(['GetObjectCommand', 'PutObjectCommand']);
      expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
        Key: processedKeyFor(event.key),
        IfNoneMatch: '*',
      });
      expect(s3Mock).not.toHaveReceivedCommand(HeadObjectCommand);
    });

    it("skips, after one HeadObject, when S3 refuses the write because this upload's twin exists", async () => {
      const { event, record } = givenUpload('hello kinesis');
      const twin = givenTwin(event, { transform: upperCaseText.name });

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('skipped');

      expect(dataCalls()).toEqual(['GetObjectCommand', 'PutObjectCommand', 'HeadObjectCommand']);
      expect(processedObject(event)).toEqual(twin);
      expect(deps.logger.info).toHaveBeenCalledWith('already processed, skipping', expect.anything());
    });

    it('yields one object, one version, when the same record is processed twice', async () => {
      const { event, record } = givenUpload('hello kinesis');

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');
      const first = { ...processedObject(event) };
      await expect(handleRecord(record, invocation, deps)).resolves.toBe('skipped');

      expect(processedObject(event)).toEqual(first);
      expect(processedObject(event)?.versions).toBe(1);
    });

    it('lets only one of two deliveries running at once write the object', async () => {
      const { event, record } = givenUpload('hello kinesis');

      const outcomes = await Promise.all([
        handleRecord(record, invocation, deps),
        handleRecord(record, invocation, deps),
      ]);

      expect(outcomes.sort()).toEqual(['processed', 'skipped']);
      expect(processedObject(event)?.versions).toBe(1);
    });

    it('replaces a twin made by another transform, but only while it is still that object (If-Match)', async () => {
      const { event, record } = givenUpload('hello kinesis');
      const old = givenTwin(event, { transform: 'old-v0' });

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

      expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
        Key: processedKeyFor(event.key),
        IfMatch: old.etag,
      });
      expect(processedObject(event)?.body.toString('utf8')).toBe('HELLO KINESIS');
      expect(processedObject(event)?.metadata.transform).toBe(upperCaseText.name);
      expect(processedObject(event)?.versions).toBe(2);
    });

    it('replaces a twin made from another source (sha256) of the same upload id', async () => {
      const { event, record } = givenUpload('hello kinesis');
      givenTwin(event, { transform: upperCaseText.name, 'source-sha256': sha256('an earlier body') });

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

      expect(processedObject(event)?.metadata['source-sha256']).toBe(event.sha256);
    });

    it('looks again when the twin changed between its HeadObject and the replacing write', async () => {
      const { event, record } = givenUpload('hello kinesis');
      givenTwin(event, { transform: 'old-v0' });
      // The first look sees an ETag that is already stale: its If-Match write is refused.
      let looks = 0;
      s3Mock.on(HeadObjectCommand).callsFake(async (input) => {
        looks += 1;
        const head = await fake.headObject(input);
        return looks === 1 ? { ...head, ETag: '"stale"' } : head;
      });

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

      expect(s3Mock).toHaveReceivedCommandTimes(HeadObjectCommand, 2);
      expect(processedObject(event)?.metadata.transform).toBe(upperCaseText.name);
    });

    it('creates the object when the twin that refused the write is gone by the time it looks', async () => {
      const { event, record } = givenUpload('hello kinesis');
      refuseFirstWrite(processedKeyFor(event.key), preconditionFailed());

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

      expect(s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.IfNoneMatch)).toEqual([
        '*',
        '*',
      ]);
      expect(processedObject(event)?.body.toString('utf8')).toBe('HELLO KINESIS');
    });

    it('retries a 409 ConditionalRequestConflict (another conditional write under way) by looking again', async () => {
      const { event, record } = givenUpload('hello kinesis');
      refuseFirstWrite(processedKeyFor(event.key), s3Error('ConditionalRequestConflict', 409));

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

      expect(s3Mock).toHaveReceivedCommandTimes(HeadObjectCommand, 1);
      expect(processedObject(event)?.versions).toBe(1);
    });

    it(`hands the record back for a retry after ${MAX_WRITE_ATTEMPTS} lost conditional writes`, async () => {
      const { event, record } = givenUpload('hello kinesis');
      s3Mock
        .on(PutObjectCommand, { Key: processedKeyFor(event.key) })
        .rejects(s3Error('ConditionalRequestConflict', 409));

      await expect(handleRecord(record, invocation, deps)).rejects.toThrow('kept changing');

      expect(s3Mock.commandCalls(PutObjectCommand, { Key: processedKeyFor(event.key) })).toHaveLength(
        MAX_WRITE_ATTEMPTS,
      );
      expect(fake.get(FAILURES_BUCKET, failureRecordKey(record.eventID))).toBeUndefined();
    });

    it('rethrows a failing HeadObject after a refused write, and overwrites nothing', async () => {
      const { event, record } = givenUpload('hello kinesis');
      const twin = givenTwin(event, { transform: 'old-v0' });
      s3Mock.on(HeadObjectCommand).rejects(s3Error('SlowDown', 503));

      await expect(handleRecord(record, invocation, deps)).rejects.toThrow('SlowDown');

      expect(processedObject(event)).toEqual(twin);
    });

    describe('objects larger than one part', () => {
      const large = () => randomBytes(6 * 1024 * 1024 + 7);

      it("looks first, and skips without reading the source when this upload's twin exists", async () => {
        const { event, record } = givenUpload(large(), { contentType: 'application/octet-stream' });
        givenTwin(event, { transform: upperCaseText.name });

        await expect(handleRecord(record, invocation, deps)).resolves.toBe('skipped');

        expect(dataCalls()).toEqual(['HeadObjectCommand']);
      });

      it('completes the multipart upload only if the key is still absent', async () => {
        const bytes = large();
        const { event, record } = givenUpload(bytes, { contentType: 'application/octet-stream' });

        await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

        expect(s3Mock).toHaveReceivedCommandWith(CompleteMultipartUploadCommand, { IfNoneMatch: '*' });
        expect(processedObject(event)?.body.equals(bytes)).toBe(true);
      });

      it("replaces another transform's twin with If-Match on CompleteMultipartUpload", async () => {
        const { event, record } = givenUpload(large(), { contentType: 'application/octet-stream' });
        const old = givenTwin(event, { transform: 'old-v0' });

        await expect(handleRecord(record, invocation, deps)).resolves.toBe('processed');

        expect(s3Mock).toHaveReceivedCommandWith(CompleteMultipartUploadCommand, { IfMatch: old.etag });
        expect(processedObject(event)?.metadata.transform).toBe(upperCaseText.name);
      });

      it('aborts its multipart upload when a twin appeared meanwhile and S3 refuses to complete it', async () => {
        const { event, record } = givenUpload(large(), { contentType: 'application/octet-stream' });
        // Another delivery writes the twin after this one looked and before it completes.
        s3Mock.on(CreateMultipartUploadCommand).callsFakeOnce(async () => {
          givenTwin(event, { transform: upperCaseText.name });
          return { UploadId: 'raced', Bucket: TEST_BUCKET, Key: processedKeyFor(event.key) };
        });
        s3Mock.on(UploadPartCommand, { UploadId: 'raced' }).resolves({ ETag: '"p"' });
        s3Mock.on(CompleteMultipartUploadCommand, { UploadId: 'raced' }).rejects(preconditionFailed());

        await expect(handleRecord(record, invocation, deps)).resolves.toBe('skipped');

        expect(s3Mock).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'raced' });
        expect(processedObject(event)?.versions).toBe(1);
      });
    });
  });

  describe('checksum mismatch', () => {
    it('fails permanently and leaves no processed object when the source is not what the event says', async () => {
      const { event, record } = givenUpload('hello kinesis', { sha256: sha256('something else') });

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('failed-permanently');

      expect(processedObject(event)).toBeUndefined();
      expect(s3Mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Bucket: TEST_BUCKET });
      const failure = failureRecordOf(record.eventID);
      expect(failure.errorName).toBe('ChecksumMismatchError');
      expect(failure.reason).toContain(event.sha256);
      expect(failure.uploadId).toBe(event.uploadId);
    });

    it('aborts a multipart upload already under way, so nothing is completed', async () => {
      const bytes = randomBytes(6 * 1024 * 1024);
      const { event, record } = givenUpload(bytes, {
        contentType: 'application/octet-stream',
        sha256: sha256('not these bytes'),
      });

      await expect(handleRecord(record, invocation, deps)).resolves.toBe('failed-permanently');

      expect(s3Mock).toHaveReceivedCommand(CreateMultipartUploadCommand);
      expect(s3Mock).toHaveReceivedCommand(AbortMultipartUploadCommand);
      expect(s3Mock).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
      expect(fake.openUploads).toBe(0);
      expect(processedObject(event)).toBeUndefined();
      expect(failureRecordOf(record.eventID).errorName).toBe('ChecksumMismatchError');
    });
  });

  describe('permanent failures', () => {
    const validEvent = makeUploadEvent();
    const cases: Array<[string, () => ReturnType<typeof makeKinesisRecord>, string, string]> = [
      [
        'data that is not JSON',
        () => makeKinesisRecord('not json, secret words'),
        'InvalidEventError',
        'not JSON',
      ],
      [
        'an event that breaks the schema',
        () => makeKinesisRecord({ ...validEvent, sha256: 'not-a-digest' }),
        'InvalidEventError',
        'sha256',
      ],
      [
        'an event for another bucket',
        () => makeKinesisRecord({ ...validEvent, bucket: 'someone-elses-bucket' }),
        'WrongBucketError',
        'someone-elses-bucket',
      ],
      [
        'an upload whose source object does not exist',
        () => makeKinesisRecord(validEvent),
        'SourceMissingError',
        'does not exist',
      ],
    ];

    it.each(cases)(
      'records %s in the failures bucket and reports success',
      async (_, build, errorName, reason) => {
        const record = build();

        await expect(handleRecord(record, invocation, deps)).resolves.toBe('failed-permanently');

        const failure = failureRecordOf(record.eventID);
        expect(failure).toMatchObject({
          version: 1,
          source: 'processor',
          errorName,
          failedAt: NOW.toISOString(),
          functionName: context.functionName,
          awsRequestId: context.awsRequestId,
          record: {
            eventSourceARN: record.eventSourceARN,
            eventID: record.eventID,
            partitionKey: record.kinesis.partitionKey,
            sequenceNumber: record.kinesis.sequenceNumber,
            approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
            data: record.kinesis.data,
          },
        });
        expect(failure.reason).toContain(reason);
        expect(s3Mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Bucket: TEST_BUCKET });
        expect(deps.logger.warn).toHaveBeenCalledWith(
          expect.any(String),
          expect.objectContaining({ eventID: record.eventID, errorName, reason: failure.reason }),
        );
        expect(JSON.stringify(deps.logger.warn.mock.calls)).not.toContain('secret words');
      },
    );

    it('names the upload in the failure record once the event could be decoded', async () => {
      const record = makeKinesisRecord(validEvent);

      await handleRecord(record, invocation, deps);

      expect(failureRecordOf(record.eventID)).toMatchObject({
        uploadId: validEvent.uploadId,
        uploadKey: validEvent.key,
      });
    });

    it('records an upload its transform refuses with a PermanentFailureError, and writes no twin', async () => {
      const { event, record } = givenUpload('cannot be transformed');
      const refusing: Transform = {
        name: upperCaseText.name,
        // biome-ignore lint/correctness/useYield: it refuses before its first chunk
        async *transform() {
          throw new PermanentFailureError('the transform cannot read this upload');
        },
      };

      const outcome = handleRecord(record, invocation, { ...deps, transform: refusing });

      await expect(outcome).resolves.toBe('failed-permanently');
      expect(failureRecordOf(record.eventID)).toMatchObject({
        errorName: 'PermanentFailureError',
        reason: 'the transform cannot read this upload',
        uploadId: event.uploadId,
      });
      expect(processedObject(event)).toBeUndefined();
      expect(fake.openUploads).toBe(0);
    });

    it('throws, so the record is retried, when the failure record cannot be written', async () => {
      const record = makeKinesisRecord('not json');
      s3Mock.on(PutObjectCommand, { Bucket: FAILURES_BUCKET }).rejects(s3Error('SlowDown', 503));

      await expect(handleRecord(record, invocation, deps)).rejects.toThrow(FailureRecordWriteError);
    });
  });

  describe('transient failures', () => {
    it.each([
      ['throttling', s3Error('SlowDown', 503)],
      ['an internal error', s3Error('InternalError', 500)],
      ['access denied', s3Error('AccessDenied', 403)],
      ['a missing data bucket', s3Error('NoSuchBucket', 404)],
    ])('rethrows %s from GetObject and writes no failure record', async (_, error) => {
      const { record } = givenUpload('hello kinesis');
      s3Mock.on(GetObjectCommand).rejects(error);

      await expect(handleRecord(record, invocation, deps)).rejects.toBe(error);

      expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
      expect(deps.logger.error).toHaveBeenCalled();
    });

    it('rethrows a failing write of the processed object and releases the source stream', async () => {
      const bytes = randomBytes(12 * 1024 * 1024);
      const { record } = givenUpload(bytes, { contentType: 'application/octet-stream' });
      const source = Readable.from(chunksOf(bytes, 64 * 1024));
      s3Mock.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(source) });
      s3Mock.on(CreateMultipartUploadCommand).rejects(s3Error('InternalError', 500));

      await expect(handleRecord(record, invocation, deps)).rejects.toThrow('InternalError');

      expect(source.readableEnded).toBe(false);
      expect(source.destroyed).toBe(true);
    });
  });
});
