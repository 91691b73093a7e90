import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  ListShardsCommand,
  PutRecordCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { UserError } from '@streamdrop/cli-kit';
import { decodeUploadEvent } from '@streamdrop/events';
import type { RecoveryTarget } from './failures';

export interface ReplayOptions {
  from: Date;
  /** Default (and at most): when the replay starts, so that what it re-publishes is never replayed again. */
  to?: Date;
  /** Progress lines. */
  log?: (line: string) => void;
  /**
   * kinesalite only: how long to wait for an AT_TIMESTAMP iterator before reading the shard from
   * TRIM_HORIZON instead. Unset (a real stream): wait as long as Kinesis takes.
   */
  atTimestampTimeoutMs?: number;
}

export interface ReplayCounts {
  shards: number;
  /** Records found in the window. */
  inWindow: number;
  /** Upload events put back on the stream. */
  republished: number;
  /** Records in the window that are not upload events (left alone). */
  notUploadEvents: number;
  from: string;
  to: string;
}

async function listShards(target: Pick<RecoveryTarget, 'kinesis' | 'streamName'>): Promise<Shard[]> {
  const shards: Shard[] = [];
  let NextToken: string | undefined;
  do {
    const out = await target.kinesis.send(
      new ListShardsCommand(NextToken ? { NextToken } : { StreamName: target.streamName }),
    );
    shards.push(...(out.Shards ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return shards;
}

/**
 * An AT_TIMESTAMP iterator, as on AWS. kinesalite never answers AT_TIMESTAMP when no record is
 * that new, so after a short wait the shard is read from TRIM_HORIZON and filtered by arrival time
 * instead (the same records, read the long way).
 */
async function iteratorAt(
  target: Pick<RecoveryTarget, 'kinesis' | 'streamName'>,
  shardId: string,
  from: Date,
  timeoutMs: number | undefined,
): Promise<{ iterator: string | undefined; filtered: boolean }> {
  const base: GetShardIteratorCommandInput = {
    StreamName: target.streamName,
    ShardId: shardId,
    ShardIteratorType: 'AT_TIMESTAMP',
  };
  try {
    const out = await target.kinesis.send(
      new GetShardIteratorCommand({ ...base, Timestamp: from }),
      timeoutMs === undefined ? {} : { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    return { iterator: out.ShardIterator, filtered: false };
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (name !== 'AbortError' && name !== 'TimeoutError') throw error;
  }
  const out = await target.kinesis.send(
    new GetShardIteratorCommand({ ...base, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  return { iterator: out.ShardIterator, filtered: true };
}

/**
 * Re-publishes every upload event the stream still holds that arrived in [from, to], shard by
 * shard, with its original data and partition key. The processor is idempotent, so an upload
 * whose processed object is already right is skipped there, and nothing is rewritten.
 */
export async function replay(target: RecoveryTarget, options: ReplayOptions): Promise<ReplayCounts> {
  const startedAt = new Date();
  const from = options.from;
  if (Number.isNaN(from.getTime()) || (options.to && Number.isNaN(options.to.getTime())))
    throw new UserError('--from and --to must be ISO times, e.g. 2026-11-21T10:00:00Z.');
  if (options.to && options.to < from)
    throw new UserError(`--to (${options.to.toISOString()}) is before --from (${from.toISOString()}).`);
  // Nothing newer than the replay itself is replayed: not even with a --to in the future.
  const to = options.to && options.to < startedAt ? options.to : startedAt;
  const counts: ReplayCounts = {
    shards: 0,
    inWindow: 0,
    republished: 0,
    notUploadEvents: 0,
    from: from.toISOString(),
    to: to.toISOString(),
  };
  if (from > startedAt) return counts;
  const log = options.log ?? (() => undefined);
  // What this replay put on a shard: reaching one means everything after it is newer than the replay.
  const ours = new Set<string>();

  for (const shard of await listShards(target)) {
    const shardId = shard.ShardId;
    if (!shardId) continue;
    counts.shards += 1;
    const { iterator, filtered } = await iteratorAt(target, shardId, from, options.atTimestampTimeoutMs);
    let next = iterator;
    let shardCount = 0;
    reading: while (next) {
      const page = await target.kinesis.send(new GetRecordsCommand({ ShardIterator: next, Limit: 1000 }));
      const records: _Record[] = page.Records ?? [];
      for (const record of records) {
        const arrival = record.ApproximateArrivalTimestamp;
        if (ours.has(record.SequenceNumber ?? '')) break reading;
        if (arrival && arrival > to) break reading;
        if (filtered && arrival && arrival < from) continue;
        counts.inWindow += 1;
        const data = Buffer.from(record.Data ?? new Uint8Array());
        try {
          decodeUploadEvent(data);
        } catch {
          counts.notUploadEvents += 1;
          continue;
        }
        const out = await target.kinesis.send(
          new PutRecordCommand({
            StreamName: target.streamName,
            PartitionKey: record.PartitionKey,
            Data: data,
          }),
        );
        if (out.SequenceNumber) ours.add(out.SequenceNumber);
        counts.republished += 1;
        shardCount += 1;
      }
      // Caught up: an empty page at the tip of an open shard (a closed shard ends with no iterator).
      if (records.length === 0 && !page.MillisBehindLatest) break;
      next = page.NextShardIterator;
    }
    log(`${shardId}: re-published ${shardCount} upload event(s)`);
  }
  return counts;
}
