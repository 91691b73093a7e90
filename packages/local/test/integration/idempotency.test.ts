/** Idempotency-Key on the real local stack: one object, one event, one processed output. */
import { GetObjectCommand, GetObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { localS3Client } from '../../src/clients';
import { defaultStackFile } from '../../src/paths';
import { eventually, signIn, startTestStack, type TestStack } from '../../src/testing';

jest.setTimeout(60_000);

let t: TestStack;
let s3: S3Client;
beforeAll(async () => {
  t = await startTestStack({ stackFile: defaultStackFile() });
  s3 = localS3Client(t.stack.config.s3.endpoint, t.stack.config.region);
});
afterAll(async () => {
  s3?.destroy();
  await t?.stack.stop();
});

const post = (token: string, key: string, body: object) =>
  fetch(`${t.stack.config.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });

it('returns the first response to a retried request with the same Idempotency-Key and processes the upload once', async () => {
  const { id } = await signIn(t.stack);
  const body = { filename: 'once.txt', content: 'exactly once' };
  const first = await post(id, 'retry-me', body);
  const second = await post(id, 'retry-me', body);
  expect(first.status).toBe(202);
  expect(second.status).toBe(202);
  expect(second.headers.get('idempotent-replayed')).toBe('true');
  const firstBody = (await first.json()) as { uploadId: string; file_key: string };
  expect(await second.json()).toEqual(firstBody);

  const bucket = t.stack.config.s3.buckets.data ?? '';
  const processedKey = firstBody.file_key.replace(/^uploads\//, 'processed/');
  await eventually(async () => {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: processedKey }));
    return (await r.Body?.transformToString()) === 'EXACTLY ONCE' ? true : undefined;
  });
  await t.stack.idle();
  const published = t.invocations
    .filter((i) => i.functionName.endsWith('-processor'))
    .flatMap((i) => (i.event as { Records: { kinesis: { partitionKey: string } }[] }).Records)
    .filter((r) => r.kinesis.partitionKey === firstBody.uploadId);
  expect(published).toHaveLength(1);

  const reused = await post(id, 'retry-me', { filename: 'once.txt', content: 'something else' });
  expect(reused.status).toBe(422);
});

it('answers one of two racing requests with the same Idempotency-Key and different bodies 202 and the other 409/422, and stores the 202’s body', async () => {
  const { id } = await signIn(t.stack);
  const bucket = t.stack.config.s3.buckets.data ?? '';
  // Several races at once, each pair sent together: S3's conditional writes (If-None-Match: *,
  // If-Match) decide, never which request happens to read first.
  const races = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const key = `race-${i}-${Date.now()}`;
      const bodies = [
        { filename: 'race.txt', content: `first body of race ${i}` },
        { filename: 'race.txt', content: `second body of race ${i}` },
      ];
      const answers = await Promise.all(
        bodies.map(async (body) => {
          const response = await post(id, key, body);
          return { body, status: response.status, json: (await response.json()) as Record<string, unknown> };
        }),
      );
      return { i, answers };
    }),
  );
  for (const { i, answers } of races) {
    const statuses = answers.map((a) => a.status).sort();
    expect({ race: i, statuses }).toEqual({ race: i, statuses: [202, expect.any(Number)] });
    expect([409, 422]).toContain(statuses[1]);
    const won = answers.find((a) => a.status === 202);
    const fileKey = String(won?.json.file_key);
    const uploadId = String(won?.json.uploadId);
    // The stored object is the accepted request's body, acknowledged (tagged complete)…
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: fileKey }));
    expect(await stored.Body?.transformToString()).toBe(won?.body.content);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: fileKey }));
    expect(tags.TagSet).toEqual([{ Key: 'streamdrop-state', Value: 'complete' }]);
    // …and processed from that body, once.
    const processedKey = fileKey.replace(/^uploads\//, 'processed/');
    await eventually(async () => {
      const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: processedKey }));
      return (await r.Body?.transformToString()) === won?.body.content.toUpperCase() ? true : undefined;
    });
    await t.stack.idle();
    const events = t.invocations
      .filter((inv) => inv.functionName.endsWith('-processor'))
      .flatMap((inv) => (inv.event as { Records: { kinesis: { partitionKey: string } }[] }).Records)
      .filter((r) => r.kinesis.partitionKey === uploadId);
    expect(events).toHaveLength(1);
  }
});
