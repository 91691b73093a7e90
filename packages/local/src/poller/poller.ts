import { ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';
import { type PollerContext, type PollerDeps, ShardWorker } from './shard-worker';
import { StopSignal } from './wait';

export interface RetryBackoff {
  /** Delay before the first retry (default 100 ms). */
  initialMs?: number;
  /** The delay doubles per retry up to this (default 2,000 ms). */
  maxMs?: number;
}

export interface PollerOptions extends PollerDeps {
  /** Wait between reads of a shard that had no new records (default 250 ms). */
  pollIntervalMs?: number;
  /** Clock for record age and on-failure timestamps (default Date.now). */
  now?: () => number;
  region: string;
  /** Default: the account in the stream ARN, else 000000000000. */
  accountId?: string;
  /** `invokeIdentityArn` of the event records (default `arn:aws:iam::<account>:role/<function name>`). */
  invokeIdentityArn?: string;
  /** Backoff for retried batches, on-failure writes and Kinesis errors. */
  retryBackoff?: RetryBackoff;
  /** How often to look for new shards (default 5,000 ms). */
  shardDiscoveryIntervalMs?: number;
}

export interface Poller {
  /**
   * Stops polling: waits for invocations in flight and applies their results, starts no new ones
   * (nor retries), persists the checkpoints, and resolves when nothing runs any more.
   */
  stop(): Promise<void>;
  /** Resolves when every shard has read to its end and has no unprocessed records (for tests). */
  idle(): Promise<void>;
}

function accountFromArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

function backoff({ initialMs = 100, maxMs = 2_000 }: RetryBackoff = {}): (attempt: number) => number {
  return (attempt) => Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/** Polls the mapping's Kinesis stream like a Lambda event source mapping and invokes its function. */
export function startPoller(options: PollerOptions): Poller {
  const { mapping, log } = options;
  if (!mapping.enabled) {
    log.info(
      `event source mapping ${mapping.uuid} (${mapping.streamName} -> ${mapping.functionName}) is disabled`,
    );
    return { stop: async () => undefined, idle: async () => undefined };
  }

  const stop = new StopSignal();
  const accountId = options.accountId ?? accountFromArn(mapping.streamArn) ?? '000000000000';
  const workers = new Map<string, ShardWorker>();
  const runs: Promise<void>[] = [];
  const idleWaiters: Array<{ tick: number; resolve: () => void }> = [];
  let tick = 0;
  let discovered = false;

  const isIdleSince = (since: number): boolean =>
    discovered && [...workers.values()].every((worker) => worker.isIdleSince(since));

  const changed = (): void => {
    for (let i = idleWaiters.length - 1; i >= 0; i -= 1) {
      const waiter = idleWaiters[i];
      if (waiter && (stop.stopped || isIdleSince(waiter.tick))) {
        idleWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };

  const ctx: PollerContext = {
    mapping,
    kinesis: options.kinesis,
    s3: options.s3,
    invoker: options.invoker,
    checkpoints: options.checkpoints,
    log,
    observer: options.observer,
    now: options.now ?? Date.now,
    stop,
    source: {
      region: options.region,
      streamArn: mapping.streamArn,
      invokeIdentityArn:
        options.invokeIdentityArn ?? `arn:aws:iam::${accountId}:role/${mapping.functionName}`,
    },
    functionArn: `arn:aws:lambda:${options.region}:${accountId}:function:${mapping.functionName}`,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    backoffMs: backoff(options.retryBackoff),
    nextTick: () => {
      tick += 1;
      return tick;
    },
    changed,
  };

  const listShards = async (): Promise<Shard[]> => {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      // StreamName, not StreamARN: kinesalite does not know StreamARN. NextToken excludes StreamName.
      const out = await options.kinesis.send(
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: mapping.streamName }),
      );
      shards.push(...(out.Shards ?? []));
      nextToken = out.NextToken;
    } while (nextToken);
    return shards;
  };

  const startWorker = (shard: Shard): void => {
    const shardId = shard.ShardId;
    if (!shardId || workers.has(shardId)) return;
    // Parents first, as Lambda does after a reshard: a child waits until its parents are fully processed.
    const parentIds = [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => !!id);
    const parents = parentIds.flatMap((id) => workers.get(id) ?? []);
    const worker = new ShardWorker(ctx, shardId, parents, parentIds.length > 0);
    workers.set(shardId, worker);
    runs.push(
      worker.run().catch((error: unknown) => {
        log.error(`${shardId}: polling stopped: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
  };

  const discover = async (): Promise<void> => {
    const intervalMs = options.shardDiscoveryIntervalMs ?? 5_000;
    for (let failures = 0; !stop.stopped; ) {
      try {
        const shards = await listShards();
        failures = 0;
        // Parents are listed before their children, so a child finds its parent's worker.
        for (const shard of shards) startWorker(shard);
        if (!discovered) {
          discovered = true;
          log.info(
            `polling ${mapping.streamName} (${workers.size} shard(s)) for ${mapping.functionName}, batch size ${mapping.batchSize}`,
          );
        }
        changed();
        await stop.sleep(intervalMs);
      } catch (error) {
        failures += 1;
        const delay = ctx.backoffMs(failures);
        log.warn(
          `cannot list the shards of ${mapping.streamName} (${error instanceof Error ? error.message : String(error)}); retrying in ${delay} ms`,
        );
        await stop.sleep(delay);
      }
    }
  };

  const discovery = discover();
  let stopped: Promise<void> | undefined;

  return {
    stop() {
      stopped ??= (async () => {
        stop.stop();
        await discovery;
        // Workers started by discovery are all in `runs` by now; each persists its checkpoint before it ends.
        await Promise.all(runs);
        changed();
        log.info(`stopped polling ${mapping.streamName} for ${mapping.functionName}`);
      })();
      return stopped;
    },
    idle() {
      if (stop.stopped) return Promise.resolve();
      const since = tick;
      return new Promise<void>((resolve) => {
        idleWaiters.push({ tick: since, resolve });
        changed();
      });
    },
  };
}
