import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { PROCESSED_PREFIX, processedKeyFor } from '@streamdrop/events';
import type { AcceptedUpload } from './driver';
import { type FailureIndex, listKeys, pipelineFingerprint } from './reconcile';

export interface SettleTarget {
  stateDir: string;
  s3: S3Client;
  kinesis: KinesisClient;
  dataBucket: string;
  failuresBucket: string;
  streamName: string;
  failures: FailureIndex;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when the poller's checkpoint of every shard is at the end of that shard. */
async function pollerCaughtUp(
  stateDir: string,
  kinesis: KinesisClient,
  streamName: string,
): Promise<boolean> {
  const file = join(stateDir, 'checkpoints.json');
  if (!existsSync(file)) return false;
  let checkpoints: Record<string, { afterSequenceNumber?: string }>;
  try {
    checkpoints = (JSON.parse(readFileSync(file, 'utf8')) as { checkpoints: typeof checkpoints }).checkpoints;
  } catch {
    return false;
  }
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  for (const shard of shards) {
    const entry = Object.entries(checkpoints).find(([key]) => key.endsWith(`/${shard.ShardId}`))?.[1];
    const after = entry?.afterSequenceNumber;
    const iterator = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    const page = await kinesis.send(
      new GetRecordsCommand({ ShardIterator: iterator.ShardIterator, Limit: 1 }),
    );
    if ((page.Records ?? []).length > 0) return false;
  }
  return true;
}

/** Acknowledged uploads neither processed nor in the failures bucket (yet). */
async function countUnaccounted(
  accepted: readonly AcceptedUpload[],
  target: SettleTarget,
  failures: Map<string, unknown>,
): Promise<number> {
  const processed = new Set(await listKeys(target.s3, target.dataBucket, PROCESSED_PREFIX));
  return accepted.filter((u) => !processed.has(processedKeyFor(u.key)) && !failures.has(u.uploadId)).length;
}

/**
 * Waits until every acknowledged upload is accounted for, the poller is at the end of the stream,
 * and nothing has moved for two looks in a row; false when `timeoutMs` runs out first.
 */
export async function settle(
  accepted: readonly AcceptedUpload[],
  target: SettleTarget,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<boolean> {
  const started = Date.now();
  let previous = '';
  let quiet = 0;
  let lastError = '';
  while (Date.now() - started < timeoutMs) {
    await sleep(1_000);
    try {
      const fingerprint = await pipelineFingerprint(target.s3, target.dataBucket, target.failuresBucket);
      quiet = fingerprint === previous ? quiet + 1 : 0;
      previous = fingerprint;
      if (quiet < 2) continue;
      if (!(await pollerCaughtUp(target.stateDir, target.kinesis, target.streamName))) continue;
      const { byUpload } = await target.failures.failedUploads();
      if ((await countUnaccounted(accepted, target, byUpload)) === 0) return true;
    } catch (error) {
      // An emulator slow under load: look again; say so once per kind of error.
      const message = `${(error as Error).name}: ${(error as Error).message}`;
      if (message !== lastError) log(`while waiting to settle: ${message}`);
      lastError = message;
    }
  }
  return false;
}
