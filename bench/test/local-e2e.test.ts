import { latencySummary } from '../src/local/e2e';
import { e2eMetrics } from '../src/suites/local-e2e';

describe('local end-to-end suite', () => {
  it('turns a run into its four metrics, naming the load they were measured under', () => {
    const metrics = e2eMetrics({
      readyFreshMs: 9_212.4,
      readyRestartMs: 7_104.6,
      uploads: 100,
      rate: 20,
      latencyMs: { p50: 246.2, p99: 905.8, max: 1_200 },
    });
    expect(metrics.map((m) => [m.name, m.value, m.unit])).toEqual([
      ['local.e2e_ms_p50', 246, 'ms'],
      ['local.e2e_ms_p99', 906, 'ms'],
      ['local.ready_ms', 7_105, 'ms'],
      ['local.ready_ms_fresh_state', 9_212, 'ms'],
    ]);
    expect(metrics[0]?.note).toBe('upload → processed object visible, 100 uploads at 20/s (5 s)');
    expect(metrics[1]?.note).toBe('same run, 100 uploads at 20/s (5 s)');
  });

  it('summarizes latencies as nearest-rank median and p99, and the maximum, whatever their order', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencySummary(latencies)).toEqual({ p50: 50, p99: 99, max: 100 });
    expect(latencySummary([])).toEqual({ p50: Number.NaN, p99: Number.NaN, max: Number.NaN });
  });
});
