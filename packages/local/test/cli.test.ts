import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { localPackageDir } from '../src/paths';

jest.setTimeout(30_000);

const run = (...args: string[]) =>
  promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(localPackageDir(), 'src/cli/streamdrop.ts'), ...args],
    {
      cwd: localPackageDir(),
      env: { ...process.env, STREAMDROP_USERNAME: '', STREAMDROP_PASSWORD: '' },
    },
  );

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
    for (const command of ['token', 'upload', 'get', 'failures list', '--outputs'])
      expect(stdout).toContain(command);
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

  it('explains how to make an outputs file when it cannot be read', async () => {
    await expect(run('token', '--outputs', '/nonexistent.json')).rejects.toMatchObject({
      stderr: expect.stringContaining('terraform output -json'),
    });
  });
});
