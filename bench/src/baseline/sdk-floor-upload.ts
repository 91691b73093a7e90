/**
 * BENCH-ONLY FLOOR: what an upload costs in the AWS SDK alone — one PutObject of the body and
 * one PutRecord, on the same clients the upload function builds (packages/lambda-kit), with
 * no validation, idempotency, logging or response. The distance between this and the real
 * handler is what our own code costs. Never used by the product.
 */
import { createHash, randomUUID } from 'node:crypto';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { kinesisClient } from '@streamdrop/lambda-kit/kinesis';
import { s3Client } from '@streamdrop/lambda-kit/s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const s3 = s3Client({ forcePathStyle: false });
const kinesis = kinesisClient({ maxAttempts: 4 });

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const bytes = Buffer.from(event.body ?? '');
  const id = randomUUID();
  await s3.send(
    new PutObjectCommand({
      Bucket: process.env.DATA_BUCKET,
      Key: `uploads/floor/${id}/file.txt`,
      Body: bytes,
      ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
    }),
  );
  await kinesis.send(
    new PutRecordCommand({
      StreamName: process.env.STREAM_NAME,
      PartitionKey: id,
      Data: bytes.subarray(0, 256),
    }),
  );
  return { statusCode: 202 };
}
