import { createHash } from 'node:crypto';
import { EVENT_ENVELOPE_BYTES, type PendingRecord } from './kinesis-event';

/** Lambda's synchronous invocation payload limit, which also caps an event source mapping batch. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** How many records from the head of `queue` make the next batch: up to batchSize and within the payload cap (always at least one). */
export function nextBatchLength(
  queue: readonly PendingRecord[],
  batchSize: number,
  maxPayloadBytes = MAX_PAYLOAD_BYTES,
): number {
  let bytes = EVENT_ENVELOPE_BYTES;
  let count = 0;
  for (const record of queue) {
    if (count > 0 && (count >= batchSize || bytes + record.payloadBytes > maxPayloadBytes)) break;
    bytes += record.payloadBytes;
    count += 1;
  }
  return count;
}

/** True when the head of the queue already fills a batch, so a batching window need not wait any longer. */
export function isBatchFull(
  queue: readonly PendingRecord[],
  batchSize: number,
  maxPayloadBytes = MAX_PAYLOAD_BYTES,
): boolean {
  const length = nextBatchLength(queue, batchSize, maxPayloadBytes);
  return length >= batchSize || length < queue.length;
}

/** Removes and returns the next batch from the head of the queue. */
export function takeBatch(
  queue: PendingRecord[],
  batchSize: number,
  maxPayloadBytes = MAX_PAYLOAD_BYTES,
): PendingRecord[] {
  return queue.splice(0, nextBatchLength(queue, batchSize, maxPayloadBytes));
}

/**
 * The lane (0..lanes-1) a partition key is processed in under a parallelization factor: the same key
 * always lands in the same lane, so records of one key stay in order.
 */
export function laneOf(partitionKey: string, lanes: number): number {
  if (lanes <= 1) return 0;
  return createHash('md5').update(partitionKey).digest().readUInt32BE(0) % lanes;
}

/** Splits a failing batch in two for BisectBatchOnFunctionError (the first half takes the odd record). */
export function bisect<T>(records: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(records.length / 2);
  return [records.slice(0, middle), records.slice(middle)];
}
