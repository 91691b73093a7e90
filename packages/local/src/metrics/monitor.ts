import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_ENV, METRIC_DIMENSIONS, METRICS } from '@streamdrop/config';
import {
  type AlarmDefinition,
  type AlarmState,
  evaluateAlarm,
  type Resolve,
  readAlarms,
} from '../alarms/alarms';
import { prop, resources, type TerraformJson } from '../stack/terraform-json';
import type { FunctionModel, InvokeResult, Log } from '../types';
import { parseEmf } from './emf';
import { MetricStore, percentile } from './store';

/** `<state dir>/stats.json`: what `streamdrop stats` reads. */
export const STATS_FILE = 'stats.json';

/** What the poller tells the monitor (PollerObserver in poller/shard-worker.ts). */
export interface PollerSignals {
  /** A batch of the shard was handed to the function; `newestArrivalMs` is its last record's arrival. */
  batchInvoked(functionName: string, shardId: string, newestArrivalMs: number): void;
  /** The shard has been read to its end and nothing of it is outstanding. */
  caughtUp(functionName: string, shardId: string): void;
  /** The on-failure destination got one object. */
  onFailureRecord(bucket: string, key: string): void;
}

export interface AlarmStatus {
  name: string;
  state: AlarmState;
  /** When it entered this state (ISO). */
  since: string;
  reason: string;
}

/** `stats.json` (documented in docs/local.md). Counts are since the stack started. */
export interface LocalStats {
  updatedAt: string;
  startedAt: string;
  intervalMs: number;
  uploads: { accepted: number; bytesAccepted: number; replayed: number; refused: Record<string, number> };
  records: {
    processed: number;
    skipped: number;
    failedPermanently: number;
    retried: number;
    onFailureDestination: number;
  };
  /** Upload to processed, ms, over the last hour. */
  latencyMs: { count: number; p50?: number; p90?: number; p99?: number; max?: number };
  /** The newest iterator age of each shard, ms (0 once it has caught up). */
  iteratorAgeMs: Record<string, number>;
  functions: Record<
    string,
    {
      invocations: number;
      errors: number;
      throttles: number;
      durationMs: { p50?: number; p99?: number; max?: number };
    }
  >;
  api: { requests: number; '4xx': number; '5xx': number };
  streamsProxy: Record<string, Record<string, number>>;
  alarms: AlarmStatus[];
}

export interface MonitorOptions {
  tf: TerraformJson;
  resolve: Resolve;
  functions: readonly FunctionModel[];
  stateDir: string;
  log: Log;
  /** How often alarms are evaluated and stats.json is written (default 1,000 ms). */
  intervalMs?: number;
  now?: () => number;
}

const HOUR = 60 * 60 * 1000;

/**
 * The local CloudWatch: collects the functions' EMF lines and the runtime's own numbers (per
 * function: invocations, errors, throttles, durations; the gateway's requests; the poller's
 * iterator age and on-failure records) under the names AWS uses, evaluates the stack's own alarms
 * against them, prints `ALARM <name>` / `OK <name>` on each change, and keeps stats.json current.
 */
