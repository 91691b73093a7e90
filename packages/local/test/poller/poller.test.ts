import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import {
  type CheckpointStore,
  createFileCheckpointStore,
  createMemoryCheckpointStore,
  type MemoryCheckpointStore,
  type Poller,
  type PollerOptions,
  startPoller,
} from '../../src/poller';
import type { EventSourceMappingModel, Log } from '../../src/types';
import {
  ACCOUNT,
  createStream,
  type Emulators,
  FAILURES_BUCKET,
  putRecords,
  REGION,
  readFailures,
  startEmulators,
} from './emulators';
import { type Call, deferred, eventually, type FakeInvoker, failed, fakeInvoker, ok } from './fake-invoker';

let emulators: Emulators;
let scratch: string;
const running: Poller[] = [];
let mappingCounter = 0;

beforeAll(async () => {
  emulators = await startEmulators();
  scratch = await mkdtemp(join(tmpdir(), 'streamdrop-poller-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((poller) => poller.stop()));
});

afterAll(async () => {
  await emulators?.close();
  await rm(scratch, { recursive: true, force: true });
});

function mappingFor(
  streamName: string,
  overrides: Partial<EventSourceMappingModel> = {},
): EventSourceMappingModel {
  mappingCounter += 1;
  return {
    address: 'aws_lambda_event_source_mapping.stream_processor',
    uuid: `esm-${process.pid}-${mappingCounter}`,
    functionName: 'processor',
    streamName,
    streamArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${streamName}`,
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    parallelizationFactor: 1,
    reportBatchItemFailures: false,
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: -1,
    maximumRecordAgeSeconds: -1,
    enabled: true,
    ...overrides,
  };
}

interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

function recordingLog(): Log & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  };
}

function start(
  mapping: EventSourceMappingModel,
  invoker: FakeInvoker,
  extra: Partial<PollerOptions> & { checkpoints?: CheckpointStore } = {},
): Poller {
  const poller = startPoller({
    mapping,
    kinesis: emulators.kinesis,
    s3: emulators.s3,
    invoker,
    checkpoints: extra.checkpoints ?? createMemoryCheckpointStore(),
    log: recordingLog(),
    region: REGION,
    pollIntervalMs: 10,
    retryBackoff: { initialMs: 5, maxMs: 20 },
    ...extra,
  });
  running.push(poller);
  return poller;
}

/** Stops a poller and takes it off the afterEach list. */
async function stopPoller(poller: Poller): Promise<void> {
  running.splice(running.indexOf(poller), 1);
  await poller.stop();
}

const records = (prefix: string, count: number, key = 'k') =>
  Array.from({ length: count }, (_, i) => ({ key, data: `${prefix}${i}` }));

const allData = (invoker: FakeInvoker): string[] => invoker.calls.flatMap((call) => call.data);

async function checkpointOf(
  store: CheckpointStore,
  mapping: EventSourceMappingModel,
  shardId = 'shardId-000000000000',
) {
  return store.get(mapping.uuid, shardId);
}

describe('kinesis event source poller', () => {
  it('delivers 25 records with batch size 10 as batches of 10, 10 and 5, shaped as Lambda Kinesis events', async () => {
    const stream = await createStream(emulators.kinesis);
    const sequenceNumbers = await putRecords(emulators.kinesis, stream, records('r', 25, 'user-1'));
    const mapping = mappingFor(stream);
    const invoker = fakeInvoker();
    const checkpoints = createMemoryCheckpointStore();
    const before = Date.now();

    await start(mapping, invoker, { checkpoints }).idle();

    expect(invoker.calls.map((call) => call.records.length)).toEqual([10, 10, 5]);
    expect(invoker.functionNames).toEqual(['processor', 'processor', 'processor']);
    expect(allData(invoker)).toEqual(records('r', 25).map((r) => r.data));
    const first = invoker.calls[0]?.records[0];
    expect(first).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'user-1',
        sequenceNumber: sequenceNumbers[0],
        data: Buffer.from('r0').toString('base64'),
        approximateArrivalTimestamp: expect.any(Number),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${sequenceNumbers[0]}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/processor`,
      awsRegion: REGION,
      eventSourceARN: mapping.streamArn,
    });
    // Epoch seconds with a fraction, as Lambda sends it.
    const arrival = first?.kinesis.approximateArrivalTimestamp ?? 0;
    expect(arrival).toBeGreaterThan(before / 1000 - 5);
    expect(arrival).toBeLessThan(Date.now() / 1000 + 1);
    expect(await checkpointOf(checkpoints, mapping)).toEqual({ afterSequenceNumber: sequenceNumbers[24] });
  });

  it('starts at TRIM_HORIZON with the records already in the stream, at LATEST only with those put after it started', async () => {
    const stream = await createStream(emulators.kinesis);
    await putRecords(emulators.kinesis, stream, records('old', 3));
    const fromHorizon = fakeInvoker();
    const fromLatest = fakeInvoker();
    const horizon = start(mappingFor(stream, { startingPosition: 'TRIM_HORIZON' }), fromHorizon);
    const latest = start(mappingFor(stream, { startingPosition: 'LATEST' }), fromLatest);
    await Promise.all([horizon.idle(), latest.idle()]);

    await putRecords(emulators.kinesis, stream, records('new', 2));
    await Promise.all([horizon.idle(), latest.idle()]);

    expect(allData(fromHorizon)).toEqual(['old0', 'old1', 'old2', 'new0', 'new1']);
    expect(allData(fromLatest)).toEqual(['new0', 'new1']);
  });

  it('starts at AT_TIMESTAMP with the first record that arrived at or after the timestamp', async () => {
    const stream = await createStream(emulators.kinesis);
    await putRecords(emulators.kinesis, stream, records('before', 2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const timestamp = Date.now() / 1000;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await putRecords(emulators.kinesis, stream, records('after', 2));
    const invoker = fakeInvoker();

    await start(
      mappingFor(stream, { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: timestamp }),
      invoker,
    ).idle();

    expect(allData(invoker)).toEqual(['after0', 'after1']);
  });

  it('keeps a LATEST start pinned across a restart, so records put while it was down are delivered', async () => {
    const stream = await createStream(emulators.kinesis);
    await putRecords(emulators.kinesis, stream, records('ancient', 2));
    const mapping = mappingFor(stream, { startingPosition: 'LATEST' });
    const file = join(scratch, `${mapping.uuid}.json`);
    const first = fakeInvoker();
    const firstPoller = start(mapping, first, { checkpoints: createFileCheckpointStore(file) });
    await firstPoller.idle();
    await stopPoller(firstPoller);

    await putRecords(emulators.kinesis, stream, records('while-down', 2));
    const second = fakeInvoker();
    await start(mapping, second, { checkpoints: createFileCheckpointStore(file) }).idle();

    expect(first.calls).toEqual([]);
    expect(allData(second)).toEqual(['while-down0', 'while-down1']);
  });

  it('resumes after a restart exactly after the last acknowledged batch: nothing lost, only the unacknowledged batch again', async () => {
    const stream = await createStream(emulators.kinesis);
    const sequenceNumbers = await putRecords(emulators.kinesis, stream, records('r', 30));
    const mapping = mappingFor(stream, { batchSize: 10 });
    const file = join(scratch, `${mapping.uuid}.json`);
    let firstPoller: Poller | undefined;
    const first = fakeInvoker((_call, index) => {
      if (index < 2) return ok();
      // The third batch fails while the poller is being stopped: it is neither retried nor acknowledged.
      void firstPoller?.stop();
      return failed('interrupted');
    });
    firstPoller = start(mapping, first, { checkpoints: createFileCheckpointStore(file) });
    await eventually(() => first.calls.length === 3);
    await stopPoller(firstPoller);

    const persisted = JSON.parse(await readFile(file, 'utf8'));
    expect(persisted).toEqual({
      version: 1,
      checkpoints: { [`${mapping.uuid}/shardId-000000000000`]: { afterSequenceNumber: sequenceNumbers[19] } },
    });
    expect((await readdir(scratch)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const second = fakeInvoker();
    const secondPoller = start(mapping, second, { checkpoints: createFileCheckpointStore(file) });
    await secondPoller.idle();

    expect(first.calls.length).toBe(3);
    expect(second.calls.map((call) => call.data)).toEqual([
      records('r', 30)
        .slice(20)
        .map((r) => r.data),
    ]);
    expect(await createFileCheckpointStore(file).get(mapping.uuid, 'shardId-000000000000')).toEqual({
      afterSequenceNumber: sequenceNumbers[29],
    });
  });

  it('stop() lets the invocation in flight finish, persists its checkpoint and polls no more', async () => {
    const stream = await createStream(emulators.kinesis);
    const sequenceNumbers = await putRecords(emulators.kinesis, stream, records('r', 20));
    const mapping = mappingFor(stream, { batchSize: 10 });
    const checkpoints = createMemoryCheckpointStore();
    const release = deferred();
    const invoker = fakeInvoker(async (_call, index) => {
      if (index === 1) await release.promise;
      return ok();
    });
    const poller = start(mapping, invoker, { checkpoints, shardDiscoveryIntervalMs: 60_000 });
    await eventually(() => invoker.calls.length === 2);

    let stopped = false;
    const stopping = stopPoller(poller).then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    release.resolve();
    await stopping;

    expect(await checkpointOf(checkpoints, mapping)).toEqual({ afterSequenceNumber: sequenceNumbers[19] });
    expect(invoker.calls.length).toBe(2);
    // Counting the process's timers here was flaky: the SDK's sockets keep timers of their own.
    // What matters is that a stopped poller never reads or invokes again.
    await putRecords(emulators.kinesis, stream, records('late', 5));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(invoker.calls.length).toBe(2);
  });

  it('retries a partial batch failure from the lowest failed sequence number, not re-delivering the records before it', async () => {
    const stream = await createStream(emulators.kinesis);
    const sequenceNumbers = await putRecords(emulators.kinesis, stream, records('r', 10));
    const mapping = mappingFor(stream, { reportBatchItemFailures: true });
    const checkpoints = createMemoryCheckpointStore();
    const invoker = fakeInvoker((call, index) =>
      index === 0
        ? ok({
            batchItemFailures: [
              { itemIdentifier: call.sequenceNumbers[7] },
              { itemIdentifier: call.sequenceNumbers[4] },
            ],
          })
        : ok({ batchItemFailures: [] }),
    );

    await start(mapping, invoker, { checkpoints }).idle();

    expect(invoker.calls.map((call) => call.data)).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'],
      ['r4', 'r5', 'r6', 'r7', 'r8', 'r9'],
    ]);
    expect(await checkpointOf(checkpoints, mapping)).toEqual({ afterSequenceNumber: sequenceNumbers[9] });
  });

  it('treats an itemIdentifier that is not in the batch as a failure of the whole batch', async () => {
    const stream = await createStream(emulators.kinesis);
    await putRecords(emulators.kinesis, stream, records('r', 3));
    const invoker = fakeInvoker((_call, index) =>
      index === 0 ? ok({ batchItemFailures: [{ itemIdentifier: '12345' }] }) : ok(null),
    );

    await start(mappingFor(stream, { reportBatchItemFailures: true }), invoker).idle();

    expect(invoker.calls.map((call) => call.data)).toEqual([
      ['r0', 'r1', 'r2'],
      ['r0', 'r1', 'r2'],
    ]);
  });

  it('ignores batchItemFailures when ReportBatchItemFailures is off: a success acknowledges the whole batch', async () => {
    const stream = await createStream(emulators.kinesis);
    await putRecords(emulators.kinesis, stream, records('r', 3));
    const invoker = fakeInvoker((call) =>
      ok({ batchItemFailures: [{ itemIdentifier: call.sequenceNumbers[0] }] }),
    );

    await start(mappingFor(stream, { reportBatchItemFailures: false }), invoker).idle();

    expect(invoker.calls.map((call) => call.data)).toEqual([['r0', 'r1', 'r2']]);
  });

  it('bisects a batch that throws until the poison record is isolated; bisection uses no retries', async () => {
    const stream = await createStream(emulators.kinesis);
    const data = ['a', 'b', 'c', 'd', 'e', 'poison', 'g', 'h'];
    const sequenceNumbers = await putRecords(
      emulators.kinesis,
      stream,
      data.map((d) => ({ key: 'k', data: d })),
    );
    const mapping = mappingFor(stream, {
      batchSize: 8,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 1,
      onFailureBucket: FAILURES_BUCKET,
    });
    const checkpoints = createMemoryCheckpointStore();
    const invoker = fakeInvoker((call) => (call.data.includes('poison') ? failed('poison') : ok()));

    await start(mapping, invoker, { checkpoints }).idle();

    expect(invoker.calls.map((call) => call.data)).toEqual([
      ['a', 'b', 'c', 'd', 'e', 'poison', 'g', 'h'],
      ['a', 'b', 'c', 'd'],
      ['e', 'poison', 'g', 'h'],
      ['e', 'poison'],
      ['e'],
      ['poison'],
      ['poison'], // the one retry of maximumRetryAttempts: 1
      ['g', 'h'],
    ]);
    const failures = await readFailures(emulators.s3, mapping.uuid);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.body).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted' },
      KinesisBatchInfo: {
        startSequenceNumber: sequenceNumbers[5],
        endSequenceNumber: sequenceNumbers[5],
        batchSize: 1,
      },
    });
    expect(await checkpointOf(checkpoints, mapping)).toEqual({ afterSequenceNumber: sequenceNumbers[7] });
  });

  it('sends a batch that exhausts maximumRetryAttempts to the S3 on-failure destination whole, then moves on', async () => {
    const stream = await createStream(emulators.kinesis);
    const sequenceNumbers = await putRecords(emulators.kinesis, stream, [
      { key: 'k', data: 'bad-1' },
      { key: 'k', data: 'bad-2' },
      { key: 'k', data: 'good' },
    ]);
    const mapping = mappingFor(stream, {
      batchSize: 2,
      maximumRetryAttempts: 2,
      onFailureBucket: FAILURES_BUCKET,
    });
    const checkpoints = createMemoryCheckpointStore();
    const log = recordingLog();
    const invoker = fakeInvoker((call) =>
      call.data.some((d) => d.startsWith('bad')) ? failed('cannot parse') : ok(),
    );
    const before = Date.now();

    await start(mapping, invoker, { checkpoints, log }).idle();

    expect(invoker.calls.map((call) => call.data)).toEqual([
      ['bad-1', 'bad-2'],
      ['bad-1', 'bad-2'],
      ['bad-1', 'bad-2'],
      ['good'],
    ]);
    const failures = await readFailures(emulators.s3, mapping.uuid);
    expect(failures).toHaveLength(1);
    const [failure] = failures;
    expect(failure?.key).toMatch(
      new RegExp(
        `^aws/lambda/${mapping.uuid}/shardId-000000000000/\\d{4}/\\d{2}/\\d{2}/\\d{4}-\\d{2}-\\d{2}T\\d{2}\\.\\d{2}\\.\\d{2}-[0-9a-f-]{36}$`,
      ),
    );
    const body = failure?.body as Record<string, unknown> & { payload: string };
    expect(body).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:processor`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: sequenceNumbers[0],
        endSequenceNumber: sequenceNumbers[1],
        approximateArrivalOfFirstRecord: expect.stringMatching(/Z$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
        batchSize: 2,
        streamArn: mapping.streamArn,
      },
      payload: expect.any(String),
    });
    expect(Date.parse(body.timestamp as string)).toBeGreaterThanOrEqual(before);
    // The payload is the whole invocation event, exactly as the function received it.
    expect(JSON.parse(body.payload)).toEqual({ Records: invoker.calls[0]?.records });
    expect(await checkpointOf(checkpoints, mapping)).toEqual({ afterSequenceNumber: sequenceNumbers[2] });
    expect(log.lines.filter((line) => line.level === 'warn' && line.message.includes('retry'))).toHaveLength(
      2,
    );
    expect(
      log.lines.filter((line) => line.level === 'info' && line.message.startsWith('invoked')),
    ).toHaveLength(4);
  });

  it('keeps retrying a failed on-failure write and never moves the checkpoint past undelivered records', async () => {
    const stream = await createStream(emulators.kinesis);
    await putRecords(emulators.kinesis, stream, [
      { key: 'k', data: 'bad' },
      { key: 'k', data: 'good' },
    ]);
    const mapping = mappingFor(stream, {
      batchSize: 1,
      maximumRetryAttempts: 0,
      onFailureBucket: 'no-such-bucket',
    });
    const checkpoints = createMemoryCheckpointStore();
    const log = recordingLog();
    const invoker = fakeInvoker((call) => (call.data.includes('bad') ? failed() : ok()));
    const poller = start(mapping, invoker, { checkpoints, log });

    await eventually(
      () =>
        log.lines.filter((line) => line.message.includes('cannot write to on-failure destination')).length >=
        3,
    );
    await stopPoller(poller);

    expect(invoker.calls.map((call) => call.data)).toEqual([['bad']]);
    expect(checkpoints.entries()).toEqual({});
  });

  it('drops an exhausted batch with a warning when there is no on-failure destination', async () => {
    const stream = await createStream(emulators.kinesis);
    const sequenceNumbers = await putRecords(emulators.kinesis, stream, records('r', 2));
    const mapping = mappingFor(stream, { batchSize: 1, maximumRetryAttempts: 0 });
    const checkpoints = createMemoryCheckpointStore();
    const log = recordingLog();
    const invoker = fakeInvoker((call) => (call.data.includes('r0') ? failed() : ok()));

    await start(mapping, invoker, { checkpoints, log }).idle();

    expect(invoker.calls.map((call) => call.data)).toEqual([['r0'], ['r1']]);
    expect(
      log.lines.some(
        (line) => line.level === 'warn' && /dropping 1 record.*RetryAttemptsExhausted/.test(line.message),
      ),
    ).toBe(true);
    expect(await checkpointOf(checkpoints, mapping)).toEqual({ afterSequenceNumber: sequenceNumbers[1] });
  });

  it('discards records older than maximumRecordAgeSeconds to the destination while they are being retried', async () => {
    const stream = await createStream(emulators.kinesis);
    const sequenceNumbers = await putRecords(emulators.kinesis, stream, records('stuck', 2));
    let offsetMs = 0;
    const mapping = mappingFor(stream, { maximumRecordAgeSeconds: 60, onFailureBucket: FAILURES_BUCKET });
    const checkpoints = createMemoryCheckpointStore();
    const invoker = fakeInvoker((call) => (call.data.some((d) => d.startsWith('stuck')) ? failed() : ok()));
    const poller = start(mapping, invoker, { checkpoints, now: () => Date.now() + offsetMs });

    await eventually(() => invoker.calls.length >= 2);
    offsetMs = 61_000;
    await eventually(async () => (await readFailures(emulators.s3, mapping.uuid)).length === 1);
    offsetMs = 0;
    const [fresh] = await putRecords(emulators.kinesis, stream, [{ key: 'k', data: 'fresh' }]);
    await poller.idle();

    const [failure] = await readFailures(emulators.s3, mapping.uuid);
    expect(failure?.body).toMatchObject({
      requestContext: { condition: 'RecordAgeExceeded' },
      KinesisBatchInfo: {
        startSequenceNumber: sequenceNumbers[0],
        endSequenceNumber: sequenceNumbers[1],
        batchSize: 2,
      },
    });
    expect(invoker.calls.at(-1)?.data).toEqual(['fresh']);
    expect(await checkpointOf(checkpoints, mapping)).toEqual({ afterSequenceNumber: fresh });
  });

  it('discards records that are already too old when read, without invoking the function', async () => {
    const stream = await createStream(emulators.kinesis);
    await putRecords(emulators.kinesis, stream, records('old', 3));
    const mapping = mappingFor(stream, { maximumRecordAgeSeconds: 60, onFailureBucket: FAILURES_BUCKET });
    const invoker = fakeInvoker();

    await start(mapping, invoker, { now: () => Date.now() + 120_000 }).idle();

    expect(invoker.calls).toEqual([]);
    const failures = await readFailures(emulators.s3, mapping.uuid);
    expect(failures).toHaveLength(1);
    const body = failures[0]?.body as { requestContext: unknown; responseContext?: unknown; payload: string };
    expect(body.requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(body.responseContext).toBeUndefined();
    const payload = JSON.parse(body.payload) as { Records: Array<{ kinesis: { data: string } }> };
    expect(payload.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString())).toEqual([
      'old0',
      'old1',
      'old2',
    ]);
  });

  it('runs up to parallelizationFactor batches of a shard at once, keeping the order of each partition key', async () => {
    const stream = await createStream(emulators.kinesis);
    const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const put = Array.from({ length: 60 }, (_, i) => ({
      key: keys[i % keys.length] ?? 'x',
      data: String(i),
    }));
    const sequenceNumbers = await putRecords(emulators.kinesis, stream, put);
    const mapping = mappingFor(stream, { batchSize: 3, parallelizationFactor: 4 });
    const checkpoints: MemoryCheckpointStore = createMemoryCheckpointStore();
    const inFlight = new Set<Call>();
    let maxInFlight = 0;
    const checkpointViolations: string[] = [];
    const invoker = fakeInvoker(async (call) => {
      inFlight.add(call);
      maxInFlight = Math.max(maxInFlight, inFlight.size);
      const checkpoint = Object.values(checkpoints.entries())[0];
      const lowestInFlight = [...inFlight]
        .flatMap((c) => c.sequenceNumbers)
        .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))[0];
      if (checkpoint && 'afterSequenceNumber' in checkpoint && lowestInFlight) {
        if (BigInt(checkpoint.afterSequenceNumber) >= BigInt(lowestInFlight)) {
          checkpointViolations.push(`${checkpoint.afterSequenceNumber} >= ${lowestInFlight}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.floor(Math.random() * 10)));
      inFlight.delete(call);
      return ok();
    });

    await start(mapping, invoker, { checkpoints }).idle();

    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(checkpointViolations).toEqual([]);
    const delivered = invoker.calls.flatMap((call) => call.records);
    expect(delivered.map((r) => r.kinesis.sequenceNumber).sort()).toEqual([...sequenceNumbers].sort());
    for (const key of keys) {
      const order = delivered
        .filter((r) => r.kinesis.partitionKey === key)
        .map((r) => r.kinesis.sequenceNumber);
      expect(order).toEqual(sequenceNumbers.filter((_, i) => put[i]?.key === key));
    }
    for (const call of invoker.calls) {
      expect(call.records.length).toBeLessThanOrEqual(3);
    }
    expect(await checkpointOf(checkpoints, mapping)).toEqual({ afterSequenceNumber: sequenceNumbers[59] });
  });

  it('waits up to the batching window to fill a batch, but invokes at once when the batch is full', async () => {
    const stream = await createStream(emulators.kinesis);
    const windowed = fakeInvoker();
    const poller = start(mappingFor(stream, { batchSize: 100, maximumBatchingWindowSeconds: 0.4 }), windowed);
    await poller.idle();
    await putRecords(emulators.kinesis, stream, records('a', 3));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await putRecords(emulators.kinesis, stream, records('b', 2));
    await poller.idle();
    expect(windowed.calls.map((call) => call.data)).toEqual([['a0', 'a1', 'a2', 'b0', 'b1']]);

    const fullStream = await createStream(emulators.kinesis);
    const full = fakeInvoker();
    const fullPoller = start(
      mappingFor(fullStream, { batchSize: 3, maximumBatchingWindowSeconds: 30 }),
      full,
    );
    await fullPoller.idle();
    const putAt = Date.now();
    await putRecords(emulators.kinesis, fullStream, records('c', 3));
    await eventually(() => full.calls.length === 1);
    expect(Date.now() - putAt).toBeLessThan(1_000);
    expect(full.calls[0]?.data).toEqual(['c0', 'c1', 'c2']);
  });

  it('polls every shard independently, each batch holding records of one shard', async () => {
    const stream = await createStream(emulators.kinesis, 2);
    const put = Array.from({ length: 20 }, (_, i) => ({ key: `key-${i}`, data: String(i) }));
    await putRecords(emulators.kinesis, stream, put);
    const invoker = fakeInvoker();

    await start(mappingFor(stream, { batchSize: 5 }), invoker).idle();

    expect(allData(invoker).sort()).toEqual(put.map((p) => p.data).sort());
    const shardsSeen = new Set<string>();
    for (const call of invoker.calls) {
      const shards = new Set(call.records.map((r) => r.eventID.split(':')[0]));
      expect(shards.size).toBe(1);
      for (const shard of shards) if (shard) shardsSeen.add(shard);
    }
    expect([...shardsSeen].sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
  });

  it('picks up the children of a split shard and processes them after their parent', async () => {
    const stream = await createStream(emulators.kinesis);
    await putRecords(emulators.kinesis, stream, records('parent', 4, 'same-key'));
    const invoker = fakeInvoker();
    const poller = start(mappingFor(stream, { batchSize: 2 }), invoker, { shardDiscoveryIntervalMs: 20 });
    await poller.idle();

    await emulators.kinesis.send(
      new SplitShardCommand({
        StreamName: stream,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await eventually(async () => {
      const out = await emulators.kinesis.send(new ListShardsCommand({ StreamName: stream }));
      return (out.Shards ?? []).length === 3;
    });
    await putRecords(emulators.kinesis, stream, records('child', 4, 'same-key'));
    await eventually(() => allData(invoker).length === 8);
    await poller.idle();

    expect(allData(invoker)).toEqual([...records('parent', 4), ...records('child', 4)].map((r) => r.data));
    const childShards = new Set(
      invoker.calls.slice(2).flatMap((call) => call.records.map((r) => r.eventID.split(':')[0])),
    );
    expect(childShards.has('shardId-000000000000')).toBe(false);
  });

  it('does nothing for a disabled mapping', async () => {
    const stream = await createStream(emulators.kinesis);
    await putRecords(emulators.kinesis, stream, records('r', 2));
    const invoker = fakeInvoker();
    const poller = start(mappingFor(stream, { enabled: false }), invoker);

    await poller.idle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stopPoller(poller);

    expect(invoker.calls).toEqual([]);
  });
});
