import { buildObservabilityVariant, buildVariant } from '../lib/bundles';
import { cleanEnv, type Env, LAMBDA_ENV, stackEnvironment, timeNode } from '../lib/child';
import { median, metric } from '../lib/metrics';
import { repoRoot, workerPath } from '../lib/paths';
import type { Suite } from '../lib/suite';
import { requireBundle } from './bundle-size';

export const COLD_INIT_TARGET_MS = 40;

/** Variables a function needs at import time (values are placeholders; nothing is called). */
const FUNCTION_ENV: Record<string, Env> = {
  upload: { DATA_BUCKET: 'bench-data', STREAM_NAME: 'bench-uploads' },
  processor: { DATA_BUCKET: 'bench-data', FAILURES_BUCKET: 'bench-failures' },
};

/**
 * Cold init: wall time of a fresh `node` process that imports a bundle — which builds its SDK
 * clients at module scope — and exits, minus a bare `node` process (an empty module) in the
 * same run. Runs are interleaved (bare, ours, baseline, no source maps, bare, …) so that machine
 * noise hits every variant alike; each value is a median. The environment is the function's
 * from the synthesized stack (NODE_OPTIONS=--enable-source-maps included), as in Lambda.
 */
export const coldInit: Suite = {
  name: 'cold init',
  async run(options, log) {
    const root = repoRoot();
    const runs = options.quick ? 15 : 31;
    const variants: Array<{
      fn: string;
      kind: 'ours' | 'baseline' | 'no-source-maps' | 'no-metrics';
      file: string;
      env: Env;
    }> = [];
    for (const fn of ['upload', 'processor']) {
      const env = cleanEnv({ ...LAMBDA_ENV, ...stackEnvironment(root, fn), ...FUNCTION_ENV[fn] });
      variants.push({ fn, kind: 'ours', file: requireBundle(fn), env });
      variants.push({ fn, kind: 'baseline', file: (await buildVariant(fn, 'esbuild-defaults')).file, env });
      // What the metrics cost at cold start.
      variants.push({
        fn,
        kind: 'no-metrics',
        file: (await buildObservabilityVariant(fn, 'no-metrics')).file,
        env,
      });
      // The source-map experiment only in full mode: quick mode must stay under 90 s.
      if (!options.quick) {
        const { NODE_OPTIONS: _, ...withoutSourceMaps } = env;
        variants.push({ fn, kind: 'no-source-maps', file: requireBundle(fn), env: withoutSourceMaps });
      }
    }
    const bareEnv = cleanEnv({ ...LAMBDA_ENV, ...stackEnvironment(root, 'upload') });
    const bare: number[] = [];
    const times = variants.map(() => [] as number[]);
    // One untimed round first: the file system cache, not the first run, should pay for reads.
    for (const v of variants) await timeNode([v.file], v.env);
    for (let run = 0; run < runs; run++) {
      bare.push(await timeNode([workerPath('empty.mjs')], bareEnv));
      for (const [i, v] of variants.entries()) times[i]?.push(await timeNode([v.file], v.env));
    }
    const bareMs = median(bare);
    const above = (i: number) => median(times[i] ?? []) - bareMs;
    log(`  bare node: median ${bareMs.toFixed(1)} ms over ${runs} runs`);
    const metrics = [];
    for (const fn of ['upload', 'processor']) {
      const index = (kind: string) => variants.findIndex((v) => v.fn === fn && v.kind === kind);
      const [ours, baseline] = [above(index('ours')), above(index('baseline'))];
      const noSourceMaps = index('no-source-maps') >= 0 ? above(index('no-source-maps')) : undefined;
      log(`  ${fn}: +${ours.toFixed(1)} ms (esbuild defaults +${baseline.toFixed(1)} ms)`);
      metrics.push(
        metric({
          name: `${fn}.cold_init_ms`,
          value: ours,
          unit: 'ms',
          baseline,
          targets: [{ op: '<=', value: COLD_INIT_TARGET_MS }],
          note: `median of ${runs} interleaved runs minus bare node (${bareMs.toFixed(1)} ms); baseline: the handler bundled with esbuild's defaults`,
        }),
      );
      for (const [kind, label, note] of [
        [
          'no-metrics',
          'no_metrics',
          'the production bundle with Powertools Metrics replaced by a no-op of the same API',
        ],
      ] as const) {
        const value = above(index(kind));
        log(`  ${fn} ${kind}: +${value.toFixed(1)} ms`);
        metrics.push(
          metric({
            name: `experiment.${label}.${fn}.cold_init_ms`,
            value,
            unit: 'ms',
            baseline: ours,
            note: `${note}, same interleaved runs; baseline: the production bundle`,
          }),
        );
      }
      if (noSourceMaps !== undefined) {
        metrics.push(
          metric({
            name: `experiment.no_source_maps.${fn}.cold_init_ms`,
            value: noSourceMaps,
            unit: 'ms',
            baseline: ours,
            note: "the production bundle without the stack's NODE_OPTIONS=--enable-source-maps (Node then does not read and parse the source map at load), same runs; baseline: with it",
          }),
        );
      }
    }
    return metrics;
  },
};
