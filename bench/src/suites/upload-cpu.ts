import { buildBenchHandler, buildObservabilityVariant } from '../lib/bundles';
import { cleanEnv, type Env, LAMBDA_ENV, runWorker, stackEnvironment } from '../lib/child';
import { metric } from '../lib/metrics';
import { repoRoot, workerPath } from '../lib/paths';
import type { Suite } from '../lib/suite';
import { startKinesisStub } from '../stubs/kinesis-stub';
import { startS3Stub } from '../stubs/s3-stub';
import { requireBundle } from './bundle-size';

export const UPLOAD_CPU_TARGET_US = 800;
export const UPLOAD_CONCURRENCY = 32;
const CONTENT_BYTES = 1024;

interface UploadResult {
  ok: boolean;
  error?: string;
  refused?: number;
  invocations?: number;
  ms?: number;
  cpuUs?: number;
}

async function cpuPerInvoke(bundle: string, env: Env, total: number, warmup: number): Promise<UploadResult> {
  const result = await runWorker<UploadResult>(
    workerPath('invoke-upload.mjs'),
    [bundle, String(total), String(warmup), String(UPLOAD_CONCURRENCY), String(CONTENT_BYTES)],
    { env, timeoutMs: 300_000 },
  );
  if (!result.ok) throw new Error(`${bundle} failed: ${result.error ?? `${result.refused} refused`}`);
  return result;
}

const perInvoke = (r: UploadResult) => (r.cpuUs ?? Number.NaN) / (r.invocations ?? Number.NaN);

/**
 * CPU time per upload invocation: the production upload bundle in a fresh process, invoked
 * with valid 1 KiB uploads 32 at a time against loopback S3 and Kinesis stubs (each call
 * answered after the stub latency), after a warm-up. The stubs run in this process, so the
 * worker's CPU is the handler's, the SDK's and its HTTP client's alone.
 */
export const uploadCpu: Suite = {
  name: 'upload CPU',
  async run(options, log) {
    const s3 = await startS3Stub({ latencyMs: options.latencyMs, keepBodiesUpTo: 0 });
    const kinesis = await startKinesisStub({ latencyMs: options.latencyMs });
    try {
      const [total, warmup] = options.quick ? [1000, 200] : [5000, 500];
      const env = cleanEnv({
        ...LAMBDA_ENV,
        AWS_LAMBDA_FUNCTION_NAME: 'bench-upload',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        ...stackEnvironment(repoRoot(), 'upload'),
        DATA_BUCKET: 'bench-data',
        STREAM_NAME: 'bench-uploads',
        AWS_ENDPOINT_URL_S3: s3.url,
        AWS_ENDPOINT_URL_KINESIS: kinesis.url,
      });
      const result = await cpuPerInvoke(requireBundle('upload'), env, total, warmup);
      if ((s3.calls.PutObject ?? 0) !== total + warmup || kinesis.records !== total + warmup) {
        throw new Error(
          `expected ${total + warmup} objects and records, the stubs saw ${s3.calls.PutObject} and ${kinesis.records}`,
        );
      }
      const floor = await cpuPerInvoke(
        (await buildBenchHandler('sdk-floor-upload')).file,
        env,
        total,
        warmup,
      );
      const noMetrics = await cpuPerInvoke(
        (await buildObservabilityVariant('upload', 'no-metrics')).file,
        env,
        total,
        warmup,
      );
      log(
        `  ${result.invocations} uploads in ${result.ms?.toFixed(0)} ms: ${perInvoke(result).toFixed(0)} µs CPU each (SDK floor ${perInvoke(floor).toFixed(0)} µs, without metrics ${perInvoke(noMetrics).toFixed(0)} µs)`,
      );
      return [
        metric({
          name: 'upload.cpu_us_per_invoke',
          value: perInvoke(result),
          unit: 'µs',
          targets: [{ op: '<=', value: UPLOAD_CPU_TARGET_US }],
          note: `dist/functions/upload bundle, ${total} invocations after ${warmup} warm-up, concurrency ${UPLOAD_CONCURRENCY}, ${CONTENT_BYTES} B bodies, stub latency ${options.latencyMs} ms; CPU = user + system of the function's process`,
        }),
        metric({
          name: 'upload.cpu_us_per_invoke_sdk_floor',
          value: perInvoke(floor),
          unit: 'µs',
          baseline: perInvoke(result),
          note: 'bench-only handler making the same PutObject and PutRecord on the same clients and nothing else, same settings; baseline: ours',
        }),
        metric({
          name: 'experiment.no_metrics.upload.cpu_us_per_invoke',
          value: perInvoke(noMetrics),
          unit: 'µs',
          baseline: perInvoke(result),
          note: 'the production upload bundle with Powertools Metrics replaced by a no-op of the same API (no EMF line), same settings; baseline: ours',
        }),
      ];
    } finally {
      await Promise.all([s3.close(), kinesis.close()]);
    }
  },
};
