import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisStreamRecord } from 'aws-lambda';
import { buildBenchHandler } from '../lib/bundles';
import { cleanEnv, type Env, LAMBDA_ENV, runWorker, stackEnvironment } from '../lib/child';
import { batches, kinesisRecord, type UploadedObject, uploadLocation } from '../lib/kinesis-records';
import { type Metric, metric } from '../lib/metrics';
import { repoRoot, scratchDir, workerPath } from '../lib/paths';
import type { BenchOptions, Suite } from '../lib/suite';
import { type S3Operation, type S3Stub, startS3Stub } from '../stubs/s3-stub';
import { sha256Of, textSource, upperCasedSource, wholeUnits } from '../stubs/text-source';
import { requireBundle } from './bundle-size';

const DATA_BUCKET = 'bench-data';
const FAILURES_BUCKET = 'bench-failures';
export const BATCH_SIZE = 100;
export const THROUGHPUT_TARGET = 1000;
export const RATIO_TARGET = 30;
export const PEAK_RSS_TARGET_MB = 200;

interface BatchResult {
  ok: boolean;
  error?: string;
  records?: number;
  ms?: number;
  failures?: number;
  cpuUs?: number;
  maxRssKb: number;
}

function processorEnv(options: BenchOptions, stub: S3Stub): Env {
  return cleanEnv({
    ...LAMBDA_ENV,
    AWS_LAMBDA_FUNCTION_NAME: 'bench-processor',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    ...stackEnvironment(repoRoot(), 'processor'),
    ...(options.processorConcurrency !== undefined && {
      PROCESSOR_CONCURRENCY: String(options.processorConcurrency),
    }),
    DATA_BUCKET,
    FAILURES_BUCKET,
    AWS_ENDPOINT_URL_S3: stub.url,
  });
}

/** Small text objects in the stub, each named by one record. */
function smallUploads(stub: S3Stub, count: number): KinesisStreamRecord[] {
  const source = textSource(wholeUnits(1024));
  const body = Buffer.concat([...source.chunks()]);
  const sha256 = sha256Of(source);
  const records: KinesisStreamRecord[] = [];
  for (let i = 0; i < count; i++) {
    const where = uploadLocation(DATA_BUCKET, `bench-${i}.txt`);
    stub.putObject(where.bucket, where.key, body, { contentType: source.contentType });
    records.push(kinesisRecord({ ...where, size: body.length, sha256, contentType: source.contentType }, i));
  }
  return records;
}

async function runBatches(
  bundle: string,
  name: string,
  manifest: { warmup: KinesisStreamRecord[][]; batches: KinesisStreamRecord[][] },
  env: Env,
): Promise<BatchResult> {
  mkdirSync(scratchDir(), { recursive: true });
  const file = join(scratchDir(), `${name}-manifest.json`);
  writeFileSync(file, JSON.stringify(manifest));
  return runWorker<BatchResult>(workerPath('process-batches.mjs'), [bundle, file], {
    env,
    timeoutMs: 600_000,
  });
}

