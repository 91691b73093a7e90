/** Upload events and their source objects, made the way the upload function makes them. */
import { createHash, randomUUID } from 'node:crypto';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { encodeUploadEvent, processedKeyFor, type UploadEventV1, uploadKey } from '@streamdrop/events';

export const TEST_SUB = '5c1f0e2a-7b3d-4e6f-8a9b-0c1d2e3f4a5b';

export interface TestUpload {
  event: UploadEventV1;
  content: string;
  processedKey: string;
  data: Uint8Array;
}

export function makeUpload(bucket: string, content: string, filename = 'note.txt'): TestUpload {
  const uploadId = randomUUID();
  const key = uploadKey({ userSub: TEST_SUB, uploadId, filename });
  const event: UploadEventV1 = {
    version: 1,
    uploadId,
    bucket,
    key,
    size: Buffer.byteLength(content),
    contentType: 'text/plain; charset=utf-8',
    sha256: createHash('sha256').update(content).digest('hex'),
    uploadedAt: new Date().toISOString(),
    requestId: 'test-request',
    userSub: TEST_SUB,
  };
  return { event, content, processedKey: processedKeyFor(key), data: encodeUploadEvent(event) };
}

/** Stores the source object (directly in the emulator, no faults). */
export async function storeSource(s3: S3Client, upload: TestUpload): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: upload.event.bucket,
      Key: upload.event.key,
      Body: upload.content,
      ContentType: upload.event.contentType,
    }),
  );
}

/** Puts records on the stream in one call, in order; returns their sequence numbers. */
export async function putRecords(
  kinesis: KinesisClient,
  streamName: string,
  records: Array<{ data: Uint8Array; partitionKey: string }>,
): Promise<string[]> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
    }),
  );
  if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} record(s) not put`);
  return (out.Records ?? []).map((r) => r.SequenceNumber ?? '');
}
