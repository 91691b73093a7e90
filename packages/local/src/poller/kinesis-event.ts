import type { _Record } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** What the event records need to know about where they come from. */
export interface EventSource {
  region: string;
  streamArn: string;
  invokeIdentityArn: string;
}

/** A record read from a shard, with the Lambda event record it becomes. */
export interface PendingRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  /** ApproximateArrivalTimestamp in epoch ms. */
  arrivalMs: number;
  /** When the poller read it (epoch ms, real clock): the batching window counts from here. */
  readAtMs: number;
  event: KinesisStreamRecord;
  /** Bytes this record adds to the invocation payload (its JSON plus a separating comma). */
  payloadBytes: number;
}

/** Bytes of `{"Records":[]}` around the records. */
export const EVENT_ENVELOPE_BYTES = Buffer.byteLength(JSON.stringify({ Records: [] }));

/** Builds the record exactly as Lambda delivers a Kinesis record to a function. */
export function toPendingRecord(
  record: _Record,
  shardId: string,
  source: EventSource,
  readAtMs: number,
): PendingRecord {
  const sequenceNumber = record.SequenceNumber ?? '';
  const partitionKey = record.PartitionKey ?? '';
  const arrivalMs = record.ApproximateArrivalTimestamp?.getTime() ?? readAtMs;
  const event: KinesisStreamRecord = {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: arrivalMs / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.invokeIdentityArn,
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
  };
  return {
    shardId,
    sequenceNumber,
    partitionKey,
    arrivalMs,
    readAtMs,
    event,
    payloadBytes: Buffer.byteLength(JSON.stringify(event)) + 1,
  };
}

export function toEvent(records: readonly PendingRecord[]): KinesisStreamEvent {
  return { Records: records.map((record) => record.event) };
}

/** Kinesis sequence numbers are decimal strings too long for a double. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
