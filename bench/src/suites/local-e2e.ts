import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type Metric, metric } from '../lib/metrics';
import { repoRoot } from '../lib/paths';
import type { Suite } from '../lib/suite';

export const E2E_RATE = 20;

export interface E2eReport {
  readyFreshMs?: number;
  readyRestartMs?: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  uploads?: number;
}

/** Reads the table that packages/local/bench/e2e.ts prints. */
export function parseE2eOutput(output: string): E2eReport {
  const report: E2eReport = {};
  for (const line of output.split('\n')) {
    const seconds = /(\d+(?:\.\d+)?) s\s*$/.exec(line);
    const ms = /(\d+(?:\.\d+)?) ms\s*$/.exec(line);
    if (line.includes('ready, fresh state') && seconds) report.readyFreshMs = Number(seconds[1]) * 1000;
    else if (line.includes('ready, restart') && seconds) report.readyRestartMs = Number(seconds[1]) * 1000;
    else if (line.includes('processed, median') && ms) {
      report.p50Ms = Number(ms[1]);
      const uploads = /\((\d+) uploads/.exec(line);
      if (uploads) report.uploads = Number(uploads[1]);
    } else if (line.includes('processed, p99') && ms) report.p99Ms = Number(ms[1]);
    else if (line.includes('processed, max') && ms) report.maxMs = Number(ms[1]);
  }
  return report;
}

function runE2e(uploads: number): Promise<string> {
  const root = repoRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(root, 'node_modules', '.bin', 'tsx'),
      [
        join(root, 'packages', 'local', 'bench', 'e2e.ts'),
        '--uploads',
        String(uploads),
        '--rate',
        String(E2E_RATE),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err = (err + c).slice(-3000);
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`packages/local/bench/e2e.ts exited with ${code}\n${err}`)),
    );
  });
}

/**
 * The local stack end to end, by packages/local/bench/e2e.ts (owned by the local runtime):
 * `npm start` to ready (fresh state, then a restart on the same warm install), and upload →
 * processed latency at a steady 20 uploads/s.
 */
export const localE2e: Suite = {
  name: 'local stack',
  async run(options, log) {
    const uploads = options.quick ? 100 : 30 * E2E_RATE;
    const report = parseE2eOutput(await runE2e(uploads));
    log(
      `  ready ${report.readyRestartMs} ms (fresh state ${report.readyFreshMs} ms); upload → processed p50 ${report.p50Ms} ms, p99 ${report.p99Ms} ms over ${report.uploads} uploads`,
    );
    const at = `${report.uploads ?? uploads} uploads at ${E2E_RATE}/s (${((report.uploads ?? uploads) / E2E_RATE).toFixed(0)} s)`;
    const metrics: Metric[] = [
      metric({
        name: 'local.e2e_ms_p50',
        value: report.p50Ms ?? null,
        unit: 'ms',
        note: `upload → processed object visible, ${at}`,
      }),
      metric({ name: 'local.e2e_ms_p99', value: report.p99Ms ?? null, unit: 'ms', note: `same run, ${at}` }),
      metric({
        name: 'local.ready_ms',
        value: report.readyRestartMs ?? null,
        unit: 'ms',
        note: '`npm start` to the ready banner on a warm install with existing state (build + synth + start); 0.1 s resolution',
      }),
      metric({
        name: 'local.ready_ms_fresh_state',
        value: report.readyFreshMs ?? null,
        unit: 'ms',
        note: '`npm start` to ready on a warm install with an empty state folder (creates pool, users, buckets, stream)',
      }),
    ];
    return metrics;
  },
};