export class Monitor {
  readonly store: MetricStore;
  readonly statsFile: string;
  readonly intervalMs: number;
  private readonly alarms: AlarmDefinition[];
  private readonly states = new Map<string, AlarmStatus>();
  private readonly shardAges = new Map<string, number>();
  private readonly namespace: string | undefined;
  private readonly apiId: string | undefined;
  private readonly filters: Array<{ bucket: string; name: string; prefix: string }>;
  private readonly startedAt: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: MonitorOptions) {
    this.now = options.now ?? Date.now;
    this.store = new MetricStore(HOUR, this.now);
    this.statsFile = join(options.stateDir, STATS_FILE);
    this.intervalMs = options.intervalMs ?? 1_000;
    this.startedAt = this.now();
    this.alarms = readAlarms(options.tf, options.resolve);
    this.namespace = options.functions.map((f) => f.environment[FUNCTION_ENV.metricsNamespace]).find(Boolean);
    const api = resources(options.tf, 'aws_apigatewayv2_api')[0];
    this.apiId = api ? options.resolve(`\${${api.address}.id}`, api.address) : undefined;
    this.filters = resources(options.tf, 'aws_s3_bucket_metric').map((r) => {
      const filter = prop.block(r, 'filter');
      return {
        bucket: options.resolve(prop.str(r, 'bucket'), `${r.address}.bucket`),
        name: prop.str(r, 'name'),
        prefix: typeof filter?.prefix === 'string' ? filter.prefix : '',
      };
    });
  }

  /** The alarms it evaluates, by name. */
  get alarmNames(): string[] {
    return this.alarms.map((a) => a.name);
  }

  /** Takes a function's output line; true when it was an EMF line (a metric, not a log line). */
  functionLine(_functionName: string, line: string): boolean {
    const data = parseEmf(line, this.now);
    if (!data) return false;
    for (const datum of data) this.store.add(datum);
    return true;
  }

  /** Lambda's own metrics of one invocation. The local runner queues instead of throttling: no Throttles. */
  invoked(functionName: string, result: InvokeResult): void {
    const id = (name: string) => ({
      namespace: 'AWS/Lambda',
      name,
      dimensions: { FunctionName: functionName },
    });
    this.store.put(id('Invocations'), 1);
    this.store.put(id('Errors'), result.ok ? 0 : 1);
    this.store.put(id('Duration'), result.durationMs);
  }

  /** API Gateway's metrics of one request (HTTP API, dimension ApiId). */
  apiResponse(statusCode: number, latencyMs: number): void {
    if (!this.apiId) return;
    const id = (name: string) => ({
      namespace: 'AWS/ApiGateway',
      name,
      dimensions: { ApiId: this.apiId as string },
    });
    this.store.put(id('Count'), 1);
    this.store.put(id('4xx'), statusCode >= 400 && statusCode < 500 ? 1 : 0);
    this.store.put(id('5xx'), statusCode >= 500 ? 1 : 0);
    this.store.put(id('Latency'), latencyMs);
  }

  readonly poller: PollerSignals = {
    batchInvoked: (functionName, shardId, newestArrivalMs) => {
      const age = Math.max(0, this.now() - newestArrivalMs);
      this.shardAges.set(shardId, age);
      this.store.put(
        { namespace: 'AWS/Lambda', name: 'IteratorAge', dimensions: { FunctionName: functionName } },
        age,
      );
    },
    caughtUp: (_functionName, shardId) => {
      this.shardAges.set(shardId, 0);
    },
    onFailureRecord: (bucket, key) => {
      // As S3 request metrics would count the PUT: one per filter whose prefix the key is under.
      for (const filter of this.filters) {
        if (filter.bucket === bucket && key.startsWith(filter.prefix)) {
          this.store.put(
            {
              namespace: 'AWS/S3',
              name: 'PutRequests',
              dimensions: { BucketName: bucket, FilterId: filter.name },
            },
            1,
          );
        }
      }
    },
  };

  /** Evaluates every alarm now and prints each change of state; returns the states. */
  evaluate(): AlarmStatus[] {
    const now = this.now();
    for (const alarm of this.alarms) {
      const before = this.states.get(alarm.name);
      const { state, reason } = evaluateAlarm(alarm, this.store, now, before?.state ?? 'INSUFFICIENT_DATA');
      if (before?.state === state) {
        before.reason = reason;
        continue;
      }
      this.states.set(alarm.name, { name: alarm.name, state, since: new Date(now).toISOString(), reason });
      if (state === 'ALARM') this.options.log.warn(`ALARM ${alarm.name}: ${reason}`);
      else if (state === 'OK' && before?.state === 'ALARM')
        this.options.log.info(`OK ${alarm.name}: ${reason}`);
    }
    return [...this.states.values()];
  }

  /** The numbers `streamdrop stats` shows. */
  stats(): LocalStats {
    const now = this.now();
    const total = (name: string, dims: Record<string, string> = {}) =>
      this.namespace === undefined
        ? 0
        : this.store
            .find(this.namespace, name)
            .filter((s) => Object.entries(dims).every(([k, v]) => s.dimensions[k] === v))
            .reduce((sum, s) => sum + s.total, 0);
    const refused: Record<string, number> = {};
    const proxy: Record<string, Record<string, number>> = {};
    if (this.namespace !== undefined) {
      for (const s of this.store.find(this.namespace, METRICS.uploadsRefused)) {
        const reason = s.dimensions[METRIC_DIMENSIONS.reason] ?? 'unknown';
        refused[reason] = (refused[reason] ?? 0) + s.total;
      }
      for (const s of this.store.find(this.namespace, METRICS.proxyCalls)) {
        const route = s.dimensions[METRIC_DIMENSIONS.route] ?? 'unknown';
        const outcome = s.dimensions[METRIC_DIMENSIONS.outcome] ?? 'unknown';
        proxy[route] = { ...proxy[route], [outcome]: (proxy[route]?.[outcome] ?? 0) + s.total };
      }
    }
    const latencies =
      this.namespace === undefined
        ? []
        : this.store
            .find(this.namespace, METRICS.processingLatency)
            .flatMap((s) => this.store.values(s, now - HOUR));
    const lambdaTotal = (fn: string, name: string) =>
      this.store.find('AWS/Lambda', name).find((s) => s.dimensions.FunctionName === fn)?.total ?? 0;
    const functions: LocalStats['functions'] = {};
    for (const fn of this.options.functions) {
      const durations = this.store.values(
        { namespace: 'AWS/Lambda', name: 'Duration', dimensions: { FunctionName: fn.name } },
        now - HOUR,
      );
      functions[fn.name] = {
        invocations: lambdaTotal(fn.name, 'Invocations'),
        errors: lambdaTotal(fn.name, 'Errors'),
        throttles: lambdaTotal(fn.name, 'Throttles'),
        durationMs: summary(durations, ['p50', 'p99']),
      };
    }
    const apiTotal = (name: string) =>
      this.store.find('AWS/ApiGateway', name).reduce((sum, s) => sum + s.total, 0);
    return {
      updatedAt: new Date(now).toISOString(),
      startedAt: new Date(this.startedAt).toISOString(),
      intervalMs: this.intervalMs,
      uploads: {
        accepted: total(METRICS.uploadsAccepted),
        bytesAccepted: total(METRICS.uploadBytesAccepted),
        replayed: total(METRICS.uploadsReplayed),
        refused,
      },
      records: {
        processed: total(METRICS.recordsProcessed),
        skipped: total(METRICS.recordsSkipped),
        failedPermanently: total(METRICS.recordsFailedPermanently),
        retried: total(METRICS.recordsRetried),
        onFailureDestination: this.store.find('AWS/S3', 'PutRequests').reduce((sum, s) => sum + s.total, 0),
      },
      latencyMs: { count: latencies.length, ...summary(latencies, ['p50', 'p90', 'p99']) },
      iteratorAgeMs: Object.fromEntries(this.shardAges),
      functions,
      api: { requests: apiTotal('Count'), '4xx': apiTotal('4xx'), '5xx': apiTotal('5xx') },
      streamsProxy: proxy,
      alarms: this.alarms.map(
        (a) =>
          this.states.get(a.name) ?? {
            name: a.name,
            state: 'INSUFFICIENT_DATA',
            since: new Date(this.startedAt).toISOString(),
            reason: 'not evaluated yet',
          },
      ),
    };
  }

  /** Evaluates the alarms and writes stats.json (atomically: a reader never sees half a file). */
  tick(): void {
    this.evaluate();
    const tmp = `${this.statsFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.stats(), null, 2)}\n`);
    renameSync(tmp, this.statsFile);
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (error) {
        this.options.log.warn(`metrics: ${(error as Error).message}`);
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.tick();
    } catch {
      // the state folder may be gone already (a test removed it)
    }
  }
}

function summary<K extends string>(
  values: readonly number[],
  ps: readonly K[],
): Partial<Record<K | 'max', number>> {
  if (values.length === 0) return {};
  const out: Partial<Record<K | 'max', number>> = { max: Math.max(...values) } as Partial<
    Record<K | 'max', number>
  >;
  for (const p of ps) out[p] = percentile(values, Number(p.slice(1)));
  return out;
}
