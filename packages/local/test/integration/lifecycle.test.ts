/**
 * The stack's S3 lifecycle rules, carried out on the local stack (read from the synthesized
 * stack): an upload left pending — stored, then its writer died before publishing it — expires
 * after N local days; an acknowledged upload (tagged complete) and its processed twin never do;
 * idempotency records go by their prefix rule; an abandoned multipart upload is aborted after its
 * days. With a 15-second local day (the shortest the stack's function timeouts allow), N = 2
 * days is 30 s.
 */
import {
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UPLOAD_STATE_TAG, uploadStateTagging } from '@streamdrop/config';
import { localS3Client } from '../../src/clients';
import { freePorts } from '../../src/emulators';
import { LocalError } from '../../src/errors';
import { readLifecycleState } from '../../src/lifecycle';
import { startLocalStack } from '../../src/local-stack';
import { defaultStackFile } from '../../src/paths';
import { eventually, signIn, TEST_SUB, type TestStack } from '../../src/testing';
import { startTestStack } from '../../src/testing/stack';
import { silentLog } from '../../src/types';

jest.setTimeout(120_000);

const DAY_SECONDS = 15;
const DAY_MS = DAY_SECONDS * 1000;

let t: TestStack;
let s3: S3Client;
let data: string;

beforeAll(async () => {
  t = await startTestStack({ stackFile: defaultStackFile(), lifecycleDaySeconds: DAY_SECONDS });
  s3 = localS3Client(t.stack.config.s3.endpoint, t.stack.config.region);
  data = t.stack.config.s3.buckets.data ?? '';
});
afterAll(async () => {
  s3?.destroy();
  await t?.stack.stop();
});

const exists = async (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: data, Key: key })).then(
    () => true,
    (error: { name?: string }) => {
      if (error.name === 'NotFound') return false;
      throw error;
    },
  );

/** What the upload function's PutObject leaves when its process dies before PutRecord. */
async function leavePending(name: string): Promise<string> {
  const key = `uploads/${TEST_SUB}/${crypto.randomUUID()}/${name}`;
  await s3.send(
    new PutObjectCommand({
      Bucket: data,
      Key: key,
      Body: 'never published',
      Tagging: uploadStateTagging('pending'),
    }),
  );
  return key;
}

async function acknowledged(
  filename: string,
  idempotencyKey?: string,
): Promise<{ key: string; processed: string }> {
  const { id } = await signIn(t.stack);
  const response = await fetch(`${t.stack.config.apiUrl}/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${id}`,
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify({ filename, content: 'acknowledged' }),
  });
  expect(response.status).toBe(202);
  const key = ((await response.json()) as { file_key: string }).file_key;
  const processed = key.replace(/^uploads\//, 'processed/');
  await eventually(async () => ((await exists(processed)) ? true : undefined));
  return { key, processed };
}

describe('the local lifecycle sweep', () => {
  it('expires what each rule selects once its local days are over, and never an acknowledged upload', async () => {
    // Ages count from LastModified, which S3 gives to the second: `now` is read before anything is
    // written, and each sweep below stands well clear of a rule's boundary.
    const now = Date.now();
    const margin = DAY_MS / 3;
    const pending = await leavePending('orphan.txt');
    const ack = await acknowledged('kept.txt', `lifecycle-${Date.now()}`);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: data, Key: ack.key }));
    expect(tags.TagSet).toEqual([{ Key: UPLOAD_STATE_TAG.key, Value: UPLOAD_STATE_TAG.complete }]);
    const multipart = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: data, Key: `processed/${TEST_SUB}/abandoned/big.bin` }),
    );

    // Not yet: a little less than 2 local days on.
    const early = await t.stack.sweepLifecycle(now + 2 * DAY_MS - margin);
    expect(early.expired).toEqual([]);
    expect(await exists(pending)).toBe(true);

    // 2 local days on: the pending upload and the idempotency record go; the acknowledged upload,
    // its processed twin and the open multipart upload (7 days) stay.
    const later = await t.stack.sweepLifecycle(now + 2 * DAY_MS + margin);
    expect(later.expired).toEqual(
      expect.arrayContaining([
        { bucket: data, key: pending, rule: 'expire-pending-uploads' },
        expect.objectContaining({ key: expect.stringMatching(/^idempotency\//), rule: 'expire-idempotency' }),
      ]),
    );
    expect(later.expired.map((e) => e.key)).not.toContain(ack.key);
    expect(later.expired.every((e) => e.key === pending || e.rule === 'expire-idempotency')).toBe(true);
    expect(await exists(pending)).toBe(false);
    expect(await exists(ack.key)).toBe(true);
    expect(await exists(ack.processed)).toBe(true);
    expect(later.aborted).toEqual([]);

    // 7 local days on: the abandoned multipart upload is aborted; the acknowledged upload is still there.
    const week = await t.stack.sweepLifecycle(now + 7 * DAY_MS + margin);
    expect(week.aborted).toEqual([
      expect.objectContaining({
        bucket: data,
        uploadId: multipart.UploadId,
        rule: 'expire-noncurrent-versions',
      }),
    ]);
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: data }));
    expect((open.Uploads ?? []).map((u) => u.UploadId)).not.toContain(multipart.UploadId);
    expect(await exists(ack.key)).toBe(true);
    expect(await exists(ack.processed)).toBe(true);
  });

  it('sweeps by itself, once per local day: a pending upload is gone within 3 local days, an acknowledged one stays', async () => {
    // Taken before the object is written: its last-modified time, which the rule counts from,
    // is later, so the sweep cannot remove it sooner than this measures.
    const created = Date.now();
    const pending = await leavePending('left-behind.txt');
    const ack = await acknowledged('stays.txt');
    await eventually(async () => ((await exists(pending)) ? undefined : true), 3 * DAY_MS + 10_000);
    expect(Date.now() - created).toBeGreaterThanOrEqual(2 * DAY_MS - 1_000);
    expect(await exists(ack.key)).toBe(true);
    expect(await exists(ack.processed)).toBe(true);
    const state = readLifecycleState(t.stateDir);
    expect(state).toMatchObject({ pid: process.pid, daySeconds: DAY_SECONDS, intervalMs: DAY_MS });
    expect(state?.sweeps).toBeGreaterThanOrEqual(2);
    expect(state?.expired).toBeGreaterThanOrEqual(1);
  });

  it('refuses a local day so short that a rule could act on an object a function is still writing', async () => {
    const failure = await startLocalStack({
      stackFile: defaultStackFile(),
      stateDir: `${t.stateDir}-short-day`,
      ports: await freePorts(),
      lifecycleDaySeconds: 4,
      log: silentLog,
    }).then(
      async (stack) => {
        await stack.stop();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LocalError);
    expect((failure as Error).message).toMatch(
      /^--lifecycle-day-seconds 4 is too short: the rule expire-\S+ of .* expires objects after 2 day\(s\), 8 s, .*\(it may run 29 s\)\. Use at least 15\.$/,
    );
  });
});
