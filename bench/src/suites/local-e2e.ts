import { type Metric, metric } from '../lib/metrics';
import type { Suite } from '../lib/suite';
import { type E2eResult, runLocalE2e } from '../local/e2e';

/** Uploads per second of the local end-to-end run, unless --rate says otherwise. */
export const E2E_RATE = 20;

/** The metrics of one local end-to-end run. */
export function e2eMetrics(result: E2eResult): Metric[] {
  const at = `${result.uploads} uploads at ${result.rate}/s (${(result.uploads / result.rate).toFixed(0)} s)`;
  return [
    metric({
      name: 'local.e2e_ms_p50',
      value: Math.round(result.latencyMs.p50),
      unit: 'ms',
      note: `upload → processed object visible, ${at}`,
    }),
    metric({
      name: 'local.e2e_ms_p99',
      value: Math.round(result.latencyMs.p99),
      unit: 'ms',
      note: `same run, ${at}`,
    }),
    metric({
      name: 'local.ready_ms',
      value: Math.round(result.readyRestartMs),
      unit: 'ms',
      note: '`npm start` to the ready banner on a warm install with existing state (build + synth + start)',
    }),
    metric({
      name: 'local.ready_ms_fresh_state',
      value: Math.round(result.readyFreshMs),
      unit: 'ms',
      note: '`npm start` to ready on a warm install with an empty state folder (creates pool, users, buckets, stream)',
    }),
  ];
}

/**
 * The local stack end to end (local/e2e.ts): `npm start` to ready (fresh state, then a restart on
 * the same warm install), and upload → processed latency at a steady rate.
 */
export const localE2e: Suite = {
  name: 'local stack',
  async run(options, log) {
    const rate = options.localRate ?? E2E_RATE;
    const uploads = options.localUploads ?? (options.quick ? 100 : 30 * rate);
    const result = await runLocalE2e({ uploads, rate });
    const ms = (n: number) => `${Math.round(n)} ms`;
    log(
      `  ready ${ms(result.readyRestartMs)} (fresh state ${ms(result.readyFreshMs)}); upload → processed p50 ${ms(result.latencyMs.p50)}, p99 ${ms(result.latencyMs.p99)}, max ${ms(result.latencyMs.max)} over ${result.uploads} uploads`,
    );
    return e2eMetrics(result);
  },
};
