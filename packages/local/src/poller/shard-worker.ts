import {
  type _Record,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import type { EventSourceMappingModel, InvokeResult, Invoker, Log } from '../types';
import { bisect, isBatchFull, laneOf, takeBatch } from './batch';
import type { CheckpointStore } from './checkpoint-store';
import { CheckpointTracker } from './checkpoint-tracker';
import { type EventSource, type PendingRecord, toEvent, toPendingRecord } from './kinesis-event';
import {
  buildOnFailureRecord,
  type FailureCondition,
  onFailureObjectKey,
  putOnFailureRecord,
} from './on-failure';
import { classifyResult } from './result';
import { Notifier, type StopSignal, waitFor } from './wait';

/** Follows a poller's work (the local runtime's metrics): Lambda's IteratorAge and on-failure records. */
export interface PollerObserver {
  /** A batch is about to be handed to the function; `newestArrivalMs`: its last record's arrival. */
  batchInvoked?(functionName: string, shardId: string, newestArrivalMs: number): void;
  /** The shard has been read to its end and none of its records is outstanding. */
  caughtUp?(functionName: string, shardId: string): void;
  /** One object was written to the on-failure destination. */
  onFailureRecord?(bucket: string, key: string): void;
}

/** What a poller is given to work with, and hands on to each of its shard workers. */
export interface PollerDeps {
  mapping: EventSourceMappingModel;
  kinesis: KinesisClient;
  /** For the S3 on-failure destination. */
  s3: S3Client;
  invoker: Invoker;
  checkpoints: CheckpointStore;
  log: Log;
  observer?: PollerObserver;
}

/** Everything a shard worker shares with the poller that owns it. */
export interface PollerContext extends PollerDeps {
  /** Clock for record age and on-failure timestamps. */
  now: () => number;
  stop: StopSignal;
  source: EventSource;
  functionArn: string;
  pollIntervalMs: number;
  /** Delay before retry number `attempt` (1-based). */
  backoffMs: (attempt: number) => number;
  /** A counter that orders reads against idle() calls. */
  nextTick: () => number;
  /** Called whenever progress is made, so idle() waiters can look again. */
  changed: () => void;
}

/** Where reading a shard starts. */
type StartPosition =
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  /** `pinnedAtMs`: when the shard's latest position was taken (persisted as the first checkpoint). */
  | { type: 'LATEST'; pinnedAtMs: number }
  /** From the oldest record; with `notBeforeMs`, records that arrived earlier are skipped. */
  | { type: 'TRIM_HORIZON'; notBeforeMs?: number };

type BatchEnd = 'done' | 'abandoned';

interface Attempts {
  /** Retries counted against maximumRetryAttempts. */
  retries: number;
  /** Invocations that carried these records (approximateInvokeCount). */
  invokes: number;
}

interface Lane {
  index: number;
  queue: PendingRecord[];
  wake: Notifier;
}

const MAX_GET_RECORDS_LIMIT = 10_000;

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Reads one shard and invokes the function with its records, lane by lane. */
export class ShardWorker {
  private readonly tracker = new CheckpointTracker();
  private readonly lanes: Lane[];
  /** Wakes the reader when records finish (buffer space) . */
  private readonly progress = new Notifier();
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readerEnded = false;
  private lastReadSequenceNumber: string | undefined;
  private start: StartPosition | undefined;
  /** Records that arrived before this are skipped (AT_TIMESTAMP, or a pinned LATEST). */
  private skipBeforeMs: number | undefined;
  private hadIterator = false;
  private lastEmptyReadTick = 0;
  /** Checkpoint writes under way: idle() waits for them too. */
  private persisting = 0;
  private isFinished = false;
  private resolveFinished!: () => void;
  /** Resolves when the shard is closed and every record of it is finished (children may start then). */
  readonly finished: Promise<void>;

  constructor(
    private readonly ctx: PollerContext,
    readonly shardId: string,
    private readonly parents: readonly ShardWorker[],
    private readonly hasParent: boolean,
  ) {
    this.batchSize = Math.max(1, Math.floor(ctx.mapping.batchSize));
    const { parallelizationFactor } = ctx.mapping;
    const batchSize = this.batchSize;
    const laneCount = Math.min(10, Math.max(1, Math.floor(parallelizationFactor)));
    this.lanes = Array.from({ length: laneCount }, (_, index) => ({
      index,
      queue: [],
      wake: new Notifier(),
    }));
    this.maxBuffered = Math.max(batchSize, Math.min(2 * batchSize * laneCount, 50_000));
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  /** True when this shard has nothing left to do that began before `tick`. */
  isIdleSince(tick: number): boolean {
    if (this.isFinished) return true;
    return this.lastEmptyReadTick > tick && this.tracker.outstanding === 0 && this.persisting === 0;
  }

  async run(): Promise<void> {
    const { stop } = this.ctx;
    for (const parent of this.parents) {
      let offStop: (() => void) | undefined;
      const stopped = new Promise<void>((resolve) => {
        offStop = stop.onStop(resolve);
      });
      await Promise.race([parent.finished, stopped]);
      offStop?.();
    }
    if (stop.stopped) return;
    const lanes = this.lanes.map((lane) => this.runLane(lane));
    await this.read();
    await Promise.all(lanes);
    if (!stop.stopped && this.readerEnded) {
      this.isFinished = true;
      this.ctx.log.info(`${this.shardId} is closed and fully processed`);
      this.resolveFinished();
      this.ctx.changed();
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  private async resolveStart(): Promise<StartPosition> {
    const { mapping, checkpoints } = this.ctx;
    const saved = await checkpoints.get(mapping.uuid, this.shardId);
    if (saved && 'afterSequenceNumber' in saved) {
      return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: saved.afterSequenceNumber };
    }
    if (saved) return { type: 'TRIM_HORIZON', notBeforeMs: saved.atTimestampMs };
    // A child of a split or merge holds only records newer than its parents: all of them are due.
    if (this.hasParent) return { type: 'TRIM_HORIZON' };
    switch (mapping.startingPosition) {
      case 'TRIM_HORIZON':
        return { type: 'TRIM_HORIZON' };
      case 'AT_TIMESTAMP':
        if (mapping.startingPositionTimestamp === undefined) {
          this.ctx.log.warn(
            `${mapping.uuid}: AT_TIMESTAMP without startingPositionTimestamp; starting at TRIM_HORIZON`,
          );
          return { type: 'TRIM_HORIZON' };
        }
        return { type: 'TRIM_HORIZON', notBeforeMs: mapping.startingPositionTimestamp * 1000 };
      case 'LATEST': {
        // Pin "latest" as a time before taking the iterator: if we stop before any record is
        // processed, the restart reads from that time instead of a new LATEST that would skip
        // whatever was written in between.
        const pinnedAtMs = Date.now();
        await checkpoints.set(mapping.uuid, this.shardId, { atTimestampMs: pinnedAtMs });
        return { type: 'LATEST', pinnedAtMs };
      }
    }
  }

  /**
   * AT_TIMESTAMP is read as TRIM_HORIZON plus a filter on the arrival time, with the same result:
   * kinesalite never answers GetShardIterator AT_TIMESTAMP when no record has arrived since the
   * timestamp, and rejects a timestamp in its future.
   */
  private async getIterator(position: StartPosition): Promise<string | undefined> {
    const input: GetShardIteratorCommandInput = {
      StreamName: this.ctx.mapping.streamName,
      ShardId: this.shardId,
      ShardIteratorType: position.type,
    };
    if (position.type === 'AFTER_SEQUENCE_NUMBER') input.StartingSequenceNumber = position.sequenceNumber;
    const out = await this.ctx.kinesis.send(new GetShardIteratorCommand(input));
    return out.ShardIterator;
  }

  /** Asks until it gets an iterator (undefined only when stopping). */
  private async iteratorFromPosition(): Promise<string | undefined> {
    const { stop, log } = this.ctx;
    for (let failures = 1; !stop.stopped; failures += 1) {
      try {
        this.start ??= await this.resolveStart();
        let position: StartPosition;
        if (this.lastReadSequenceNumber !== undefined) {
          // Resuming after an expired iterator: the arrival filter (if still on) carries over.
          position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastReadSequenceNumber };
        } else {
          // A second LATEST iterator would skip what arrived since the first: go back to the pinned time.
          position =
            this.start.type === 'LATEST' && this.hadIterator
              ? { type: 'TRIM_HORIZON', notBeforeMs: this.start.pinnedAtMs }
              : this.start;
          this.skipBeforeMs = position.type === 'TRIM_HORIZON' ? position.notBeforeMs : undefined;
        }
        const iterator = await this.getIterator(position);
        if (iterator) {
          this.hadIterator = true;
          return iterator;
        }
        throw new Error('GetShardIterator returned no iterator');
      } catch (error) {
        const delay = this.ctx.backoffMs(failures);
        log.warn(`${this.shardId}: cannot start reading (${describeError(error)}); retrying in ${delay} ms`);
        await stop.sleep(delay);
      }
    }
    return undefined;
  }

  private async read(): Promise<void> {
    const { stop, log, kinesis } = this.ctx;
    let iterator = await this.iteratorFromPosition();
    let failures = 0;
    while (iterator && !stop.stopped) {
      const room = this.maxBuffered - this.tracker.outstanding;
      if (room <= 0) {
        await waitFor(stop, this.progress);
        continue;
      }
      const tick = this.ctx.nextTick();
      let records: _Record[];
      let next: string | undefined;
      try {
        const out = await kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(MAX_GET_RECORDS_LIMIT, room) }),
        );
        records = out.Records ?? [];
        next = out.NextShardIterator;
        failures = 0;
      } catch (error) {
        if (error instanceof ExpiredIteratorException) {
          iterator = await this.iteratorFromPosition();
          continue;
        }
        failures += 1;
        const delay = this.ctx.backoffMs(failures);
        log.warn(`${this.shardId}: GetRecords failed (${describeError(error)}); retrying in ${delay} ms`);
        await stop.sleep(delay);
        continue;
      }
      this.accept(records);
      iterator = next;
      if (records.length === 0) {
        this.lastEmptyReadTick = tick;
        if (this.tracker.outstanding === 0)
          this.ctx.observer?.caughtUp?.(this.ctx.mapping.functionName, this.shardId);
        this.ctx.changed();
        if (iterator) await stop.sleep(this.ctx.pollIntervalMs);
      }
    }
    if (!stop.stopped) {
      // NextShardIterator is null: the shard was split or merged and everything in it has been read.
      this.readerEnded = true;
      for (const lane of this.lanes) lane.wake.notify();
    }
  }

  private accept(records: readonly _Record[]): void {
    const readAtMs = Date.now();
    for (const record of records) {
      const sequenceNumber = record.SequenceNumber;
      if (sequenceNumber === undefined) continue;
      this.lastReadSequenceNumber = sequenceNumber;
      if (this.skipBeforeMs !== undefined) {
        const arrivalMs = record.ApproximateArrivalTimestamp?.getTime();
        if (arrivalMs !== undefined && arrivalMs < this.skipBeforeMs) continue;
        // Records of a shard arrive in order: once one is new enough, all after it are too.
        this.skipBeforeMs = undefined;
      }
      const pending = toPendingRecord(record, this.shardId, this.ctx.source, readAtMs);
      this.tracker.add(sequenceNumber);
      const lane = this.lanes[laneOf(pending.partitionKey, this.lanes.length)];
      lane?.queue.push(pending);
    }
    if (records.length > 0) for (const lane of this.lanes) lane.wake.notify();
  }

  // ---- invoking ------------------------------------------------------------------------------

  private async runLane(lane: Lane): Promise<void> {
    const { stop, mapping, log } = this.ctx;
    const windowMs = Math.max(0, mapping.maximumBatchingWindowSeconds) * 1000;
    try {
      while (!stop.stopped) {
        const head = lane.queue[0];
        if (!head) {
          if (this.readerEnded) return;
          await waitFor(stop, lane.wake);
          continue;
        }
        if (windowMs > 0 && !this.readerEnded && !isBatchFull(lane.queue, this.batchSize)) {
          const remaining = head.readAtMs + windowMs - Date.now();
          if (remaining > 0) {
            await waitFor(stop, lane.wake, remaining);
            continue;
          }
        }
        const batch = takeBatch(lane.queue, this.batchSize);
        const end = await this.processBatch(batch, { retries: 0, invokes: 0 });
        if (end === 'abandoned') return;
      }
    } catch (error) {
      // Only a bug gets here: the lane stops, and its records stay unacknowledged (so the checkpoint holds).
      log.error(`${this.shardId}: lane ${lane.index} stopped: ${describeError(error)}`);
    }
  }

  private isExpired(record: PendingRecord, nowMs: number): boolean {
    const maxAge = this.ctx.mapping.maximumRecordAgeSeconds;
    return maxAge >= 0 && nowMs - record.arrivalMs > maxAge * 1000;
  }

  /**
   * Delivers one batch until it is acknowledged or discarded to the on-failure destination, with
   * AWS's error handling: partial batch responses, retries with backoff, bisection on function
   * errors (which does not use up retries), maximum record age and maximum retry attempts.
   */
  private async processBatch(initial: PendingRecord[], inherited: Attempts): Promise<BatchEnd> {
    const { stop, mapping, log, invoker } = this.ctx;
    const attempts: Attempts = { ...inherited };
    let records = initial;
    let lastResult: InvokeResult | undefined;
    let invokeFailures = 0;

    for (;;) {
      if (stop.stopped) return 'abandoned';

      const nowMs = this.ctx.now();
      const expired = records.filter((record) => this.isExpired(record, nowMs));
      if (expired.length > 0) {
        if (!(await this.discard(expired, 'RecordAgeExceeded', attempts, lastResult))) return 'abandoned';
        records = records.filter((record) => !this.isExpired(record, nowMs));
        if (records.length === 0) return 'done';
      }

      const first = records[0]?.sequenceNumber;
      const last = records[records.length - 1]?.sequenceNumber;
      const what = `${records.length} record(s) from ${this.shardId} (${first}..${last})`;
      let result: InvokeResult;
      try {
        const newest = records[records.length - 1];
        if (newest) this.ctx.observer?.batchInvoked?.(mapping.functionName, this.shardId, newest.arrivalMs);
        result = await invoker.invoke(mapping.functionName, toEvent(records));
      } catch (error) {
        // The function could not be invoked at all: Lambda retries such errors until the records
        // expire, without counting them as retries of the batch.
        invokeFailures += 1;
        const delay = this.ctx.backoffMs(invokeFailures);
        log.warn(
          `cannot invoke ${mapping.functionName} with ${what} (${describeError(error)}); retrying in ${delay} ms`,
        );
        await stop.sleep(delay);
        continue;
      }
      attempts.invokes += 1;
      lastResult = result;

      const sequenceNumbers = records.map((record) => record.sequenceNumber);
      const outcome = classifyResult(result, sequenceNumbers, mapping.reportBatchItemFailures);
      const took = `${result.durationMs} ms`;
      switch (outcome.kind) {
        case 'success':
          log.info(`invoked ${mapping.functionName} with ${what}: ok (${took})`);
          await this.finish(records);
          return 'done';
        case 'partial': {
          const failedAt = records[outcome.firstFailedIndex]?.sequenceNumber;
          log.info(
            `invoked ${mapping.functionName} with ${what}: ${outcome.failedCount} item failure(s), retrying from ${failedAt} (${took})`,
          );
          await this.finish(records.slice(0, outcome.firstFailedIndex));
          records = records.slice(outcome.firstFailedIndex);
          break;
        }
        case 'function-error':
          log.info(`invoked ${mapping.functionName} with ${what}: ${outcome.description} (${took})`);
          if (mapping.bisectBatchOnFunctionError && records.length > 1 && !stop.stopped) {
            const [left, right] = bisect(records);
            log.warn(
              `${this.shardId}: bisecting the failed batch into ${left.length} + ${right.length} record(s)`,
            );
            if ((await this.processBatch(left, attempts)) === 'abandoned') return 'abandoned';
            return this.processBatch(right, attempts);
          }
          break;
        case 'invalid-response':
          log.info(
            `invoked ${mapping.functionName} with ${what}: whole batch failed, ${outcome.description} (${took})`,
          );
          break;
      }

      if (stop.stopped) return 'abandoned';
      const maxRetries = mapping.maximumRetryAttempts;
      if (maxRetries >= 0 && attempts.retries >= maxRetries) {
        return (await this.discard(records, 'RetryAttemptsExhausted', attempts, lastResult))
          ? 'done'
          : 'abandoned';
      }
      attempts.retries += 1;
      const delay = this.ctx.backoffMs(attempts.retries);
      const of = maxRetries >= 0 ? ` of ${maxRetries}` : '';
      log.warn(
        `${this.shardId}: retry ${attempts.retries}${of} of ${records.length} record(s) in ${delay} ms`,
      );
      await stop.sleep(delay);
    }
  }

  /** Records are finished: move the checkpoint if it can move, and persist it before going on. */
  private async finish(records: readonly PendingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { mapping, checkpoints, log } = this.ctx;
    const moved = this.tracker.finish(records.map((record) => record.sequenceNumber));
    const checkpoint = this.tracker.checkpoint;
    if (moved && checkpoint !== undefined) {
      this.persisting += 1;
      try {
        await checkpoints.set(mapping.uuid, this.shardId, { afterSequenceNumber: checkpoint });
      } catch (error) {
        // Progress goes on; a restart would re-deliver from the last persisted checkpoint (at least once).
        log.error(`${this.shardId}: cannot persist checkpoint ${checkpoint}: ${describeError(error)}`);
      } finally {
        this.persisting -= 1;
      }
    }
    this.progress.notify();
    this.ctx.changed();
  }

  /**
   * Sends discarded records to the on-failure destination (one object per batch), retrying the
   * write until it succeeds; only then do the records count as finished. False when stopping first.
   */
  private async discard(
    records: readonly PendingRecord[],
    condition: FailureCondition,
    attempts: Attempts,
    lastResult: InvokeResult | undefined,
  ): Promise<boolean> {
    const { mapping, log, stop, s3 } = this.ctx;
    const bucket = mapping.onFailureBucket;
    const range = `${records[0]?.sequenceNumber}..${records[records.length - 1]?.sequenceNumber}`;
    if (!bucket) {
      log.warn(
        `${this.shardId}: dropping ${records.length} record(s) (${range}), ${condition}; no on-failure destination`,
      );
      await this.finish(records);
      return true;
    }
    const failedAt = new Date(this.ctx.now());
    const record = buildOnFailureRecord({
      records,
      shardId: this.shardId,
      streamArn: mapping.streamArn,
      functionArn: this.ctx.functionArn,
      condition,
      approximateInvokeCount: attempts.invokes,
      lastResult,
      failedAt,
    });
    const key = onFailureObjectKey(mapping.uuid, this.shardId, failedAt);
    for (let failures = 1; ; failures += 1) {
      try {
        await putOnFailureRecord(s3, bucket, key, record);
        this.ctx.observer?.onFailureRecord?.(bucket, key);
        log.warn(
          `${this.shardId}: ${condition}: sent ${records.length} record(s) (${range}) to s3://${bucket}/${key}`,
        );
        await this.finish(records);
        return true;
      } catch (error) {
        if (stop.stopped) return false;
        const delay = this.ctx.backoffMs(failures);
        log.warn(
          `${this.shardId}: cannot write to on-failure destination s3://${bucket} (${describeError(error)}); retrying in ${delay} ms`,
        );
        await stop.sleep(delay);
        if (stop.stopped) return false;
      }
    }
  }
}
