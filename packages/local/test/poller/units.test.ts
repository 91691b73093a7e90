import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildOnFailureRecord,
  CheckpointFileError,
  classifyResult,
  createFileCheckpointStore,
  laneOf,
  nextBatchLength,
  onFailureObjectKey,
  type PendingRecord,
  toPendingRecord,
} from '../../src/poller';
import { CheckpointTracker } from '../../src/poller/checkpoint-tracker';
import type { InvokeResult } from '../../src/types';

const source = {
  region: 'us-east-1',
  streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/uploads',
  invokeIdentityArn: 'arn:aws:iam::123456789012:role/processor',
};

function pending(sequenceNumber: string, data = 'x', partitionKey = 'k'): PendingRecord {
  return toPendingRecord(
    {
      SequenceNumber: sequenceNumber,
      PartitionKey: partitionKey,
      Data: Buffer.from(data),
      ApproximateArrivalTimestamp: new Date(1_700_000_000_123),
    },
    'shardId-000000000000',
    source,
    0,
  );
}

const success = (result?: unknown): InvokeResult => ({ ok: true, result, durationMs: 1 });
const batch = ['100', '200', '300'];

describe('classifyResult (Kinesis partial batch responses)', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty response', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('treats %s as a complete success', (_name, result) => {
    expect(classifyResult(success(result), batch, true)).toEqual({ kind: 'success' });
  });

  it('retries from the lowest failed sequence number, whatever the order of the list', () => {
    const result = success({ batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '200' }] });
    expect(classifyResult(result, batch, true)).toEqual({
      kind: 'partial',
      firstFailedIndex: 1,
      failedCount: 2,
    });
  });

  it.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a bad key name', { batchItemFailures: [{ sequenceNumber: '200' }] }],
    ['an identifier not in the batch', { batchItemFailures: [{ itemIdentifier: '999' }] }],
    ['a list that is not a list', { batchItemFailures: '200' }],
    ['a response that is not an object', 'done'],
  ])('treats %s as a failure of the whole batch', (_name, result) => {
    expect(classifyResult(success(result), batch, true).kind).toBe('invalid-response');
  });

  it('acknowledges the whole batch on success when ReportBatchItemFailures is off', () => {
    const result = success({ batchItemFailures: [{ itemIdentifier: '200' }] });
    expect(classifyResult(result, batch, false)).toEqual({ kind: 'success' });
  });

  it('reads errors and timeouts as function errors', () => {
    const timeout: InvokeResult = {
      ok: false,
      kind: 'timeout',
      error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds' },
      durationMs: 3000,
    };
    expect(classifyResult(timeout, batch, true)).toEqual({
      kind: 'function-error',
      description: 'timed out: Sandbox.Timedout: Task timed out after 3.00 seconds',
    });
  });
});

describe('batches', () => {
  it('caps a batch at batchSize and at the payload limit, but always takes one record', () => {
    const queue = ['1', '2', '3', '4', '5'].map((n) => pending(n, 'y'.repeat(100)));
    expect(nextBatchLength(queue, 3)).toBe(3);
    const oneRecord = (queue[0]?.payloadBytes ?? 0) + 20;
    expect(nextBatchLength(queue, 10, oneRecord * 2)).toBe(2);
    expect(nextBatchLength(queue, 10, 10)).toBe(1);
  });

  it('puts every record of a partition key in the same lane, and spreads keys over the lanes', () => {
    const lanes = new Set(Array.from({ length: 50 }, (_, i) => laneOf(`key-${i}`, 4)));
    expect([...lanes].sort()).toEqual([0, 1, 2, 3]);
    expect(laneOf('user-7', 4)).toBe(laneOf('user-7', 4));
    expect(laneOf('anything', 1)).toBe(0);
  });
});

