/**
 * The real pipeline on the local stack: the synthesized stack (cdktf.out, from `pnpm synth`),
 * the production bundles Terraform zips, real emulators, real tokens, real HTTP.
 */

import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { localKinesisClient, localS3Client } from '../../src/clients';
import { freePort } from '../../src/emulators';
import { defaultStackFile, localPackageDir } from '../../src/paths';
import { decodeJwt, eventually, signIn, startTestStack, type TestStack } from '../support/stack';

jest.setTimeout(90_000);

let t: TestStack;
let s3: S3Client;
let data: string;

beforeAll(async () => {
  t = await startTestStack({ stackFile: defaultStackFile() });
  s3 = localS3Client(t.stack.config.s3.endpoint, t.stack.config.region);
  data = t.stack.config.s3.buckets.data ?? '';
});
afterAll(async () => {
  s3?.destroy();
  await t?.stack.stop();
});

async function read(bucket: string, key: string): Promise<string | undefined> {
  try {
    return await (
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body?.transformToString();
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function upload(token: string, body: object) {
  return fetch(`${t.stack.config.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('the seeds’ flow on the local stack', () => {
  it.each(['id', 'access'] as const)(
    'uploads with the %s token and processes demo.txt into HELLO KINESIS',
    async (kind) => {
      const tokens = await signIn(t.stack);
      const response = await upload(tokens[kind], { filename: 'demo.txt', content: 'hello kinesis' });
      expect(response.status).toBe(202);
      const body = (await response.json()) as {
        uploadId: string;
        file_key: string;
        s3: { bucket: string; key: string };
      };
      const sub = decodeJwt(tokens.id).sub as string;
      expect(body.file_key).toBe(`uploads/${sub}/${body.uploadId}/demo.txt`);
      expect(body.s3).toEqual({ bucket: data, key: body.file_key });
      expect(await read(data, body.file_key)).toBe('hello kinesis');
      const processed = body.file_key.replace(/^uploads\//, 'processed/');
      expect(await eventually(() => read(data, processed))).toBe('HELLO KINESIS');
    },
  );

  it('refuses an upload without a token with 401 and stores nothing', async () => {
    const before = await s3.send(new ListObjectsV2Command({ Bucket: data, Prefix: 'uploads/' }));
    const response = await fetch(`${t.stack.config.apiUrl}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'demo.txt', content: 'hello kinesis' }),
    });
    expect(response.status).toBe(401);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: data, Prefix: 'uploads/' }));
    expect(after.KeyCount).toBe(before.KeyCount);
  });

  it('turns a record that is not an upload event into a failure record and keeps processing', async () => {
    const kinesis = localKinesisClient(t.stack.config.kinesis.endpoint, t.stack.config.region);
    try {
      const put = await kinesis.send(
        new PutRecordCommand({
          StreamName: t.stack.config.kinesis.streamName,
          PartitionKey: 'garbage',
          Data: Buffer.from('{"not":"an upload event"}'),
        }),
      );
      const failures = t.stack.config.s3.buckets.failures ?? '';
      const record = await eventually(async () => {
        const list = await s3.send(new ListObjectsV2Command({ Bucket: failures, Prefix: 'processor/' }));
        const key = list.Contents?.map((o) => o.Key ?? '').find((k) => k.includes(put.SequenceNumber ?? '?'));
        return key ? read(failures, key) : undefined;
      });
      expect(JSON.parse(record)).toMatchObject({
        reason: expect.stringContaining('invalid upload event'),
        record: { partitionKey: 'garbage', sequenceNumber: put.SequenceNumber },
      });
      const tokens = await signIn(t.stack);
      const next = (await (
        await upload(tokens.id, { filename: 'after.txt', content: 'still flowing' })
      ).json()) as {
        file_key: string;
      };
      expect(await eventually(() => read(data, next.file_key.replace(/^uploads\//, 'processed/')))).toBe(
        'STILL FLOWING',
      );
    } finally {
      kinesis.destroy();
    }
  });
});

describe('the administrators’ Kinesis proxy on the local stack', () => {
  const call = (method: string, path: string, authorization: string, body?: object) =>
    fetch(`${t.stack.config.apiUrl}${path}`, {
      method,
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const stream = () => t.stack.config.kinesis.streamName;

  it('answers the original’s four example calls for an administrator (bare token and Bearer)', async () => {
    const admin = await signIn(t.stack, 'admin');
    const list = await call('GET', '/streams', admin.id); // the original's examples send the bare token
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ HasMoreStreams: false, StreamNames: [stream()] });

    const describeStream = await call('GET', `/streams/${stream()}`, `Bearer ${admin.access}`);
    expect(describeStream.status).toBe(200);
    const description = ((await describeStream.json()) as { StreamDescription: Record<string, unknown> })
      .StreamDescription;
    expect(description).toMatchObject({ StreamName: stream(), StreamStatus: 'ACTIVE' });
    expect(typeof description.StreamCreationTimestamp).toBe('number');

    const one = await call('PUT', `/streams/${stream()}/record`, `Bearer ${admin.id}`, {
      Data: 'some data',
      PartitionKey: 'some key',
    });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({
      SequenceNumber: expect.any(String),
      ShardId: expect.stringMatching(/^shardId-/),
    });

    const many = await call('PUT', `/streams/${stream()}/records`, admin.access, {
      records: [
        { data: 'some data', 'partition-key': 'some key' },
        { data: 'some other data', 'partition-key': 'some key' },
      ],
    });
    expect(many.status).toBe(200);
    expect(await many.json()).toMatchObject({
      FailedRecordCount: 0,
      Records: [{ SequenceNumber: expect.any(String) }, { SequenceNumber: expect.any(String) }],
    });
  });

  it.each([
    ['GET', '/streams'],
    ['GET', '/streams/NAME'],
    ['PUT', '/streams/NAME/record'],
    ['PUT', '/streams/NAME/records'],
  ])('answers 403 to a signed-in user who is not an administrator: %s %s', async (method, path) => {
    const demo = await signIn(t.stack, 'demo');
    const body = path.endsWith('records')
      ? { records: [{ data: 'x', 'partition-key': 'k' }] }
      : path.endsWith('record')
        ? { Data: 'x', PartitionKey: 'k' }
        : undefined;
    const response = await call(method, path.replace('NAME', stream()), `Bearer ${demo.id}`, body);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/admins/);
  });

  it('turns a proxied record that is not an upload event into a failure record; the next upload is still processed', async () => {
    const admin = await signIn(t.stack, 'admin');
    const put = (await (
      await call('PUT', `/streams/${stream()}/record`, `Bearer ${admin.id}`, {
        Data: 'not an upload',
        PartitionKey: 'p',
      })
    ).json()) as { SequenceNumber: string };
    const failures = t.stack.config.s3.buckets.failures ?? '';
    const record = await eventually(async () => {
      const list = await s3.send(new ListObjectsV2Command({ Bucket: failures, Prefix: 'processor/' }));
      const key = list.Contents?.map((o) => o.Key ?? '').find((k) => k.includes(put.SequenceNumber));
      return key ? read(failures, key) : undefined;
    });
    expect(JSON.parse(record).reason).toMatch(/invalid upload event/);
    const demo = await signIn(t.stack);
    const next = (await (await upload(demo.id, { filename: 'next.txt', content: 'next one' })).json()) as {
      file_key: string;
    };
    expect(await eventually(() => read(data, next.file_key.replace(/^uploads\//, 'processed/')))).toBe(
      'NEXT ONE',
    );
  });
});

describe('the streamdrop CLI against the local stack', () => {
  const cli = (...args: string[]) =>
    promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        join(localPackageDir(), 'src/cli/streamdrop.ts'),
        ...args,
        '--state-dir',
        t.stateDir,
      ],
      {
        cwd: localPackageDir(),
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
          join(localPackageDir(), 'src/cli/streamdrop.ts'),
          'token',
          '--state-dir',
          '/nonexistent',
        ],
        {
          cwd: localPackageDir(),
        },
      ),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('npm start') });
  });
});

describe('npm start', () => {
  it('prints a ready banner whose curl commands reproduce the seeds’ flow as printed', async () => {
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const stateDir = `${t.stateDir}-banner`;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(localPackageDir(), 'src/cli/start.ts'),
        '--port',
        String(ports[0]),
        '--cognito-port',
        String(ports[1]),
        '--s3-port',
        String(ports[2]),
        '--kinesis-port',
        String(ports[3]),
        '--state-dir',
        stateDir,
        '--quiet',
      ],
      { cwd: localPackageDir(), stdio: ['ignore', 'pipe', 'pipe'] },
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
    for (const port of ports) await expect(freePortIsFree(port)).resolves.toBe(true);
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
