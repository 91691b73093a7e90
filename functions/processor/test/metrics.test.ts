import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { METRICS, serviceName } from '@streamdrop/config';
import {
  captureEmf,
  type EmfMetric,
  makeKinesisEvent,
  makeKinesisRecord,
  makeLambdaContext,
  makeUploadEvent,
  TEST_BUCKET,
} from '@streamdrop/events/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../src/handler';
import { processorMetrics } from '../src/metrics';
import { upperCaseText } from '../src/transforms';
import { FakeS3, s3Error, testS3Client } from './support/fake-s3';

const NAMESPACE = 'Streamdrop/test';
const SERVICE = { service: serviceName('processor') };
// Five minutes and 250 ms after makeUploadEvent's uploadedAt.
const NOW = new Date('2026-11-21T10:05:00.250Z');

const s3Mock = mockClient(S3Client);
let fake: FakeS3;

beforeEach(() => {
  s3Mock.reset();
  fake = new FakeS3(s3Mock);
});

/** One invocation over `records` with real Powertools Metrics; resolves with the EMF it wrote and how it ended. */
async function invoke(records: ReturnType<typeof makeKinesisRecord>[]) {
  const metrics = processorMetrics(
    new Metrics({ namespace: NAMESPACE, serviceName: serviceName('processor') }),
  );
  const handler = createHandler({
    s3: testS3Client(),
    config: { dataBucket: TEST_BUCKET, failuresBucket: 'streamdrop-test-failures', concurrency: 4 },
    transform: upperCaseText,
    now: () => NOW,
    logger: { info: jest.fn(), warn: jest.fn(), error: jest.fn() },
    metrics,
  });
  let thrown: unknown;
  const emitted = await captureEmf(() =>
    handler(makeKinesisEvent(records), makeLambdaContext()).catch((error: unknown) => {
      thrown = error;
    }),
  );
  return { emitted, thrown };
}

function upload(n: number, content = `hello kinesis ${n}`) {
  const event = makeUploadEvent({ uploadId: `upload-${n}`, content });
  fake.put(TEST_BUCKET, event.key, content, event.contentType);
  return { event, record: makeKinesisRecord(event) };
}

/** The values of one metric over every EMF line, and the dimension sets it came with. */
function valuesOf(emitted: EmfMetric[], name: string) {
  const found = emitted.filter((m) => m.name === name);
  return { values: found.flatMap((m) => m.values), dimensions: found.map((m) => m.dimensions) };
}

describe('processor metrics', () => {
  it('counts each processed record with its latency from upload to processed and its size', async () => {
    const [a, b] = [upload(1), upload(2, 'a longer text')];

    const { emitted } = await invoke([a.record, b.record]);

    expect(valuesOf(emitted, METRICS.recordsProcessed)).toEqual({ values: [1, 1], dimensions: [SERVICE] });
    expect(valuesOf(emitted, METRICS.processingLatency).values).toEqual([300_250, 300_250]);
    expect(valuesOf(emitted, METRICS.objectSize).values.sort((x, y) => x - y)).toEqual([13, 15]);
    expect(emitted.find((m) => m.name === METRICS.processingLatency)?.unit).toBe('Milliseconds');
    expect(valuesOf(emitted, METRICS.recordsSkipped).values).toEqual([]);
    expect(valuesOf(emitted, METRICS.recordsRetried).values).toEqual([]);
  });

  it('counts a redelivered record as skipped, with no latency and no size', async () => {
    const a = upload(1);
    await invoke([a.record]);

    const { emitted } = await invoke([a.record]);

    expect(valuesOf(emitted, METRICS.recordsSkipped)).toEqual({ values: [1], dimensions: [SERVICE] });
    expect(valuesOf(emitted, METRICS.recordsProcessed).values).toEqual([]);
    expect(valuesOf(emitted, METRICS.processingLatency).values).toEqual([]);
  });

  it('counts a poison record as failed permanently once its failure record is written', async () => {
    const good = upload(1);

    const { emitted } = await invoke([good.record, makeKinesisRecord('{"version": 1')]);

    expect(valuesOf(emitted, METRICS.recordsFailedPermanently)).toEqual({
      values: [1],
      dimensions: [SERVICE],
    });
    expect(valuesOf(emitted, METRICS.recordsProcessed).values).toEqual([1]);
    expect(valuesOf(emitted, METRICS.recordsRetried).values).toEqual([]);
  });

  it('counts the records handed back for a retry, and only those', async () => {
    const [a, b, c] = [upload(1), upload(2), upload(3)];
    s3Mock.on(GetObjectCommand, { Key: b.event.key }).rejects(s3Error('SlowDown', 503));

    const { emitted } = await invoke([a.record, b.record, c.record]);

    expect(valuesOf(emitted, METRICS.recordsRetried)).toEqual({ values: [1], dimensions: [SERVICE] });
    expect(valuesOf(emitted, METRICS.recordsProcessed).values).toEqual([1, 1]);
  });

  it('counts a whole failed batch as retried, and still writes its metrics before it throws', async () => {
    const [a, b] = [upload(1), upload(2)];
    s3Mock.on(GetObjectCommand).rejects(s3Error('SlowDown', 503));

    const { emitted, thrown } = await invoke([a.record, b.record]);

    expect(thrown).toBeInstanceOf(Error);
    expect(valuesOf(emitted, METRICS.recordsRetried).values).toEqual([2]);
  });

  it('writes no EMF line for an invocation that counted nothing', async () => {
    const { emitted } = await invoke([]);
    expect(emitted).toEqual([]);
  });
});
