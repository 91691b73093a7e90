import { randomUUID } from 'node:crypto';
import type { KinesisStreamRecord } from 'aws-lambda';

/** What an upload event v1 needs to name an object the stub holds. */
export interface UploadedObject {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly userSub: string;
  readonly size: number;
  readonly sha256: string;
  readonly contentType: string;
}

export const BENCH_USER_SUB = '0f6e4b1c-2f1a-4d8e-9b7a-2c3d4e5f6a7b';
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/bench-uploads';

/** Where the upload function would have stored `filename` (uploads/<sub>/<id>/<filename>). */
export function uploadLocation(
  bucket: string,
  filename: string,
): Pick<UploadedObject, 'bucket' | 'key' | 'uploadId' | 'userSub'> {
  const uploadId = randomUUID();
  return {
    bucket,
    uploadId,
    userSub: BENCH_USER_SUB,
    key: `uploads/${BENCH_USER_SUB}/${uploadId}/${filename}`,
  };
}

/** A Kinesis record as Lambda delivers it, carrying upload event v1 for `object`. */
export function kinesisRecord(object: UploadedObject, sequence: number): KinesisStreamRecord {
  const event = {
    version: 1,
    uploadId: object.uploadId,
    bucket: object.bucket,
    key: object.key,
    size: object.size,
    contentType: object.contentType,
    sha256: object.sha256,
    uploadedAt: new Date().toISOString(),
    requestId: `bench-${sequence}`,
    userSub: object.userSub,
  };
  const sequenceNumber = (49_600_000_000_000_000_000_000_000n + BigInt(sequence)).toString();
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: object.uploadId,
      sequenceNumber,
      data: Buffer.from(JSON.stringify(event)).toString('base64'),
      approximateArrivalTimestamp: Date.now() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/bench',
    awsRegion: 'us-east-1',
    eventSourceARN: STREAM_ARN,
  };
}

/** Splits records into batches of `size`, as the event source mapping does. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