function checkProcessed(stub: S3Stub, records: readonly KinesisStreamRecord[], expectedSha256: string): void {
  for (const record of records) {
    const event = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as UploadedObject;
    const out = stub.object(DATA_BUCKET, event.key.replace(/^uploads\//, 'processed/'));
    if (out?.sha256 !== expectedSha256) {
      throw new Error(
        `${event.key} was not processed into its upper-cased twin (got ${out ? out.sha256 : 'nothing'})`,
      );
    }
  }
}

/** S3 calls the stub answered, per operation: a copy, so that two snapshots can be subtracted. */
export type CallCounts = Partial<Record<S3Operation, number>>;

/** Calls per record between two snapshots of the stub's counters, in total and per operation. */
export function callsPerRecord(
  before: CallCounts,
  after: CallCounts,
  records: number,
): { total: number; byOperation: CallCounts } {
  const byOperation: CallCounts = {};
  let total = 0;
  for (const [operation, count] of Object.entries(after) as [S3Operation, number][]) {
    const calls = count - (before[operation] ?? 0);
    if (calls === 0) continue;
    byOperation[operation] = calls / records;
    total += calls;
  }
  return { total: total / records, byOperation };
}

/** `GetObject 1, PutObject 1`: the per-operation breakdown for a metric's note. */
export function describeCalls(byOperation: CallCounts): string {
  const parts = Object.entries(byOperation).map(([operation, n]) => `${operation} ${Number(n.toFixed(2))}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function assertProcessed(name: string, result: BatchResult): void {
  if (!result.ok || result.failures !== 0) {
    throw new Error(`${name} failed: ${result.error ?? `${result.failures} batch item failures`}`);
  }
}

/** Runs `count` records (after one warm-up batch) through a bundle; throws unless all were processed. */
async function throughputOf(
  stub: S3Stub,
  bundle: string,
  name: string,
  count: { warmup: number; timed: number },
  env: Env,
  expectedSha256: string | undefined,
): Promise<BatchResult & { all: KinesisStreamRecord[]; calls: { total: number; byOperation: CallCounts } }> {
  const records = smallUploads(stub, count.warmup + count.timed);
  const manifest = {
    warmup: batches(records.slice(0, count.warmup), BATCH_SIZE),
    batches: batches(records.slice(count.warmup), BATCH_SIZE),
  };
  const before = { ...stub.calls };
  const result = await runBatches(bundle, name, manifest, env);
  assertProcessed(name, result);
  if (expectedSha256) checkProcessed(stub, records, expectedSha256);
  return { ...result, all: records, calls: callsPerRecord(before, stub.calls, records.length) };
}

/**
 * The same records delivered again (a retry, a redrive or a replay): S3 calls per record when
 * every processed twin already exists. Throws unless all were skipped or processed.
 */
async function redeliveryOf(
  stub: S3Stub,
  bundle: string,
  records: readonly KinesisStreamRecord[],
  env: Env,
): Promise<{ total: number; byOperation: CallCounts }> {
  const before = { ...stub.calls };
  const result = await runBatches(
    bundle,
    'processor-redelivery',
    { warmup: [], batches: batches(records, BATCH_SIZE) },
    env,
  );
  assertProcessed('redelivery', result);
  return callsPerRecord(before, stub.calls, records.length);
}

const rate = (r: BatchResult) => ((r.records ?? 0) * 1000) / (r.ms ?? Number.NaN);
const cpuPerRecord = (r: BatchResult) => (r.cpuUs ?? Number.NaN) / (r.records ?? Number.NaN);

/**
 * Records per second of the production processor bundle, fed batches of 100 records one after
 * another (one shard), each record a 1 KiB text object on an S3 stub that adds a fixed latency
 * to every call; against the seed-style processor on the same stub in the same run. The SDK
 * floor (three S3 calls per record and nothing else: HeadObject, GetObject, PutObject, the design
 * before conditional writes) shows what bounded the rate; ours now makes two (s3_calls_per_record).
 */
export const processorThroughput: Suite = {
  name: 'processor throughput',
  async run(options, log) {
    const seed = await buildBenchHandler('seed-processor');
    const floor = await buildBenchHandler('sdk-floor-processor');
    const stub = await startS3Stub({ latencyMs: options.latencyMs });
    try {
      const env = processorEnv(options, stub);
      const expected = sha256Of(upperCasedSource(wholeUnits(1024)));
      const timed = (options.quick ? 5 : 20) * BATCH_SIZE;
      const oursResult = await throughputOf(
        stub,
        requireBundle('processor'),
        'processor',
        { warmup: BATCH_SIZE, timed },
        env,
        expected,
      );
      const redelivered = await redeliveryOf(
        stub,
        requireBundle('processor'),
        oursResult.all.slice(0, BATCH_SIZE),
        env,
      );
      const floorResult = await throughputOf(
        stub,
        floor.file,
        'sdk-floor',
        { warmup: BATCH_SIZE, timed },
        env,
        undefined,
      );
      const seedResult = await throughputOf(
        stub,
        seed.file,
        'seed-style processor',
        { warmup: 10, timed: options.quick ? 60 : 200 },
        env,
        expected,
      );

      const concurrency = env.PROCESSOR_CONCURRENCY ?? 'the default';
      log(
        `  S3 calls per record: ${oursResult.calls.total.toFixed(2)} (${describeCalls(oursResult.calls.byOperation)}); redelivered: ${redelivered.total.toFixed(2)} (${describeCalls(redelivered.byOperation)})`,
      );
      log(
        `  ours: ${oursResult.records} records in ${oursResult.ms?.toFixed(0)} ms (PROCESSOR_CONCURRENCY ${concurrency}), ${cpuPerRecord(oursResult).toFixed(0)} µs CPU each; SDK floor ${rate(floorResult).toFixed(0)}/s, ${cpuPerRecord(floorResult).toFixed(0)} µs; seed-style: ${seedResult.records} in ${seedResult.ms?.toFixed(0)} ms`,
      );
      return [
        metric({
          name: 'processor.records_per_s',
          value: rate(oursResult),
          unit: 'records/s',
          baseline: rate(seedResult),
          targets: [{ op: '>=', value: THROUGHPUT_TARGET }],
          ratioTargets: [{ op: '>=', value: RATIO_TARGET }],
          note: `dist/functions/processor bundle, batches of ${BATCH_SIZE} one after another, 1 KiB UTF-8 text objects, S3 stub latency ${options.latencyMs} ms per call, PROCESSOR_CONCURRENCY ${concurrency}; baseline: seed-style processor (one record at a time, whole body as a string)`,
        }),
        metric({
          name: 'processor.cpu_us_per_record',
          value: cpuPerRecord(oursResult),
          unit: 'µs',
          baseline: cpuPerRecord(seedResult),
          note: 'CPU (user + system) of the processor process per record, same runs; baseline: seed-style',
        }),
        metric({
          name: 'processor.s3_calls_per_record',
          value: oursResult.calls.total,
          unit: 'calls',
          baseline: floorResult.calls.total,
          note: `S3 requests the stub answered per record on the normal path (first delivery, no processed twin yet), warm-up included: ${describeCalls(oursResult.calls.byOperation)}; baseline: the SDK floor handler (${describeCalls(floorResult.calls.byOperation)})`,
        }),
        metric({
          name: 'processor.s3_calls_per_record_redelivered',
          value: redelivered.total,
          unit: 'calls',
          baseline: oursResult.calls.total,
          note: `S3 requests per record when the same ${BATCH_SIZE} records are delivered again and every processed twin exists (a retry, redrive or replay): ${describeCalls(redelivered.byOperation)}; baseline: the normal path`,
        }),
        metric({
          name: 'processor.records_per_s_sdk_floor',
          value: rate(floorResult),
          unit: 'records/s',
          baseline: rate(oursResult),
          note: 'bench-only handler making three S3 calls per record (HeadObject, GetObject + body, PutObject: the processor before conditional writes; ours makes two) on the same client settings and concurrency, and nothing else; baseline: ours',
        }),
        metric({
          name: 'processor.cpu_us_per_record_sdk_floor',
          value: cpuPerRecord(floorResult),
          unit: 'µs',
          baseline: cpuPerRecord(oursResult),
          note: 'CPU per record of that SDK-only handler; baseline: ours',
        }),
      ];
    } finally {
      await stub.close();
    }
  },
};

/**
 * Peak RSS of a fresh processor process that handles one record naming a large text object
 * (1 GiB by default) of multi-byte UTF-8 served in odd-sized chunks; the output is checked
 * byte for byte (by sha256). Baseline: the seed-style processor, which reads the object into
 * one string.
 */
export const processorMemory: Suite = {
  name: 'processor memory',
  async run(options, log) {
    const seed = await buildBenchHandler('seed-processor');
    const stub = await startS3Stub({ latencyMs: options.latencyMs, keepBodiesUpTo: 0 });
    try {
      const size = wholeUnits(options.largeObjectMiB * 1024 * 1024);
      const source = textSource(size);
      const [sha256, expected] = [sha256Of(source), sha256Of(upperCasedSource(size))];
      const where = uploadLocation(DATA_BUCKET, 'large.txt');
      stub.putSource(where.bucket, where.key, source, sha256);
      const record = kinesisRecord({ ...where, size, sha256, contentType: source.contentType }, 1);
      const env = processorEnv(options, stub);

      const ours = await runBatches(
        requireBundle('processor'),
        'ours-large',
        { warmup: [], batches: [[record]] },
        env,
      );
      if (!ours.ok || ours.failures !== 0)
        throw new Error(`the processor failed on the large object: ${ours.error ?? 'batch item failure'}`);
      checkProcessed(stub, [record], expected);
      // Quick mode leaves the baseline out: reading 1 GiB only to fail takes a while.
      const seedResult = options.quick
        ? undefined
        : await runBatches(seed.file, 'seed-large', { warmup: [], batches: [[record]] }, env);

      const mb = (kb: number) => kb / 1024;
      const label = `${options.largeObjectMiB} MiB`;
      const seedNote = !seedResult
        ? 'not run in quick mode'
        : `${mb(seedResult.maxRssKb).toFixed(0)} MB${seedResult.ok ? '' : ` at its peak, then it failed: ${seedResult.error}`}`;
      log(
        `  ours: peak RSS ${mb(ours.maxRssKb).toFixed(0)} MB for ${label} in ${((ours.ms ?? 0) / 1000).toFixed(1)} s; seed-style: ${seedNote}`,
      );
      const metrics: Metric[] = [
        metric({
          name:
            options.largeObjectMiB === 1024
              ? 'processor.peak_rss_mb_1gb'
              : `processor.peak_rss_mb_${options.largeObjectMiB}mib`,
          value: mb(ours.maxRssKb),
          unit: 'MB',
          baseline: seedResult ? mb(seedResult.maxRssKb) : null,
          targets: [{ op: '<=', value: PEAK_RSS_TARGET_MB }],
          note: `peak RSS of the whole processor process for one ${label} UTF-8 text object (1- to 4-byte characters split across 65,521 B chunks), output verified by sha256; processed in ${((ours.ms ?? 0) / 1000).toFixed(1)} s. Baseline: seed-style whole-object read: ${seedNote}`,
        }),
      ];
      return metrics;
    } finally {
      await stub.close();
    }
  },
};