describe('CheckpointTracker', () => {
  it('moves the checkpoint only past records whose predecessors are all finished', () => {
    const tracker = new CheckpointTracker();
    for (const sequenceNumber of ['1', '2', '3', '4']) tracker.add(sequenceNumber);
    expect(tracker.finish(['3', '4'])).toBe(false);
    expect(tracker.checkpoint).toBeUndefined();
    expect(tracker.outstanding).toBe(2);
    expect(tracker.finish(['1'])).toBe(true);
    expect(tracker.checkpoint).toBe('1');
    expect(tracker.finish(['2'])).toBe(true);
    expect(tracker.checkpoint).toBe('4');
    expect(tracker.outstanding).toBe(0);
  });
});

describe('on-failure destination record', () => {
  it('names the object as Lambda does', () => {
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    expect(
      onFailureObjectKey('esm-1', 'shardId-000000000001', at, 'f0e1d2c3-0000-4000-8000-000000000000'),
    ).toBe(
      'aws/lambda/esm-1/shardId-000000000001/2026/01/02/2026-01-02T03.04.05-f0e1d2c3-0000-4000-8000-000000000000',
    );
  });

  it('carries the batch info and the whole event as a JSON string', () => {
    const records = [pending('100', 'a'), pending('200', 'b')];
    const record = buildOnFailureRecord({
      records,
      shardId: 'shardId-000000000000',
      streamArn: source.streamArn,
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:processor',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
      lastResult: success({ batchItemFailures: [{ itemIdentifier: '100' }] }),
      failedAt: new Date(Date.UTC(2026, 0, 2)),
      requestId: 'req-1',
    });
    expect(record).toEqual({
      requestContext: {
        requestId: 'req-1',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:processor',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 2,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: null },
      version: '1.0',
      timestamp: '2026-01-02T00:00:00.000Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: '100',
        endSequenceNumber: '200',
        approximateArrivalOfFirstRecord: '2023-11-14T22:13:20.123Z',
        approximateArrivalOfLastRecord: '2023-11-14T22:13:20.123Z',
        batchSize: 2,
        streamArn: source.streamArn,
      },
      payload: JSON.stringify({ Records: records.map((r) => r.event) }),
    });
  });
});

describe('file checkpoint store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'streamdrop-checkpoints-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('persists checkpoints by mapping and shard, atomically, for a new store to read back', async () => {
    const file = join(dir, 'nested', 'checkpoints.json');
    const store = createFileCheckpointStore(file);
    expect(await store.get('esm-1', 'shardId-000000000000')).toBeUndefined();
    await Promise.all([
      store.set('esm-1', 'shardId-000000000000', { afterSequenceNumber: '1' }),
      store.set('esm-1', 'shardId-000000000000', { afterSequenceNumber: '2' }),
      store.set('esm-2', 'shardId-000000000000', { atTimestampMs: 1_700_000_000_000 }),
    ]);

    const reread = createFileCheckpointStore(file);
    expect(await reread.get('esm-1', 'shardId-000000000000')).toEqual({ afterSequenceNumber: '2' });
    expect(await reread.get('esm-2', 'shardId-000000000000')).toEqual({ atTimestampMs: 1_700_000_000_000 });
    expect(await reread.get('esm-1', 'shardId-000000000001')).toBeUndefined();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      checkpoints: {
        'esm-1/shardId-000000000000': { afterSequenceNumber: '2' },
        'esm-2/shardId-000000000000': { atTimestampMs: 1_700_000_000_000 },
      },
    });
    expect(await readdir(join(dir, 'nested'))).toEqual(['checkpoints.json']);
  });

  it('refuses a corrupt file with an error that says what to do', async () => {
    const file = join(dir, 'checkpoints.json');
    await writeFile(file, '{"version":1,"checkpoints":{"esm/shard":{"afterSequenceNumber":42}}}');
    await expect(createFileCheckpointStore(file).get('esm', 'shard')).rejects.toThrow(CheckpointFileError);
    await writeFile(file, 'not json');
    await expect(createFileCheckpointStore(file).get('esm', 'shard')).rejects.toThrow(/fix or delete it/);
  });
});
