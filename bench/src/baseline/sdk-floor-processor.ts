/**
 * BENCH-ONLY FLOOR: what a processed record costs in the AWS SDK alone — the processor's two S3
 * calls on a first delivery: GetObject with its body read, then a create-only PutObject of the
 * body (If-None-Match: *) — on the processor's own S3 client settings, with the processor's
 * concurrency, and nothing else (no validation, checksum, transform, lib-storage, logging or
 * batch report). Never used by the product.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '@streamdrop/lambda-kit/s3';
import type { KinesisStreamEvent } from 'aws-lambda';

const concurrency = Number(process.env.PROCESSOR_CONCURRENCY ?? 100);
const s3 = s3Client({
  forcePathStyle: false,
  keepAlive: { maxSockets: concurrency * 4, connectionTimeout: 5_000, requestTimeout: 60_000 },
});

async function one(data: string): Promise<void> {
  const { bucket, key } = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as {
    bucket: string;
    key: string;
  };
  const processed = key.replace(/^uploads\//, 'processed/');
  const source = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = await source.Body?.transformToByteArray();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: processed, Body: body, IfNoneMatch: '*' }));
}

export async function handler(event: KinesisStreamEvent): Promise<{ batchItemFailures: [] }> {
  let next = 0;
  const lane = async () => {
    while (next < event.Records.length) await one(event.Records[next++]?.kinesis.data ?? '');
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, event.Records.length) }, lane));
  return { batchItemFailures: [] };
}
