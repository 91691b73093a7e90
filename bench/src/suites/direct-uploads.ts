import { createReadStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStackFile } from '@streamdrop/local';
import { signIn, startTestStack } from '@streamdrop/local/testing';
import { type Metric, metric } from '../lib/metrics';
import type { Suite } from '../lib/suite';

const MIB = 1024 * 1024;

interface Part {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
  offset: number;
  size: number;
}

/** VmRSS of a process in bytes (0 when it is gone). */
function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function putPart(file: string, part: Part): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(part.url),
      { method: 'PUT', headers: { ...part.headers, 'content-length': String(part.size) } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve()
            : reject(new Error(`part ${part.partNumber}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    createReadStream(file, { start: part.offset, end: part.offset + part.size - 1 }).pipe(req);
  });
}

/**
 * Upload sessions on the local stack (in this process: gateway, authorizer and functions; the
 * emulators as child processes): the CPU of this process per `POST /uploads` that opens a session,
 * and one large file (1 GiB, 256 MiB in quick mode) sent straight to the local S3 in parallel
 * parts, completed and processed — MB/s end to end, and the peak RSS of the whole stack.
 */
export const directUploads: Suite = {
  name: 'direct',
  async run(options, log) {
    const t = await startTestStack({ stackFile: defaultStackFile() });
    try {
      const token = (await signIn(t.stack)).id;
      const api = async (method: string, path: string, body?: object) => {
        const response = await fetch(`${t.stack.config.apiUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }) },
          ...(body && { body: JSON.stringify(body) }),
        });
        if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
        return response.json() as Promise<Record<string, unknown>>;
      };

      // CPU per session request: warm up, then a fixed number, 8 at a time.
      const sessions = options.quick ? 100 : 500;
      for (let i = 0; i < 20; i += 1) await api('POST', '/uploads', { filename: 'warm.bin', size: 40 * MIB });
      const before = process.cpuUsage();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < sessions) {
            next += 1;
            await api('POST', '/uploads', { filename: 'bench.bin', size: 40 * MIB });
          }
        }),
      );
      const cpu = process.cpuUsage(before);
      const perRequestUs = (cpu.user + cpu.system) / sessions;
      log(`  ${sessions} sessions (3 parts each) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

      // One large file end to end.
      const size = (options.quick ? 256 : 1024) * MIB;
      const file = join(tmpdir(), `streamdrop-bench-${process.pid}.bin`);
      const chunk = Buffer.alloc(MIB);
      for (let i = 0; i < chunk.length; i += 1) chunk[i] = (i * 31 + 7) & 0xff;
      writeFileSync(file, Buffer.alloc(0));
      for (let written = 0; written < size; written += MIB) writeFileSync(file, chunk, { flag: 'a' });
      const processes = [
        { name: 'runtime', pid: process.pid },
        ...t.stack.children.map((c) => ({ name: c.name, pid: c.pid })),
      ];
      let peakRss = 0;
      const peakOf = new Map<string, number>();
      const sampler = setInterval(() => {
        let sum = 0;
        for (const { name, pid } of processes) {
          const rss = rssOf(pid);
          sum += rss;
          peakOf.set(name, Math.max(peakOf.get(name) ?? 0, rss));
        }
        peakRss = Math.max(peakRss, sum);
      }, 200);
      const begin = performance.now();
      const session = await api('POST', '/uploads', { filename: 'large.bin', size });
      const parts = [...(session.parts as Part[])];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let part = parts.shift(); part; part = parts.shift()) await putPart(file, part);
        }),
      );
      const sent = performance.now();
      await api('POST', `/uploads/${session.uploadId}/complete`);
      for (;;) {
        const status = await api('GET', `/uploads/${session.uploadId}`);
        if (status.status === 'processed') break;
        if (status.status === 'failed')
          throw new Error(`the large upload failed: ${JSON.stringify(status.failure)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const seconds = (performance.now() - begin) / 1000;
      clearInterval(sampler);
      rmSync(file, { force: true });
      const mib = size / MIB;
      log(
        `  ${mib} MiB: parts sent in ${((sent - begin) / 1000).toFixed(1)} s, processed after ${seconds.toFixed(1)} s`,
      );
      const peaks = [...peakOf].map(([name, rss]) => `${name} ${Math.round(rss / 1e6)}`).join(', ');
      log(`  peak RSS per process, MB: ${peaks}`);
      const metrics: Metric[] = [
        metric({
          name: 'direct.cpu_us_per_session_request',
          value: Math.round(perRequestUs),
          unit: 'µs',
          note: `CPU of the local runtime process (gateway, JWT authorizer, upload function in its worker) per POST /uploads opening a 3-part session; ${sessions} requests, 8 at a time`,
        }),
        metric({
          name: `direct.e2e_mib_per_s_${mib}mib`,
          value: Math.round((mib / seconds) * 10) / 10,
          unit: 'MiB/s',
          note: `${mib} MiB: session, 4 parallel part PUTs to the local S3, complete, processed (binary copied), end to end`,
        }),
        metric({
          name: `direct.peak_rss_mb_${mib}mib`,
          value: Math.round(peakRss / 1e6),
          unit: 'MB',
          note: 'peak RSS of the whole local stack (runtime with its function workers, and the four emulators), sampled every 200 ms',
        }),
      ];
      return metrics;
    } finally {
      await t.stack.stop();
    }
  },
};
