import type { KinesisStreamEvent } from 'aws-lambda';
import { kinesisRecord, uploadLocation } from '../src/lib/kinesis-records';
import { type S3Stub, startS3Stub } from '../src/stubs/s3-stub';

let stub: S3Stub;
let handler: (event: KinesisStreamEvent) => Promise<void>;

beforeAll(async () => {
  stub = await startS3Stub({ latencyMs: 0 });
  // The seed-style processor builds its client at import, from the environment, as Lambda code does.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: stub.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  });
  ({ handler } = await import('../src/baseline/seed-processor'));
});

afterAll(() => stub.close());

function upload(n: number, text: string) {
  const where = uploadLocation('data', `seed-${n}.txt`);
  const body = Buffer.from(text);
  stub.putObject(where.bucket, where.key, body, { contentType: 'text/plain' });
  return {
    where,
    record: kinesisRecord(
      { ...where, size: body.length, sha256: '0'.repeat(64), contentType: 'text/plain' },
      n,
    ),
  };
}

describe('the seed-style baseline processor', () => {
  it('upper-cases every record of a batch into processed/, one record at a time', async () => {
    const uploads = [upload(1, 'hello kinesis'), upload(2, 'héllo wörld ✓')];

    await handler({ Records: uploads.map((u) => u.record) });

    const text = (key: string) =>
      stub.object('data', key.replace(/^uploads\//, 'processed/'))?.body?.toString();
    expect(text(uploads[0]?.where.key ?? '')).toBe('HELLO KINESIS');
    expect(text(uploads[1]?.where.key ?? '')).toBe('HÉLLO WÖRLD ✓');
    // One GetObject and one PutObject per record, no idempotency check: the design we compare against.
    expect(stub.calls).toEqual({ GetObject: 2, PutObject: 2 });
  });
});
