import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { InvokeResult } from '../types';
import { type PendingRecord, toEvent } from './kinesis-event';

/** Why a batch was discarded (requestContext.condition). */
export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface KinesisBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

/** The invocation record Lambda writes to an S3 on-failure destination for a Kinesis batch. */
export interface OnFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: FailureCondition;
    approximateInvokeCount: number;
  };
  /** Only when the function ran: what its last invocation answered. */
  responseContext?: {
    statusCode: number;
    executedVersion: string;
    functionError: 'Unhandled' | null;
  };
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo: KinesisBatchInfo;
  /** The whole invocation event, as an escaped JSON string (S3 destinations only). */
  payload: string;
}

export interface OnFailureInput {
  records: readonly PendingRecord[];
  shardId: string;
  streamArn: string;
  functionArn: string;
  condition: FailureCondition;
  approximateInvokeCount: number;
  lastResult?: InvokeResult;
  failedAt: Date;
  requestId?: string;
}

export function buildOnFailureRecord(input: OnFailureInput): OnFailureRecord {
  const first = input.records[0];
  const last = input.records[input.records.length - 1];
  if (!first || !last) throw new RangeError('an on-failure record needs at least one record');
  return {
    requestContext: {
      requestId: input.requestId ?? randomUUID(),
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    ...(input.lastResult && {
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        functionError: input.lastResult.ok ? null : 'Unhandled',
      },
    }),
    version: '1.0',
    timestamp: input.failedAt.toISOString(),
    KinesisBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
      batchSize: input.records.length,
      streamArn: input.streamArn,
    },
    payload: JSON.stringify(toEvent(input.records)),
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>` (UTC), as Lambda names it. */
export function onFailureObjectKey(
  mappingUuid: string,
  shardId: string,
  at: Date,
  id: string = randomUUID(),
): string {
  const yyyy = String(at.getUTCFullYear());
  const mm = pad(at.getUTCMonth() + 1);
  const dd = pad(at.getUTCDate());
  const time = `${pad(at.getUTCHours())}.${pad(at.getUTCMinutes())}.${pad(at.getUTCSeconds())}`;
  return `aws/lambda/${mappingUuid}/${shardId}/${yyyy}/${mm}/${dd}/${yyyy}-${mm}-${dd}T${time}-${id}`;
}

/** Writes one invocation record object; the caller retries with the same key, so a retry never makes a second object. */
export async function putOnFailureRecord(
  s3: S3Client,
  bucket: string,
  key: string,
  record: OnFailureRecord,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(record),
      ContentType: 'application/json',
    }),
  );
}
