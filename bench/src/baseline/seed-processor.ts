/**
 * BENCH-ONLY BASELINE: the seed-style processor the benchmark compares ours against. "Seed" is
 * the project's first, starting-point code (the tutorial-style stack this repository grew from);
 * this is the processor design it shipped, kept deliberately naive — one record at a time, `await GetObject`,
 * the whole body read into a string, upper-cased, `await PutObject` — with no validation,
 * idempotency check, partial-failure report or streaming. Never used by the product.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { KinesisStreamEvent } from 'aws-lambda';

const s3 = new S3Client({});

interface SeedEvent {
  bucket: string;
  key: string;
  contentType?: string;
}

export async function handler(event: KinesisStreamEvent): Promise<void> {
  for (const record of event.Records) {
    const payload = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as SeedEvent;
    const object = await s3.send(new GetObjectCommand({ Bucket: payload.bucket, Key: payload.key }));
    const text = (await object.Body?.transformToString('utf-8')) ?? '';
    await s3.send(
      new PutObjectCommand({
        Bucket: payload.bucket,
        Key: payload.key.replace(/^uploads\//, 'processed/'),
        Body: text.toUpperCase(),
        ContentType: payload.contentType ?? 'text/plain',
      }),
    );
  }
}
