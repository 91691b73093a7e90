import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { KEY_PREFIXES } from '@streamdrop/config';
import { localS3Client, readLocalConfig, signInLocalUser } from '@streamdrop/local';
import { percentile } from '../lib/metrics';
import { repoRoot } from '../lib/paths';

// The SDK warns that its releases after January 2027 need Node 22; the versions pinned here run
// on Node 20, and the notice would land in the middle of the bench's table.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** What one run of the local end-to-end benchmark measured. */
export interface E2eResult {
  /** `npm start` to the ready banner with an empty state folder (build + synth + start + bootstrap). */
  readyFreshMs: number;
  /** The same on the same state folder, restarted. */
  readyRestartMs: number;
  uploads: number;
  /** Uploads started per second. */
  rate: number;
  /** Upload request sent → processed object visible. */
  latencyMs: { p50: number; p99: number; max: number };
}

export interface E2eOptions {
  uploads: number;
  rate: number;
}

/** Median, p99 and max (nearest rank) of some latencies. */
export function latencySummary(latencies: readonly number[]): E2eResult['latencyMs'] {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

/** `npm start` in its own process group; resolves at the ready banner. */
function startStack(stateDir: string): Promise<{ readyMs: number; stop: () => Promise<void> }> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--', '--state-dir', stateDir, '--quiet'], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    err = (err + c).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('is ready in')) {
        const readyMs = performance.now() - started;
        resolve({
          readyMs,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              process.kill(-(child.pid ?? 0), 'SIGINT');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}\n${err}`)));
  });
}

/**
 * The local stack end to end: `npm start` to ready (fresh state, then a restart on the same
 * state), then `uploads` uploads at `rate` per second, each timed from its request to its
 * processed object being visible in S3.
 */
export async function runLocalE2e(options: E2eOptions): Promise<E2eResult> {
  const stateDir = mkdtempSync(join(tmpdir(), 'streamdrop-bench-'));
  const first = await startStack(stateDir);
  await first.stop();
  const restart = await startStack(stateDir);
  try {
    const config = readLocalConfig(stateDir);
    const s3 = localS3Client(config.s3.endpoint, config.region);
    const bucket = config.s3.buckets.data ?? '';
    const { id: token } = await signInLocalUser(config);
    const one = async (i: number): Promise<number> => {
      const t0 = performance.now();
      const response = await fetch(`${config.apiUrl}/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ filename: `bench-${i}.txt`, content: `hello kinesis ${i}` }),
      });
      if (response.status !== 202) throw new Error(`upload ${i}: HTTP ${response.status}`);
      const { file_key: key } = (await response.json()) as { file_key: string };
      const processed = KEY_PREFIXES.processed + key.slice(KEY_PREFIXES.uploads.length);
      for (;;) {
        try {
          await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: processed }));
          return performance.now() - t0;
        } catch {
          if (performance.now() - t0 > 30_000) throw new Error(`upload ${i} not processed within 30 s`);
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    };
    const pending: Promise<number>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < options.uploads; i++) {
      const due = t0 + (i * 1000) / options.rate;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      pending.push(one(i));
    }
    const latencies = await Promise.all(pending);
    s3.destroy();
    return {
      readyFreshMs: first.readyMs,
      readyRestartMs: restart.readyMs,
      uploads: options.uploads,
      rate: options.rate,
      latencyMs: latencySummary(latencies),
    };
  } finally {
    await restart.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
