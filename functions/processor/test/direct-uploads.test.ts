import 'aws-sdk-client-mock-jest';
import { createHash, randomBytes } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { processedKeyFor } from '@streamdrop/events';
import {
  makeDirectUploadEvent,
  makeKinesisRecord,
  makeLambdaContext,
  makeUploadEvent,
  TEST_BUCKET,
  TEST_UPLOAD_ID,
  TEST_USER_SUB,
} from '@streamdrop/events/testing';
import type { UploadRecord } from '@streamdrop/lambda-kit/uploads-table';
import { mockClient } from 'aws-sdk-client-mock';
import { handleRecord, NOT_DECLARED, type ProcessDeps } from '../src/process-record';
import { upperCaseText } from '../src/transforms';
import { FakeS3, testS3Client } from './support/fake-s3';

const context = makeLambdaContext();
const invocation = { functionName: context.functionName, awsRequestId: context.awsRequestId };
const s3Mock = mockClient(S3Client);
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** The table of statuses, in memory: what the processor marked, by upload id. */
class FakeStatuses {
  readonly marks: Array<{ kind: 'processed' | 'failed'; uploadId: string; detail: unknown }> = [];
  current: UploadRecord | undefined;
  async get() {
    return this.current;
  }
  async markProcessed(_sub: string, uploadId: string, detail: unknown) {
    this.marks.push({ kind: 'processed', uploadId, detail });
    return true;
  }
  async markFailed(_sub: string, uploadId: string, detail: unknown) {
    this.marks.push({ kind: 'failed', uploadId, detail });
    return true;
  }
}

let fake: FakeS3;
let statuses: FakeStatuses;
let deps: ProcessDeps;

beforeEach(() => {
  s3Mock.reset();
  fake = new FakeS3(s3Mock);
  statuses = new FakeStatuses();
  deps = {
    s3: testS3Client(),
    config: { dataBucket: TEST_BUCKET, failuresBucket: 'streamdrop-test-failures' },
    transform: upperCaseText,
    now: () => new Date('2026-11-21T10:05:00.000Z'),
    statuses,
  };
});

