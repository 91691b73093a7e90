/**
 * The real pipeline on the local stack: the synthesized stack (cdktf.out, from `pnpm synth`),
 * the production bundles Terraform zips, real emulators, real tokens, real HTTP.
 */

import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { KinesisStreamEvent } from 'aws-lambda';
import { localKinesisClient, localS3Client } from '../../src/clients';
import { defaultStackFile } from '../../src/paths';
import {
  decodeJwt,
  eventually,
  makeUpload,
  signIn,
  startTestStack,
  storeSource,
  type TestStack,
} from '../../src/testing';

jest.setTimeout(90_000);

let t: TestStack;
let s3: S3Client;
let data: string;

beforeAll(async () => {
  t = await startTestStack({ stackFile: defaultStackFile() });
  s3 = localS3Client(t.stack.config.s3.endpoint, t.stack.config.region);
  data = t.stack.config.s3.buckets.data ?? '';
});
afterAll(async () => {
  s3?.destroy();
  await t?.stack.stop();
});

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

async function upload(token: string, body: object) {
  return fetch(`${t.stack.config.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('sign-in, upload and processing on the local stack', () => {
  it.each(['id', 'access'] as const)(
    'uploads with the %s token and processes demo.txt into HELLO KINESIS',
    async (kind) => {
      const tokens = await signIn(t.stack);
      const response = await upload(tokens[kind], { filename: 'demo.txt', content: 'hello kinesis' });
      expect(response.status).toBe(202);
      const body = (await response.json()) as {
        uploadId: string;
        file_key: string;
        s3: { bucket: string; key: string };
      };
      const sub = decodeJwt(tokens.id).sub as string;
      expect(body.file_key).toBe(`uploads/${sub}/${body.uploadId}/demo.txt`);
      expect(body.s3).toEqual({ bucket: data, key: body.file_key });
      expect(await read(data, body.file_key)).toBe('hello kinesis');
      const processed = body.file_key.replace(/^uploads\//, 'processed/');
      expect(await eventually(() => read(data, processed))).toBe('HELLO KINESIS');
    },
  );

  it('refuses an upload without a token with 401 and stores nothing', async () => {
    const before = await s3.send(new ListObjectsV2Command({ Bucket: data, Prefix: 'uploads/' }));
    const response = await fetch(`${t.stack.config.apiUrl}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'demo.txt', content: 'hello kinesis' }),
    });
    expect(response.status).toBe(401);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: data, Prefix: 'uploads/' }));
    expect(after.KeyCount).toBe(before.KeyCount);
  });

  it('turns a record that is not an upload event into a failure record and keeps processing', async () => {
    const kinesis = localKinesisClient(t.stack.config.kinesis.endpoint, t.stack.config.region);
    try {
      const put = await kinesis.send(
        new PutRecordCommand({
          StreamName: t.stack.config.kinesis.streamName,
          PartitionKey: 'garbage',
          Data: Buffer.from('{"not":"an upload event"}'),
        }),
      );
      const failures = t.stack.config.s3.buckets.failures ?? '';
      const record = await eventually(async () => {
        const list = await s3.send(new ListObjectsV2Command({ Bucket: failures, Prefix: 'processor/' }));
        const key = list.Contents?.map((o) => o.Key ?? '').find((k) => k.includes(put.SequenceNumber ?? '?'));
        return key ? read(failures, key) : undefined;
      });
      expect(JSON.parse(record)).toMatchObject({
        reason: expect.stringContaining('invalid upload event'),
        record: { partitionKey: 'garbage', sequenceNumber: put.SequenceNumber },
      });
      const tokens = await signIn(t.stack);
      const next = (await (
        await upload(tokens.id, { filename: 'after.txt', content: 'still flowing' })
      ).json()) as {
        file_key: string;
      };
      expect(await eventually(() => read(data, next.file_key.replace(/^uploads\//, 'processed/')))).toBe(
        'STILL FLOWING',
      );
    } finally {
      kinesis.destroy();
    }
  });
});

describe('the administrators’ Kinesis proxy on the local stack', () => {
  const call = (method: string, path: string, authorization: string, body?: object) =>
    fetch(`${t.stack.config.apiUrl}${path}`, {
      method,
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const stream = () => t.stack.config.kinesis.streamName;

  it('answers the original’s four example calls for an administrator (bare token and Bearer)', async () => {
    const admin = await signIn(t.stack, 'admin');
    const list = await call('GET', '/streams', admin.id); // the original's examples send the bare token
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ HasMoreStreams: false, StreamNames: [stream()] });

    const describeStream = await call('GET', `/streams/${stream()}`, `Bearer ${admin.access}`);
    expect(describeStream.status).toBe(200);
    const description = ((await describeStream.json()) as { StreamDescription: Record<string, unknown> })
      .StreamDescription;
    expect(description).toMatchObject({ StreamName: stream(), StreamStatus: 'ACTIVE' });
    expect(typeof description.StreamCreationTimestamp).toBe('number');

    const one = await call('PUT', `/streams/${stream()}/record`, `Bearer ${admin.id}`, {
      Data: 'some data',
      PartitionKey: 'some key',
    });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({
      SequenceNumber: expect.any(String),
      ShardId: expect.stringMatching(/^shardId-/),
    });

    const many = await call('PUT', `/streams/${stream()}/records`, admin.access, {
      records: [
        { data: 'some data', 'partition-key': 'some key' },
        { data: 'some other data', 'partition-key': 'some key' },
      ],
    });
    expect(many.status).toBe(200);
    expect(await many.json()).toMatchObject({
      FailedRecordCount: 0,
      Records: [{ SequenceNumber: expect.any(String) }, { SequenceNumber: expect.any(String) }],
    });
  });

  it.each([
    ['GET', '/streams'],
    ['GET', '/streams/NAME'],
    ['PUT', '/streams/NAME/record'],
    ['PUT', '/streams/NAME/records'],
  ])('answers 403 to a signed-in user who is not an administrator: %s %s', async (method, path) => {
    const demo = await signIn(t.stack, 'demo');
    const body = path.endsWith('records')
      ? { records: [{ data: 'x', 'partition-key': 'k' }] }
      : path.endsWith('record')
        ? { Data: 'x', PartitionKey: 'k' }
        : undefined;
    const response = await call(method, path.replace('NAME', stream()), `Bearer ${demo.id}`, body);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/admins/);
  });

  it('turns a proxied record that is not an upload event into a failure record; the next upload is still processed', async () => {
    const admin = await signIn(t.stack, 'admin');
    const put = (await (
      await call('PUT', `/streams/${stream()}/record`, `Bearer ${admin.id}`, {
        Data: 'not an upload',
        PartitionKey: 'p',
      })
    ).json()) as { SequenceNumber: string };
    const failures = t.stack.config.s3.buckets.failures ?? '';
    const record = await eventually(async () => {
      const list = await s3.send(new ListObjectsV2Command({ Bucket: failures, Prefix: 'processor/' }));
      const key = list.Contents?.map((o) => o.Key ?? '').find((k) => k.includes(put.SequenceNumber));
      return key ? read(failures, key) : undefined;
    });
    expect(JSON.parse(record).reason).toMatch(/invalid upload event/);
    const demo = await signIn(t.stack);
    const next = (await (await upload(demo.id, { filename: 'next.txt', content: 'next one' })).json()) as {
      file_key: string;
    };
    expect(await eventually(() => read(data, next.file_key.replace(/^uploads\//, 'processed/')))).toBe(
      'NEXT ONE',
    );
  });

  it('stores text/plain content that is not valid UTF-8 byte for byte, with a note, never with U+FFFD', async () => {
    const demo = await signIn(t.stack);
    // "hi", a lone continuation byte, an overlong encoding, a truncated sequence, then Latin-1 é.
    const bytes = Buffer.from([0x68, 0x69, 0x20, 0x80, 0x20, 0xc0, 0xaf, 0x20, 0xe2, 0x82, 0x20, 0xe9, 0x0a]);
    const response = await upload(demo.id, {
      filename: 'latin1.txt',
      content: bytes.toString('base64'),
      encoding: 'base64',
      contentType: 'text/plain; charset=utf-8',
    });
    expect(response.status).toBe(202);
    const { file_key: key } = (await response.json()) as { file_key: string };
    const processedKey = key.replace(/^uploads\//, 'processed/');
    const processed = await eventually(async () => {
      try {
        return await s3.send(new GetObjectCommand({ Bucket: data, Key: processedKey }));
      } catch {
        return undefined;
      }
    });
    const stored = Buffer.from((await processed.Body?.transformToByteArray()) ?? []);
    expect(stored.equals(bytes)).toBe(true);
    expect(stored.includes(Buffer.from('\ufffd'))).toBe(false);
    expect(processed.Metadata?.['transform-note']).toMatch(/UTF-8/);
  });

  it('fails an upload event whose contentType holds CR/LF permanently after one delivery, and processes its batch neighbours', async () => {
    const admin = await signIn(t.stack, 'admin');
    const neighbours = Array.from({ length: 4 }, (_, i) => makeUpload(data, `neighbour ${i}`));
    const bad = makeUpload(data, 'its content type is a header injection');
    for (const u of [...neighbours, bad]) await storeSource(s3, u);
    // Written by hand: the event schema (rightly) refuses to encode such a content type.
    const badData = JSON.stringify({ ...bad.event, contentType: 'text/plain\r\nX-Injected: 1' });
    const records = [
      ...neighbours
        .slice(0, 2)
        .map((u) => ({ data: Buffer.from(u.data).toString('utf8'), 'partition-key': u.event.uploadId })),
      { data: badData, 'partition-key': bad.event.uploadId },
      ...neighbours
        .slice(2)
        .map((u) => ({ data: Buffer.from(u.data).toString('utf8'), 'partition-key': u.event.uploadId })),
    ];
    const since = t.invocations.length;
    const response = await call('PUT', `/streams/${stream()}/records`, `Bearer ${admin.access}`, { records });
    expect(response.status).toBe(200);
    const put = (await response.json()) as {
      FailedRecordCount: number;
      Records: Array<{ SequenceNumber: string }>;
    };
    expect(put.FailedRecordCount).toBe(0);
    const sequences = put.Records.map((r) => r.SequenceNumber);
    const badSequence = sequences[2] ?? '?';

    for (const u of neighbours) {
      expect(await eventually(() => read(data, u.processedKey))).toBe(u.content.toUpperCase());
    }
    const failures = t.stack.config.s3.buckets.failures ?? '';
    const failureKeys = async () =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: failures }))).Contents ?? []).map(
        (o) => o.Key ?? '',
      );
    const failureKey = await eventually(async () =>
      (await failureKeys()).find((k) => k.includes(badSequence)),
    );
    expect(failureKey).toMatch(/^processor\//);
    await t.stack.idle();

    // One delivery each: the bad record was never retried, and no neighbour was dragged along.
    const delivered = t.invocations
      .slice(since)
      .filter((i) => i.functionName === t.stack.model.mappings[0]?.functionName)
      .flatMap((i) => (i.event as KinesisStreamEvent).Records.map((r) => r.kinesis.sequenceNumber));
    for (const sequence of sequences) expect(delivered.filter((d) => d === sequence)).toHaveLength(1);
    // One failure record for it, none for the neighbours, none from exhausted retries.
    const keys = await failureKeys();
    expect(keys.filter((k) => sequences.some((sq) => k.includes(sq)))).toEqual([failureKey]);
    expect(keys.filter((k) => k.startsWith('aws/lambda/'))).toEqual([]);
    const record = JSON.parse((await read(failures, failureKey ?? '')) ?? '{}') as { reason: string };
    expect(record.reason).toMatch(/contentType/);
    // Its source was never processed.
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: data, Key: bad.processedKey })),
    ).rejects.toMatchObject({
      name: 'NotFound',
    });
  });
});
