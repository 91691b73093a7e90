/**
 * "Nothing acknowledged is ever lost", proven on the real local stack (synthesized stack,
 * production bundles, emulators) with fault injection: throttling the upload function's
 * PutRecord, crashing the processor mid-batch, poison records, redrive and replay.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type FaultControl, NO_FAULTS, readVersionLog } from '@streamdrop/chaos';
import {
  allRecordData,
  buildOnFailureRecord,
  defaultStackFile,
  localKinesisClient,
  localS3Client,
  onFailureObjectKey,
  toPendingRecord,
} from '@streamdrop/local';
import {
  eventually,
  makeUpload,
  putRecords,
  signIn,
  storeSource,
  type TestStack,
  type TestUpload,
} from '@streamdrop/local/testing';
import type { KinesisStreamEvent } from 'aws-lambda';
import { cliPackageDir } from '../../src/paths';
import { startFaultyTestStack } from '../support/stack';

jest.setTimeout(60_000);

let t: TestStack & { faults: FaultControl };
let s3: S3Client;
let kinesis: KinesisClient;
let data: string;
let failures: string;
let stream: string;
let processor: string;
let versionLog: string;

beforeAll(async () => {
  t = await startFaultyTestStack({
    stackFile: defaultStackFile(),
    faults: { seed: 'reliability', ...NO_FAULTS },
    s3VersionLog: true,
  });
  const { config } = t.stack;
  s3 = localS3Client(config.s3.endpoint, config.region);
  kinesis = localKinesisClient(config.kinesis.endpoint, config.region);
  data = config.s3.buckets.data ?? '';
  failures = config.s3.buckets.failures ?? '';
  stream = config.kinesis.streamName;
  processor = t.stack.model.mappings[0]?.functionName ?? '';
  versionLog = t.faults.versionLogFile ?? '';
});
afterAll(async () => {
  s3?.destroy();
  kinesis?.destroy();
  await t?.stack.stop();
});

const faults = () => t.faults;

async function read(bucket: string, key: string): Promise<string | undefined> {
  try {
    return await (
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body?.transformToString();
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

/** Every upload event on the stream, from TRIM_HORIZON. */
async function streamEvents(): Promise<Array<{ key: string }>> {
  const events: Array<{ key: string }> = [];
  for (const data of await allRecordData(kinesis, stream)) {
    try {
      events.push(JSON.parse(Buffer.from(data).toString('utf8')) as { key: string });
    } catch {
      // not JSON
    }
  }
  return events;
}

async function failureKeys(): Promise<string[]> {
  const list = await s3.send(new ListObjectsV2Command({ Bucket: failures }));
  return (list.Contents ?? []).map((o) => o.Key ?? '');
}