describe('processing a direct upload (event v2)', () => {
  it('computes the digest of a source that declared none, and marks the upload processed with both digests', async () => {
    const event = makeDirectUploadEvent({ content: 'hello direct', declared: false });
    fake.put(TEST_BUCKET, event.key, 'hello direct', event.contentType);

    await expect(handleRecord(makeKinesisRecord(event), invocation, deps)).resolves.toBe('processed');

    const key = processedKeyFor(event.key);
    expect(fake.get(TEST_BUCKET, key)?.body.toString()).toBe('HELLO DIRECT');
    expect(fake.get(TEST_BUCKET, key)?.metadata['source-sha256']).toBe(NOT_DECLARED);
    expect(statuses.marks).toEqual([
      {
        kind: 'processed',
        uploadId: TEST_UPLOAD_ID,
        detail: { key, size: 12, sha256: sha256('HELLO DIRECT'), sourceSha256: sha256('hello direct') },
      },
    ]);
  });

  it('copies binary of several parts byte for byte, and records the sha256 of what it wrote', async () => {
    const bytes = randomBytes(6 * 1024 * 1024 + 3);
    const event = makeDirectUploadEvent({ content: bytes, contentType: 'application/octet-stream' });
    fake.put(TEST_BUCKET, event.key, bytes, event.contentType);

    await handleRecord(makeKinesisRecord(event), invocation, deps);

    expect(fake.get(TEST_BUCKET, processedKeyFor(event.key))?.body.equals(bytes)).toBe(true);
    expect(statuses.marks[0]?.detail).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
  });

  it('fails a source whose bytes do not match the declared sha256: a failure record, status failed with the reason, no processed object', async () => {
    const event = makeDirectUploadEvent({ content: 'hello direct', sha256: sha256('other bytes') });
    fake.put(TEST_BUCKET, event.key, 'hello direct', event.contentType);
    const record = makeKinesisRecord(event);

    await expect(handleRecord(record, invocation, deps)).resolves.toBe('failed-permanently');

    expect(fake.get(TEST_BUCKET, processedKeyFor(event.key))).toBeUndefined();
    expect(statuses.marks).toEqual([
      { kind: 'failed', uploadId: TEST_UPLOAD_ID, detail: expect.stringContaining(sha256('other bytes')) },
    ]);
    expect(
      fake.get('streamdrop-test-failures', `processor/${record.eventID.replace(':', '_')}.json`),
    ).toBeDefined();
  });

  it('heals the status on redelivery when the twin was written but the status never said so', async () => {
    const event = makeUploadEvent();
    fake.put(TEST_BUCKET, event.key, 'hello kinesis', event.contentType);
    const first = new FakeStatuses();
    await handleRecord(makeKinesisRecord(event), invocation, {
      ...deps,
      statuses: {
        ...first,
        get: first.get,
        markFailed: first.markFailed,
        markProcessed: async () => {
          throw new Error('DynamoDB down');
        },
      },
    }).catch(() => 'retried');

    statuses.current = { userSub: TEST_USER_SUB, uploadId: TEST_UPLOAD_ID, status: 'queued' } as UploadRecord;
    await expect(handleRecord(makeKinesisRecord(event), invocation, deps)).resolves.toBe('skipped');

    expect(statuses.marks).toEqual([
      {
        kind: 'processed',
        uploadId: TEST_UPLOAD_ID,
        detail: expect.objectContaining({
          size: 13,
          sha256: sha256('HELLO KINESIS'),
          sourceSha256: event.sha256,
        }),
      },
    ]);
  });

  it('removes the processed object it wrote when the upload was deleted while it was processed', async () => {
    const event = makeDirectUploadEvent({ content: 'deleted meanwhile' });
    fake.put(TEST_BUCKET, event.key, 'deleted meanwhile', event.contentType);
    // DELETE /uploads/{id} runs while the twin is written: it marks the item, removes the source
    // (and the twin, not there yet), so no status can be marked afterwards.
    deps.statuses = {
      get: statuses.get.bind(statuses),
      markFailed: statuses.markFailed.bind(statuses),
      markProcessed: async () => {
        fake.objects.delete(`${TEST_BUCKET}/${event.key}`);
        return false;
      },
    };

    await expect(handleRecord(makeKinesisRecord(event), invocation, deps)).resolves.toBe('processed');

    expect(fake.get(TEST_BUCKET, processedKeyFor(event.key))).toBeUndefined();
  });

  it('keeps the processed object when no status can be marked but the upload is still there', async () => {
    const event = makeDirectUploadEvent({ content: 'no item for it' });
    fake.put(TEST_BUCKET, event.key, 'no item for it', event.contentType);
    deps.statuses = {
      get: statuses.get.bind(statuses),
      markFailed: statuses.markFailed.bind(statuses),
      markProcessed: async () => false, // older than the table, or its item expired
    };

    await expect(handleRecord(makeKinesisRecord(event), invocation, deps)).resolves.toBe('processed');

    expect(fake.get(TEST_BUCKET, processedKeyFor(event.key))?.body.toString()).toBe('NO ITEM FOR IT');
  });

  it('removes a twin left by an earlier delivery once the upload is found deleted', async () => {
    const event = makeDirectUploadEvent({ content: 'gone' });
    fake.put(TEST_BUCKET, event.key, 'gone', event.contentType);
    // First delivery: the twin is written just as a DELETE of the upload ends (source, twin and
    // item gone), and the status update fails; the record will be delivered again.
    await handleRecord(makeKinesisRecord(event), invocation, {
      ...deps,
      statuses: {
        get: statuses.get.bind(statuses),
        markFailed: statuses.markFailed.bind(statuses),
        markProcessed: async () => {
          fake.objects.delete(`${TEST_BUCKET}/${event.key}`);
          throw new Error('DynamoDB down');
        },
      },
    }).catch(() => 'retried');
    expect(fake.get(TEST_BUCKET, processedKeyFor(event.key))).toBeDefined();

    // Redelivery: the twin is there, the item and the source are not. The record fails for good
    // (its source does not exist), and the twin goes with it.
    await expect(handleRecord(makeKinesisRecord(event), invocation, deps)).resolves.toBe(
      'failed-permanently',
    );

    expect(fake.get(TEST_BUCKET, processedKeyFor(event.key))).toBeUndefined();
  });

  it('touches no status on a redelivery of an upload already marked processed', async () => {
    const event = makeUploadEvent();
    fake.put(TEST_BUCKET, event.key, 'hello kinesis', event.contentType);
    await handleRecord(makeKinesisRecord(event), invocation, deps);
    statuses.current = {
      userSub: TEST_USER_SUB,
      uploadId: TEST_UPLOAD_ID,
      status: 'processed',
      processed: { key: processedKeyFor(event.key), size: 13, sha256: 'x' },
    } as UploadRecord;

    await expect(handleRecord(makeKinesisRecord(event), invocation, deps)).resolves.toBe('skipped');
    expect(statuses.marks).toHaveLength(1);
  });
});
