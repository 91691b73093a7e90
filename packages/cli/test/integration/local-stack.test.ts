/**
 * The commands a person types, against the real local stack: `pnpm streamdrop` (token, upload,
 * get, failures) and `npm start` (its ready banner's curl commands, and Ctrl-C).
 */

import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { defaultStackFile, freePorts, localKinesisClient, localS3Client, portFlags } from '@streamdrop/local';
import { decodeJwt, eventually, signIn, startTestStack, type TestStack } from '@streamdrop/local/testing';
import { cliPackageDir } from '../../src/paths';

jest.setTimeout(90_000);

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ stackFile: defaultStackFile() });
  const { config } = t.stack;
  const kinesis = localKinesisClient(config.kinesis.endpoint, config.region);
  const s3 = localS3Client(config.s3.endpoint, config.region);
  try {
    // One upload end to end first: the poller reads from LATEST, so it must be reading already…
    const { id } = await signIn(t.stack);
    const response = await fetch(`${config.apiUrl}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${id}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'first.txt', content: 'first' }),
    });
    const { file_key: key } = (await response.json()) as { file_key: string };
    const processed = key.replace(/^uploads\//, 'processed/');
    const data = config.s3.buckets.data ?? '';
    await eventually(() => s3.send(new HeadObjectCommand({ Bucket: data, Key: processed })));
    // …then a record that is not an upload event: `failures list` has a processor failure to show.
    const put = await kinesis.send(
      new PutRecordCommand({
        StreamName: config.kinesis.streamName,
        PartitionKey: 'garbage',
        Data: Buffer.from('{"not":"an upload event"}'),
      }),
    );
    await eventually(async () => {
      const list = await s3.send(
        new ListObjectsV2Command({ Bucket: config.s3.buckets.failures ?? '', Prefix: 'processor/' }),
      );
      return list.Contents?.find((o) => o.Key?.includes(put.SequenceNumber ?? '?'));
    });
  } finally {
    kinesis.destroy();
    s3.destroy();
  }
});
afterAll(async () => {
  await t?.stack.stop();
});

describe('the streamdrop CLI against the local stack', () => {
  const cli = (...args: string[]) =>
    promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(cliPackageDir(), 'src/streamdrop.ts'), ...args, '--state-dir', t.stateDir],
      {
        cwd: cliPackageDir(),
      },
    );

  it('prints a token whose issuer is the local pool', async () => {
    const { stdout } = await cli('token', '--user', 'admin', '--access');
    const claims = decodeJwt(stdout.trim());
    expect(claims.iss).toBe(t.stack.config.cognito.issuer);
    expect(claims.token_use).toBe('access');
    expect(claims['cognito:groups']).toEqual(['admins']);
  });

  it('uploads, waits for the processed object and reads it back', async () => {
    const { stdout } = await cli('upload', '--name', 'cli.txt', '--content', 'from the cli', '--wait');
    const [response, processed] = stdout.trim().split('\n');
    const key = (JSON.parse(response ?? '{}') as { file_key: string }).file_key.replace(
      /^uploads\//,
      'processed/',
    );
    expect(processed).toBe('FROM THE CLI');
    expect((await cli('get', key)).stdout).toBe('FROM THE CLI');
  });

  it('lists failure records with their reason', async () => {
    const { stdout } = await cli('failures', 'list');
    expect(stdout).toMatch(/processor\/.*invalid upload event/);
  });

  it('explains what to do when the local stack is not running', async () => {
    await expect(
      promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          join(cliPackageDir(), 'src/streamdrop.ts'),
          'token',
          '--state-dir',
          '/nonexistent',
        ],
        {
          cwd: cliPackageDir(),
        },
      ),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('npm start') });
  });
});

describe('npm start', () => {
  it('prints a ready banner whose curl commands sign in, upload demo.txt and read HELLO KINESIS back, as printed', async () => {
    const ports = await freePorts();
    const stateDir = `${t.stateDir}-banner`;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(cliPackageDir(), 'src/start.ts'),
        ...portFlags(ports),
        '--state-dir',
        stateDir,
        '--quiet',
      ],
      { cwd: cliPackageDir(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    try {
      await eventually(() => (stdout.includes('With the AWS CLI') ? true : undefined), 60_000);
      const lines = stdout.split('\n');
      const from = lines.findIndex((l) => l.includes('With curl'));
      const to = lines.findIndex((l) => l.includes('With the AWS CLI'));
      const script = lines.slice(from + 1, to).join('\n');
      const { stdout: out } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script]);
      expect(out.trim().split('\n').at(-1)).toBe('HELLO KINESIS');
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    // Ctrl-C released every port.
    for (const port of Object.values(ports)) await expect(freePortIsFree(port)).resolves.toBe(true);
  });
});

async function freePortIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
