import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findExecutable, MOTO_SERVER } from '../src/lib/moto';
import { findRepoRoot } from '../src/lib/paths';

const root = findRepoRoot(__dirname);
/** Read by scripts/rehearsal-check.mjs after `npm test` (.ci/run, ci.yml). */
const MARKER = join(root, '.state', 'rehearsal.json');

/** `pnpm rehearse <args>` as a user runs it; resolves with its exit code and output. */
function rehearse(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join('scripts', 'src', 'rehearse.ts'), ...args],
      {
        cwd: root,
        env: { ...env, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('pnpm rehearse without moto_server', () => {
  it('refuses to start, naming moto_server and how to get it, before building anything', async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'streamdrop-no-moto-'));
    try {
      const result = await rehearse([], { ...process.env, PATH: emptyPath });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "error: pnpm rehearse needs moto_server on PATH (moto's local AWS API server; install it with " +
          "`pip install 'moto[server]'` or `pipx install 'moto[server]'`), or --endpoint-url of a moto server already running.\n",
      );
      expect(result.stdout).toBe('');
    } finally {
      rmSync(emptyPath, { recursive: true, force: true });
    }
  }, 30_000);
});

// With moto_server on the PATH (this machine, ci.yml), the real thing: about two minutes.
const moto = findExecutable(MOTO_SERVER);
if (moto) {
  describe('pnpm rehearse against moto_server', () => {
    it('applies the real stack, checks it, converges, destroys it and leaves nothing behind', async () => {
      const temp = mkdtempSync(join(tmpdir(), 'streamdrop-rehearse-test-'));
      try {
        const reportFile = join(temp, 'report.json');
        const result = await rehearse(['--report', reportFile]);
        if (result.code !== 0) throw new Error(`pnpm rehearse failed:\n${result.stdout}\n${result.stderr}`);
        expect(result.stdout).toMatch(
          /rehearsal of streamdrop-rehearsal passed: 85 resources applied, converged and destroyed\./,
        );

        const report = JSON.parse(readFileSync(reportFile, 'utf8'));
        expect(report).toMatchObject({ ok: true, stackName: 'streamdrop-rehearsal', resources: 85 });
        expect(report.outputs.data_bucket).toMatch(/^streamdrop-rehearsal-data-/);
        // moto's tag drift is the only drift allowed, and it must be gone after the second apply.
        for (const drift of report.drift)
          expect(drift).toMatch(/^aws_kinesis_stream\.\S+ \((tags|tags_all)(, tags_all)?\)$/);
        for (const step of ['synth', 'init', 'plan', 'apply', 'checks', 'replan', 'teardown', 'destroy']) {
          expect(report.times[step]).toBeGreaterThan(0);
        }

        mkdirSync(dirname(MARKER), { recursive: true });
        writeFileSync(
          MARKER,
          `${JSON.stringify({ ...report, finishedAt: new Date().toISOString() }, null, 2)}\n`,
        );
        const t = report.times;
        process.stdout.write(
          `apply rehearsal against moto: apply ${t.apply} s, re-plan ${t.replan} s, destroy ${t.destroy} s\n`,
        );
      } finally {
        rmSync(temp, { recursive: true, force: true });
      }
    }, 600_000);
  });
}
