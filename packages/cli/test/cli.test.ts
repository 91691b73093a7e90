import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliPackageDir } from '../src/paths';

jest.setTimeout(30_000);

const runScript = (script: string, ...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', join(cliPackageDir(), 'src', script), ...args], {
    cwd: cliPackageDir(),
    env: { ...process.env, STREAMDROP_USERNAME: '', STREAMDROP_PASSWORD: '' },
  });
const run = (...args: string[]) => runScript('streamdrop.ts', ...args);

const outputsFile = (outputs: Record<string, string>) => {
  const file = join(mkdtempSync(join(tmpdir(), 'streamdrop-outputs-')), 'outputs.json');
  writeFileSync(
    file,
    JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v }]))),
  );
  return file;
};

describe('streamdrop CLI', () => {
  it('prints help listing every command', async () => {
    const { stdout } = await run('--help');
    for (const command of [
      'token',
      'upload',
      'get',
      'failures list',
      'failures show',
      'failures redrive',
      'replay --from',
      '--outputs',
    ])
      expect(stdout).toContain(command);
  });

  it('refuses a replay window that is not ISO time, before looking for a stack', async () => {
    await expect(run('replay', '--from', 'yesterday')).rejects.toMatchObject({
      stderr: expect.stringContaining('--from must be an ISO time'),
    });
  });

  it('names the missing output of a deployed stack for failures and replay', async () => {
    const file = outputsFile({ region: 'eu-west-1', failures_bucket: 'failures' });
    await expect(run('failures', 'list', '--outputs', file)).rejects.toMatchObject({
      stderr: expect.stringContaining('has no output "stream_name"'),
    });
  });

  it('rejects an unknown command with a pointer to --help', async () => {
    await expect(run('frobnicate')).rejects.toMatchObject({
      stderr: expect.stringMatching(/Unknown command "frobnicate".*--help/),
    });
  });

  it('names the missing output of a deployed stack’s outputs file', async () => {
    const file = outputsFile({ region: 'eu-west-1', api_url: 'https://example.test' });
    await expect(run('token', '--outputs', file)).rejects.toMatchObject({
      stderr: expect.stringContaining('has no output "user_pool_client_id"'),
    });
  });

  it('asks for credentials when targeting a deployed stack without them', async () => {
    const file = outputsFile({
      region: 'eu-west-1',
      api_url: 'https://example.test',
      user_pool_client_id: 'abc',
      data_bucket: 'data',
      failures_bucket: 'failures',
    });
    await expect(run('token', '--outputs', file)).rejects.toMatchObject({
      stderr: expect.stringContaining('--username and --password'),
    });
  });

  it('reads a `cdktf output --outputs-file` file too, and names what the stack lacks', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamdrop-outputs-')), 'cdktf-outputs.json');
    writeFileSync(
      file,
      JSON.stringify({ 'streamdrop-dev': { region: 'eu-west-1', failures_bucket: 'failures' } }),
    );
    await expect(run('failures', 'list', '--outputs', file)).rejects.toMatchObject({
      stderr: expect.stringContaining(`${file} has no output "stream_name"`),
    });
  });

  it('explains how to make an outputs file when it cannot be read', async () => {
    await expect(run('token', '--outputs', '/nonexistent.json')).rejects.toMatchObject({
      stderr: expect.stringMatching(/terraform output -json.*cdktf output <stack> --outputs-file/),
    });
  });
});

describe('npm start and pnpm chaos options', () => {
  it('documents every fault flag and its environment variable in npm start --help', async () => {
    const { stdout } = await runScript('start.ts', '--help');
    for (const [flag, variable] of [
      ['--s3-error-rate', 'STREAMDROP_FAULT_S3_ERROR_RATE'],
      ['--s3-latency-ms', 'STREAMDROP_FAULT_S3_LATENCY_MS'],
      ['--kinesis-throttle-rate', 'STREAMDROP_FAULT_KINESIS_THROTTLE_RATE'],
      ['--crash-rate', 'STREAMDROP_FAULT_CRASH_RATE'],
      ['--crash-functions', 'STREAMDROP_FAULT_CRASH_FUNCTIONS'],
      ['--fault-seed', 'STREAMDROP_FAULT_SEED'],
      ['--s3-version-log', 'STREAMDROP_S3_VERSION_LOG'],
    ]) {
      expect(stdout).toContain(flag);
      expect(stdout).toContain(variable);
    }
  });

  it('refuses a bad fault rate before starting anything, naming the flag', async () => {
    await expect(runScript('start.ts', '--crash-rate', '1.5')).rejects.toMatchObject({
      stderr: expect.stringContaining('--crash-rate must be a rate from 0 to 1'),
    });
  });

  it('lists pnpm chaos’s options in its help', async () => {
    const { stdout } = await runScript('chaos.ts', '--help');
    for (const option of ['--uploads', '--kill', '--seed', '--concurrency', '--out', '--crash-rate'])
      expect(stdout).toContain(option);
  });
});
