/** Idempotency-Key on the real local stack: one object, one event, one processed output. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
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
