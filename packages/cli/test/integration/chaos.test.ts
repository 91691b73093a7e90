/**
 * A short `pnpm chaos`: its own local stack (a child process group), 40 uploads through the real
 * API under S3 errors, Kinesis throttling, processor crashes and one SIGKILL of the whole stack
 * with a restart; every acknowledged upload must be accounted for.
 */

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChaosResult } from '@streamdrop/chaos';
import { cliPackageDir } from '../../src/paths';

jest.setTimeout(120_000);

const afterCleanup: Array<() => void> = [];
afterAll(() => {
  for (const clean of afterCleanup) clean();
});

function chaos(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(cliPackageDir(), 'src/chaos.ts'), ...args],
      { cwd: cliPackageDir(), maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('pnpm chaos', () => {
  it('loses, duplicates and corrupts no acknowledged upload under faults and a SIGKILL of the whole stack', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'streamdrop-chaos-test-'));
    afterCleanup.push(() => rmSync(outDir, { recursive: true, force: true }));
    const out = join(outDir, 'results.json');
    const run = await chaos([
      '--uploads',
      '40',
      '--concurrency',
      '8',
      '--s3-error-rate',
      '0.1',
      '--kinesis-throttle-rate',
      '0.15',
      '--crash-rate',
      '0.2',
      '--kill',
      '--seed',
      '20261121',
      '--settle-timeout',
      '60',
      // The shortest local day the stack's function timeouts allow: pending uploads expire after 30 s.
      '--lifecycle-day-seconds',
      '15',
      '--out',
      out,
    ]);
    if (!existsSync(out)) throw new Error(`pnpm chaos wrote no result (exit ${run.code}):\n${run.stderr}`);
    const result = JSON.parse(readFileSync(out, 'utf8')) as ChaosResult & { command: string };
    const context = `${run.stderr}\n${JSON.stringify(result.details)}`;
    expect({ code: run.code, context }).toEqual({ code: 0, context: expect.any(String) });
    expect(result.counts).toMatchObject({ attempted: 40, lost: 0, duplicated: 0, corrupted: 0, orphans: 0 });
    // The orphans were counted after the stack's own lifecycle sweep had passed their days.
    expect(result.finalSweepAt).toEqual(expect.any(String));
    expect(run.stderr).toMatch(/^ {2}orphans {18}0 /m);
    expect(result.counts.accepted).toBeGreaterThan(30);
    // Every acknowledged upload is accounted for, one way or the other.
    expect(result.counts.processedCorrectly + result.counts.failedWithReason).toBe(result.counts.accepted);
    expect(result.settled).toBe(true);
    // The faults really happened.
    expect(result.injected.stackKills).toBe(1);
    expect(Object.values(result.injected.s3Errors).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(result.injected.kinesisThrottles).toBeGreaterThan(0);
    expect(result.injected.processorInvocations).toBeGreaterThan(0);
    expect(result.client.clientErrors).toBe(0);
    // What it prints on stdout is the same verdict.
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, counts: result.counts });
  });
});
