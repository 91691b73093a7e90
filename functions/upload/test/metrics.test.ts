import { Metrics } from '@aws-lambda-powertools/metrics';
import { ProvisionedThroughputExceededException, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { METRICS, serviceName } from '@streamdrop/config';
import { captureEmf, type EmfMetric, makeHttpApiEvent, makeLambdaContext } from '@streamdrop/events/testing';
import { createHandler } from '../src/handler';
import { uploadMetrics } from '../src/metrics';
import { acceptEverything, DEMO_BODY, kinesisMock, makeDeps, s3Mock } from './support';

const NAMESPACE = 'Streamdrop/test';
const SERVICE = { service: serviceName('upload') };

/** One invocation of the handler with real Powertools Metrics; resolves with its answer and the EMF it wrote. */
async function invoke(body: unknown, headers: Record<string, string> = {}) {
  const metrics = uploadMetrics(new Metrics({ namespace: NAMESPACE, serviceName: serviceName('upload') }));
  const handler = createHandler({ ...makeDeps(), metrics });
  let status: number | undefined;
  const emitted = await captureEmf(async () => {
    const response = await handler(
      makeHttpApiEvent({ body: body as object, headers: { 'content-type': 'application/json', ...headers } }),
      makeLambdaContext(),
    );
    status = response.statusCode;
  });
  return { status, emitted };
}

const named = (emitted: EmfMetric[], name: string) => emitted.filter((m) => m.name === name);

beforeEach(acceptEverything);

describe('upload metrics', () => {
  it('counts an accepted upload and its bytes once it is durable, with the service dimension only', async () => {
    const { status, emitted } = await invoke(DEMO_BODY);

    expect(status).toBe(202);
    expect(named(emitted, METRICS.uploadsAccepted)).toEqual([
      {
        namespace: NAMESPACE,
        name: METRICS.uploadsAccepted,
        unit: 'Count',
        dimensions: SERVICE,
        values: [1],
      },
    ]);
    expect(named(emitted, METRICS.uploadBytesAccepted)).toEqual([
      {
        namespace: NAMESPACE,
        name: METRICS.uploadBytesAccepted,
        unit: 'Bytes',
        dimensions: SERVICE,
        values: [13],
      },
    ]);
    expect(named(emitted, METRICS.uploadsRefused)).toEqual([]);
  });

  it.each([
    ['invalid JSON', 'not json', 400, 'invalid-request'],
    ['a filename with a path separator', { filename: 'a/b.txt', content: 'x' }, 400, 'invalid-request'],
  ])('counts %s as refused with its reason, and nothing as accepted', async (_label, body, code, reason) => {
    const { status, emitted } = await invoke(body);

    expect(status).toBe(code);
    expect(named(emitted, METRICS.uploadsRefused)).toEqual([
      expect.objectContaining({ dimensions: { ...SERVICE, reason }, values: [1] }),
    ]);
    expect(named(emitted, METRICS.uploadsAccepted)).toEqual([]);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('counts a 503 (Kinesis kept refusing, the object was rolled back) as refused, reason unavailable', async () => {
    kinesisMock
      .on(PutRecordCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    const { status, emitted } = await invoke(DEMO_BODY);

    expect(status).toBe(503);
    expect(named(emitted, METRICS.uploadsRefused)).toEqual([
      expect.objectContaining({ dimensions: { ...SERVICE, reason: 'unavailable' }, values: [1] }),
    ]);
    expect(named(emitted, METRICS.uploadsAccepted)).toEqual([]);
    expect(named(emitted, METRICS.uploadBytesAccepted)).toEqual([]);
  });

  it('counts a repeated Idempotency-Key as replayed, not as a second accepted upload', async () => {
    // Idempotency records in memory: the first request writes its record, the second reads it back.
    const objects = new Map<string, string>();
    s3Mock.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
      const text = objects.get(input.Key);
      if (text === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return { Body: { transformToString: async () => text }, ETag: '"e"' };
    });
    s3Mock.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: unknown }) => {
      if (typeof input.Body === 'string') objects.set(input.Key, input.Body);
      return { VersionId: 'v1', ETag: '"e"' };
    });

    const first = await invoke(DEMO_BODY, { 'idempotency-key': 'key-1' });
    const again = await invoke(DEMO_BODY, { 'idempotency-key': 'key-1' });

    expect([first.status, again.status]).toEqual([202, 202]);
    expect(named(first.emitted, METRICS.uploadsAccepted)).toHaveLength(1);
    expect(named(again.emitted, METRICS.uploadsReplayed)).toEqual([
      expect.objectContaining({ dimensions: SERVICE, values: [1] }),
    ]);
    expect(named(again.emitted, METRICS.uploadsAccepted)).toEqual([]);
  });

  it('never puts the upload id, the user or the key in a dimension', async () => {
    const { emitted } = await invoke(DEMO_BODY);
    for (const metric of emitted) expect(Object.keys(metric.dimensions)).toEqual(['service']);
  });
});
