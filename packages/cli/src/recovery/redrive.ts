import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { type Failure, type RecoveryTarget, readFailure } from './failures';

export interface RedriveOutcome {
  id: string;
  status: 'redriven' | 'refused' | 'error';
  /** refused/error: why. */
  reason?: string;
  /** Where each record went back on the stream. */
  published: Array<{ partitionKey: string; shardId?: string; sequenceNumber?: string; uploadId?: string }>;
}

export interface RedriveOptions {
  /** Re-publish records that are not valid upload events too. */
  force?: boolean;
  /** Called after each failure, for progress output. */
  onOutcome?: (outcome: RedriveOutcome) => void;
}

/**
 * Puts each failure's records back on the stream with their original data and partition key,
 * then deletes the failure — only once every PutRecord of it has succeeded. A failure holding a
 * record that is not a valid upload event is refused (with the reason) unless `force`.
 * A failure that fails half-way stays; redriving it again re-publishes its first records a second
 * time, which the processor absorbs (it is idempotent).
 */
export async function redrive(
  target: RecoveryTarget,
  ids: readonly string[],
  options: RedriveOptions = {},
): Promise<RedriveOutcome[]> {
  const outcomes: RedriveOutcome[] = [];
  for (const id of ids) {
    const outcome = await redriveOne(target, id, options.force === true);
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  }
  return outcomes;
}

async function redriveOne(target: RecoveryTarget, id: string, force: boolean): Promise<RedriveOutcome> {
  const published: RedriveOutcome['published'] = [];
  let failure: Failure;
  try {
    failure = await readFailure(target, id);
  } catch (error) {
    return { id, status: 'refused', reason: (error as Error).message, published };
  }
  const invalid = failure.records.filter((r) => r.problem !== undefined);
  if (invalid.length > 0 && !force) {
    const which = invalid
      .map((r) => `${r.sequenceNumber ? `record ${r.sequenceNumber}` : 'a record'}: ${r.problem}`)
      .join('; ');
    return {
      id,
      status: 'refused',
      reason: `${which} (re-publish it anyway with --force)`,
      published,
    };
  }
  try {
    for (const record of failure.records) {
      const out = await target.kinesis.send(
        new PutRecordCommand({
          StreamName: target.streamName,
          PartitionKey: record.partitionKey,
          Data: record.data,
        }),
      );
      published.push({
        partitionKey: record.partitionKey,
        shardId: out.ShardId,
        sequenceNumber: out.SequenceNumber,
        ...(record.event && { uploadId: record.event.uploadId }),
      });
    }
  } catch (error) {
    return {
      id,
      status: 'error',
      reason: `PutRecord failed after ${published.length} of ${failure.records.length} record(s) (${(error as Error).name}: ${(error as Error).message}); the failure is kept`,
      published,
    };
  }
  try {
    await target.s3.send(new DeleteObjectCommand({ Bucket: target.failuresBucket, Key: id }));
  } catch (error) {
    return {
      id,
      status: 'error',
      reason: `re-published, but the failure could not be deleted (${(error as Error).name}: ${(error as Error).message}); redriving it again is harmless`,
      published,
    };
  }
  return { id, status: 'redriven', published };
}