async function upload(token: string, body: object) {
  return fetch(`${t.stack.config.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Versions written to a key since `from` (an index into the version log). */
const versionsOf = (key: string, from = 0) =>
  readVersionLog(versionLog)
    .slice(from)
    .filter((e) => e.key === key && e.op !== 'delete').length;

const processorCalls = (since = 0) => t.invocations.slice(since).filter((i) => i.functionName === processor);
const sequencesOf = (event: unknown) =>
  (event as KinesisStreamEvent).Records.map((r) => r.kinesis.sequenceNumber);

const allProcessed = (uploads: TestUpload[]) =>
  eventually(async () => {
    for (const u of uploads) if (!(await exists(data, u.processedKey))) return undefined;
    return true;
  });

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(cliPackageDir(), 'src/streamdrop.ts'), ...args],
      { cwd: cliPackageDir(), env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const localCli = (...args: string[]) => cli([...args, '--state-dir', t.stateDir]);

describe('the local S3', () => {
  it('pages through a listing with ListObjectsV2 continuation tokens (beyond 1000 keys, chaos and failures list need them)', async () => {
    // s3rver 3.7.1 made its tokens with DES, which OpenSSL 3 keeps in its legacy provider; the
    // patched s3rver makes them without.
    const keys = Array.from({ length: 25 }, (_, i) => `scratch/page-${String(i).padStart(4, '0')}`);
    await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: data, Key, Body: 'x' }))));
    const listed: string[] = [];
    let ContinuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: data, Prefix: 'scratch/', ContinuationToken, MaxKeys: 10 }),
      );
      listed.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      ContinuationToken = page.NextContinuationToken;
      pages += 1;
    } while (ContinuationToken);
    expect(pages).toBe(3);
    expect(listed).toEqual(keys);
  });
});

describe('the upload path under Kinesis throttling', () => {
  it('retries a throttled PutRecord through the SDK and accepts the upload, which is processed', async () => {
    const before = faults().stats().kinesis.injected.ProvisionedThroughputExceededException ?? 0;
    faults().failNext('kinesis', 2);
    const { id } = await signIn(t.stack);
    const response = await upload(id, { filename: 'throttled.txt', content: 'throttled twice' });
    expect(response.status).toBe(202);
    expect((faults().stats().kinesis.injected.ProvisionedThroughputExceededException ?? 0) - before).toBe(2);
    const { file_key: key } = (await response.json()) as { file_key: string };
    expect(await eventually(() => read(data, key.replace(/^uploads\//, 'processed/')))).toBe(
      'THROTTLED TWICE',
    );
  });

  it('answers 503 with Retry-After and keeps nothing when Kinesis throttles past every retry', async () => {
    const logFrom = readVersionLog(versionLog).length;
    faults().failNext('kinesis', 100);
    let response: Response;
    try {
      const { id } = await signIn(t.stack);
      response = await upload(id, { filename: 'refused.txt', content: 'never acknowledged' });
    } finally {
      faults().failNext('kinesis', 0);
    }
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    // The object was stored, then rolled back: nothing durable is left of a non-2xx.
    const writes = readVersionLog(versionLog)
      .slice(logFrom)
      .filter((e) => e.key.startsWith('uploads/'));
    expect(writes.map((e) => e.op)).toEqual(['put', 'delete']);
    expect(writes[0]?.key).toBe(writes[1]?.key);
    expect(await exists(data, writes[0]?.key ?? '')).toBe(false);
  });
});

describe('what a writer that dies between storing and publishing leaves behind', () => {
  it('is an upload tagged pending that no event names, which the stack’s lifecycle rule removes after its days; nothing acknowledged is touched', async () => {
    const { id } = await signIn(t.stack);
    const kept = await upload(id, { filename: 'acknowledged-before.txt', content: 'kept' });
    expect(kept.status).toBe(202);
    const keptKey = ((await kept.json()) as { file_key: string }).file_key;
    const keptProcessed = keptKey.replace(/^uploads\//, 'processed/');
    await eventually(async () => ((await exists(data, keptProcessed)) ? true : undefined));
    const uploadFunction =
      t.stack.model.routes.find((r) => r.routeKey === 'POST /uploads')?.functionName ?? '';

    // Kinesis refuses the upload's PutRecord while the SDK retries; once the object is stored,
    // the function's execution environment dies: PutObject done, PutRecord never.
    faults().failNext('kinesis', 100);
    let answer: Response | undefined;
    let key: string | undefined;
    try {
      const request = upload(id, { filename: 'killed-before-publish.txt', content: 'never published' }).then(
        (r) => {
          answer = r;
        },
      );
      key = await eventually(async () => {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: data, Prefix: 'uploads/' }));
        return listed.Contents?.map((o) => o.Key ?? '').find((k) => k.endsWith('/killed-before-publish.txt'));
      }, 10_000);
      expect(t.stack.terminateRunning(uploadFunction)).toBe(1);
      await request;
    } finally {
      faults().failNext('kinesis', 0);
    }
    expect(answer?.status).toBe(500); // the function died: the client never heard 2xx
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: data, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'streamdrop-state', Value: 'pending' }]);
    const events = await streamEvents();
    expect(events.some((e) => e.key === key)).toBe(false);

    // The stack's own rule (expire-pending-uploads, 2 days), carried out by the local sweep.
    const now = Date.now();
    const day = 86_400_000;
    expect((await t.stack.sweepLifecycle(now + 2 * day - 3_600_000)).expired).toEqual([]);
    const swept = await t.stack.sweepLifecycle(now + 2 * day + 1_000);
    expect(swept.expired).toContainEqual({ bucket: data, key, rule: 'expire-pending-uploads' });
    expect(swept.expired.filter((e) => e.key.startsWith('uploads/')).map((e) => e.key)).toEqual([key]);
    expect(await exists(data, key ?? '')).toBe(false);
    expect(await exists(data, keptKey)).toBe(true);
    expect(await exists(data, keptProcessed)).toBe(true);
  });
});

describe('the processing path', () => {
  it('after a crash mid-batch, re-delivers only from the crashed batch and rewrites nothing already written', async () => {
    const uploads = Array.from({ length: 20 }, (_, i) => makeUpload(data, `crash test ${i}`));
    for (const u of uploads) await storeSource(s3, u);
    const since = t.invocations.length;
    const logFrom = readVersionLog(versionLog).length;
    const refusedBefore = faults().stats().s3.answered['412'] ?? 0;
    // Slow S3 down so that the second batch is in flight long enough to crash it (with the
    // processor's concurrency of 100, a batch's writes land almost together).
    faults().update({ s3LatencyMs: { min: 300, max: 300 } });
    let crashed = 0;
    let writtenAtCrash = 0;
    try {
      await putRecords(
        kinesis,
        stream,
        uploads.map((u) => ({ data: u.data, partitionKey: u.event.uploadId })),
      );
      await eventually(() => {
        if (crashed > 0) return true;
        // Crash only once the first batch has been answered — the one signal that cannot come
        // from the first batch itself, however loaded the machine — while the second is running.
        const calls = processorCalls(since);
        if (calls.length !== 1) {
          if (calls.length > 1) throw new Error('the second batch finished before it could be crashed');
          return undefined;
        }
        const n = t.stack.terminateRunning(processor);
        if (n === 0) return undefined;
        crashed = n;
        writtenAtCrash = readVersionLog(versionLog)
          .slice(logFrom)
          .filter((e) => e.key.startsWith('processed/')).length;
        return true;
      }, 30_000);
      await allProcessed(uploads);
      await t.stack.idle();
    } finally {
      faults().update({ s3LatencyMs: { min: 0, max: 0 } });
    }
    expect(crashed).toBe(1);
    expect(writtenAtCrash).toBeLessThan(20);

    const calls = processorCalls(since);
    const crashIndex = calls.findIndex(
      (c) => !c.result.ok && c.result.error.errorType === 'Runtime.ExitError',
    );
    expect(crashIndex).toBeGreaterThan(0);
    const acknowledgedBefore = calls
      .slice(0, crashIndex)
      .filter((c) => c.result.ok)
      .flatMap((c) => sequencesOf(c.event));
    const crashedBatch = sequencesOf(calls[crashIndex]?.event);
    const after = calls.slice(crashIndex + 1).flatMap((c) => sequencesOf(c.event));
    expect(acknowledgedBefore.length).toBeGreaterThan(0);
    // Records acknowledged before the crash are never delivered again…
    for (const sequenceNumber of acknowledgedBefore) expect(after).not.toContain(sequenceNumber);
    // …the crashed batch is delivered again, from its first record…
    expect(after).toEqual(expect.arrayContaining(crashedBatch));
    // …and what it had already written is skipped, not rewritten: one version per object, because
    // S3 refused each second write of it (If-None-Match: *, answered 412).
    for (const u of uploads) {
      expect(versionsOf(u.processedKey, logFrom)).toBe(1);
      expect(await read(data, u.processedKey)).toBe(u.content.toUpperCase());
    }
    const acknowledgedCount = acknowledgedBefore.length;
    expect((faults().stats().s3.answered['412'] ?? 0) - refusedBefore).toBeGreaterThanOrEqual(
      Math.max(0, writtenAtCrash - acknowledgedCount),
    );
  });

  it('does not hold up the valid records behind a poison record (no retry at all)', async () => {
    const valid = Array.from({ length: 5 }, (_, i) => makeUpload(data, `behind the poison ${i}`));
    for (const u of valid) await storeSource(s3, u);
    const missing = makeUpload(data, 'its source was never stored');
    const since = t.invocations.length;
    const records = [
      { data: valid[0]?.data ?? new Uint8Array(), partitionKey: 'v0' },
      { data: Buffer.from('{"poison": true}'), partitionKey: 'poison' },
      ...valid.slice(1, 3).map((u, i) => ({ data: u.data, partitionKey: `v${i + 1}` })),
      { data: missing.data, partitionKey: 'missing' },
      ...valid.slice(3).map((u, i) => ({ data: u.data, partitionKey: `v${i + 3}` })),
    ];
    const sequenceNumbers = await putRecords(kinesis, stream, records);
    await allProcessed(valid);
    await t.stack.idle();

    const deliveries = (sequenceNumber: string) =>
      processorCalls(since).filter((c) => sequencesOf(c.event).includes(sequenceNumber)).length;
    for (const [i, sequenceNumber] of sequenceNumbers.entries()) {
      if (i === 1 || i === 4) continue;
      // At most one retry cycle (here: none) before a valid record behind the poison is done.
      expect(deliveries(sequenceNumber)).toBeLessThanOrEqual(2);
      expect(deliveries(sequenceNumber)).toBe(1);
    }
    const keys = await failureKeys();
    for (const i of [1, 4]) expect(keys.some((k) => k.includes(sequenceNumbers[i] ?? '?'))).toBe(true);
    // Failed permanently at once: nothing exhausted its retries into the on-failure destination.
    expect(keys.filter((k) => k.startsWith('aws/lambda/'))).toEqual([]);
  });
});

describe('getting work back', () => {
  const source = () => ({
    region: t.stack.config.region,
    streamArn: t.stack.model.mappings[0]?.streamArn ?? '',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/test',
  });

  async function putOnFailureObject(
    records: Array<{ data: Uint8Array; partitionKey: string; sequenceNumber: string }>,
  ) {
    const failedAt = new Date();
    const shardId = 'shardId-000000000000';
    const pending = records.map((r) =>
      toPendingRecord(
        {
          SequenceNumber: r.sequenceNumber,
          PartitionKey: r.partitionKey,
          Data: r.data,
          ApproximateArrivalTimestamp: failedAt,
        },
        shardId,
        source(),
        failedAt.getTime(),
      ),
    );
    const record = buildOnFailureRecord({
      records: pending,
      shardId,
      streamArn: source().streamArn,
      functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${processor}`,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 6,
      failedAt,
    });
    const key = onFailureObjectKey(t.stack.model.mappings[0]?.uuid ?? 'uuid', shardId, failedAt);
    await s3.send(new PutObjectCommand({ Bucket: failures, Key: key, Body: JSON.stringify(record) }));
    return key;
  }

  beforeEach(async () => {
    for (const key of await failureKeys())
      await s3.send(new DeleteObjectCommand({ Bucket: failures, Key: key }));
  });

  it('redrives a processor failure record once its cause is removed: the upload ends up processed', async () => {
    const u = makeUpload(data, 'redrive me');
    const [sequenceNumber = '?'] = await putRecords(kinesis, stream, [
      { data: u.data, partitionKey: u.event.uploadId },
    ]);
    const failureKey = await eventually(async () =>
      (await failureKeys()).find((k) => k.includes(sequenceNumber)),
    );
    expect(failureKey).toMatch(/^processor\//);

    await storeSource(s3, u); // the cause: the source object was missing
    const { code, stdout, stderr } = await localCli('failures', 'redrive', sequenceNumber, '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.stringContaining('1 failure(s) back on') });
    const result = JSON.parse(stdout) as {
      redriven: number;
      outcomes: Array<{ published: Array<{ uploadId: string }> }>;
    };
    expect(result.redriven).toBe(1);
    expect(result.outcomes[0]?.published[0]?.uploadId).toBe(u.event.uploadId);
    expect(await exists(failures, failureKey)).toBe(false);
    expect(await eventually(() => read(data, u.processedKey))).toBe('REDRIVE ME');
  });

  it('redrives an on-failure destination record, and refuses one that is not an upload event unless --force', async () => {
    const u = makeUpload(data, 'back from the destination');
    await storeSource(s3, u);
    const good = await putOnFailureObject([
      { data: u.data, partitionKey: u.event.uploadId, sequenceNumber: '1000001' },
    ]);
    const bad = await putOnFailureObject([
      { data: Buffer.from('not an upload'), partitionKey: 'junk', sequenceNumber: '1000002' },
    ]);

    const shown = await localCli('failures', 'show', good.split('/').pop() ?? '');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id: good,
      source: 'on-failure',
      reason: 'RetryAttemptsExhausted after 6 invocation(s)',
      records: [{ partitionKey: u.event.uploadId, uploadId: u.event.uploadId, data: { key: u.event.key } }],
    });

    const first = await localCli('failures', 'redrive', good, bad, '--json');
    expect(first.code).toBe(1); // an id that was asked for was refused
    const outcomes = (
      JSON.parse(first.stdout) as { outcomes: Array<{ id: string; status: string; reason?: string }> }
    ).outcomes;
    expect(outcomes).toEqual([
      expect.objectContaining({ id: good, status: 'redriven' }),
      expect.objectContaining({
        id: bad,
        status: 'refused',
        reason: expect.stringMatching(/not an upload event.*--force/),
      }),
    ]);
    expect(await exists(failures, good)).toBe(false);
    expect(await exists(failures, bad)).toBe(true);
    expect(await eventually(() => read(data, u.processedKey))).toBe('BACK FROM THE DESTINATION');

    const forced = await localCli('failures', 'redrive', bad, '--force', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ redriven: 1, refused: 0 });
    expect(await exists(failures, bad)).toBe(false);
  });

  it('replays a window of the stream without rewriting any processed object whose content is unchanged', async () => {
    const from = new Date();
    const { id } = await signIn(t.stack);
    const keys: string[] = [];
    for (const i of [1, 2, 3]) {
      const response = await upload(id, { filename: `replay-${i}.txt`, content: `replay me ${i}` });
      expect(response.status).toBe(202);
      keys.push(
        ((await response.json()) as { file_key: string }).file_key.replace(/^uploads\//, 'processed/'),
      );
    }
    for (const key of keys) await eventually(() => read(data, key));
    await t.stack.idle();
    const since = t.invocations.length;
    const refusedBefore = faults().stats().s3.answered['412'] ?? 0;

    const { code, stdout } = await localCli('replay', '--from', from.toISOString(), '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ shards: 1, inWindow: 3, republished: 3, notUploadEvents: 0 });
    // The events were delivered again…
    await eventually(() =>
      processorCalls(since).flatMap((c) => sequencesOf(c.event)).length >= 3 ? true : undefined,
    );
    await t.stack.idle();
    // …and rewrote nothing: still one version each, same content — because S3 refused each
    // rewrite (the processor writes create-only, If-None-Match: *), not because it was skipped.
    for (const [i, key] of keys.entries()) {
      expect(versionsOf(key)).toBe(1);
      expect(await read(data, key)).toBe(`REPLAY ME ${i + 1}`);
    }
    expect((faults().stats().s3.answered['412'] ?? 0) - refusedBefore).toBeGreaterThanOrEqual(3);
  });

  it('lists failures and replays against a deployed stack given its outputs (default credential chain)', async () => {
    const { config } = t.stack;
    const u = makeUpload(data, 'deployed');
    await putOnFailureObject([{ data: u.data, partitionKey: u.event.uploadId, sequenceNumber: '1000003' }]);
    const file = join(mkdtempSync(join(tmpdir(), 'streamdrop-outputs-')), 'outputs.json');
    const outputs = {
      region: config.region,
      failures_bucket: failures,
      stream_name: stream,
      data_bucket: data,
    };
    writeFileSync(
      file,
      JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v }]))),
    );
    // Stand-ins for a real account: the SDK's own environment variables point it at the emulators.
    const env = {
      AWS_ENDPOINT_URL_S3: config.s3.endpoint,
      AWS_ENDPOINT_URL_KINESIS: config.kinesis.endpoint,
      AWS_ACCESS_KEY_ID: config.s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: config.s3.secretAccessKey,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_PROFILE: '',
    };
    const list = await cli(['failures', 'list', '--outputs', file], env);
    expect(list).toMatchObject({ code: 0, stdout: expect.stringContaining(`upload ${u.event.uploadId}`) });
    // A record on the stream from `from` on (kinesalite answers AT_TIMESTAMP only then).
    const v = makeUpload(data, 'replayed through the outputs');
    await storeSource(s3, v);
    const from = new Date(Date.now() - 1);
    await putRecords(kinesis, stream, [{ data: v.data, partitionKey: v.event.uploadId }]);
    await eventually(() => read(data, v.processedKey));
    const replayed = await cli(['replay', '--from', from.toISOString(), '--json', '--outputs', file], env);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ shards: 1, inWindow: 1, republished: 1 });
  });
});
