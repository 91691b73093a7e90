/**
 * Local-stack benchmark: `npm start` to ready (fresh state, then restart), and upload →
 * processed latency at a steady rate. Prints numbers; asserts nothing (benchmarks are not tests).
 *
 *   pnpm bench:local [--uploads 100] [--rate 20]
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { localS3Client } from '../src/clients';
import { readLocalConfig } from '../src/local-config';
import { repoRoot } from '../src/paths';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { uploads: { type: 'string' }, rate: { type: 'string' } } });
const uploads = Number(values.uploads ?? 100);
const rate = Number(values.rate ?? 20);

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
    err += c;
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
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}\n${err.slice(-2000)}`)));
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

async function main() {
  const stateDir = mkdtempSync(join(tmpdir(), 'streamdrop-bench-'));
  const first = await startStack(stateDir);
  await first.stop();
  const restart = await startStack(stateDir);
  try {
    const config = readLocalConfig(stateDir);
    const s3 = localS3Client(config.s3.endpoint, config.region);
    const bucket = config.s3.buckets.data ?? '';
    const auth = await fetch(`${config.cognito.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: JSON.stringify({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: config.cognito.clientId,
        AuthParameters: { USERNAME: config.users.demo.username, PASSWORD: config.users.demo.password },
      }),
    });
    const token = ((await auth.json()) as { AuthenticationResult: { IdToken: string } }).AuthenticationResult
      .IdToken;

    const one = async (i: number): Promise<number> => {
      const t0 = performance.now();
      const response = await fetch(`${config.apiUrl}/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ filename: `bench-${i}.txt`, content: `hello kinesis ${i}` }),
      });
      if (response.status !== 202) throw new Error(`upload ${i}: HTTP ${response.status}`);
      const { file_key: key } = (await response.json()) as { file_key: string };
      const processed = key.replace(/^uploads\//, 'processed/');
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
    for (let i = 0; i < uploads; i++) {
      const due = t0 + (i * 1000) / rate;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      pending.push(one(i));
    }
    const latencies = (await Promise.all(pending)).sort((a, b) => a - b);
    s3.destroy();
    const rows = [
      ['npm start → ready, fresh state (build + synth + start)', `${(first.readyMs / 1000).toFixed(1)} s`],
      ['npm start → ready, restart (build + synth + start)', `${(restart.readyMs / 1000).toFixed(1)} s`],
      [
        `upload → processed, median (${uploads} uploads at ${rate}/s)`,
        `${percentile(latencies, 50).toFixed(0)} ms`,
      ],
      [`upload → processed, p99`, `${percentile(latencies, 99).toFixed(0)} ms`],
      [`upload → processed, max`, `${(latencies.at(-1) ?? 0).toFixed(0)} ms`],
    ];
    for (const [name, value] of rows) console.log(`${(name ?? '').padEnd(62)} ${value}`);
  } finally {
    await restart.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
