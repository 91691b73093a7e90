import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  FAILURE_RECORD_VERSION,
  type FailureRecordV1,
  FailureRecordV1Schema,
  failureRecordKey,
  type UploadEvent,
} from '@streamdrop/events';
import type { KinesisStreamRecord } from 'aws-lambda';
import { FailureRecordWriteError, type PermanentFailureError } from './errors';

/** Which invocation gave up on the record, for whoever reads the failure record. */
export interface Invocation {
  readonly functionName: string;
  readonly awsRequestId: string;
}

export interface FailureDetails {
  record: KinesisStreamRecord;
  /** The decoded event, when decoding got that far. */
  event: UploadEvent | undefined;
  failure: PermanentFailureError;
  invocation: Invocation;
  failedAt: Date;
}

/** The failure record for a record, checked against the shared schema. */
export function buildFailureRecord({
  record,
  event,
  failure,
  invocation,
  failedAt,
}: FailureDetails): FailureRecordV1 {
  return FailureRecordV1Schema.parse({
    version: FAILURE_RECORD_VERSION,
    source: 'processor',
    reason: failure.reason,
    errorName: failure.name,
    failedAt: failedAt.toISOString(),
    ...(event && { uploadId: event.uploadId, uploadKey: event.key }),
    functionName: invocation.functionName,
    awsRequestId: invocation.awsRequestId,
    record: {
      eventSourceARN: record.eventSourceARN,
      eventID: record.eventID,
      partitionKey: record.kinesis.partitionKey,
      sequenceNumber: record.kinesis.sequenceNumber,
      approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
      data: record.kinesis.data,
    },
  });
}

/** Writes the failure record; throws FailureRecordWriteError so that the record is retried instead. */
export async function writeFailureRecord(
  details: FailureDetails,
  deps: { s3: S3Client; config: { readonly failuresBucket: string } },
): Promise<void> {
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.config.failuresBucket,
        Key: failureRecordKey(details.record.eventID),
        Body: JSON.stringify(buildFailureRecord(details)),
        ContentType: 'application/json',
      }),
    );
  } catch (error) {
    throw new FailureRecordWriteError(details.record.eventID, error);
  }
}
