/**
 * The fault proxy against a scripted upstream (no emulators): what it answers, what it forwards,
 * what it logs, and that the AWS SDK's own retry logic takes its answers for AWS's.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { VARIABLES } from '@streamdrop/config';
import { silentLog } from '@streamdrop/local';
import { type FaultProxy, parseS3Path, shardIdFor, startFaultProxy } from '../src/faults/proxy';
import { seededRandom } from '../src/faults/random';
import {
  describeFaults,
  FAULT_OPTIONS,
  type FaultSettings,
  faultFlagsOf,
  faultSettingsFrom,
} from '../src/faults/settings';
import { openVersionLog, readVersionLog } from '../src/faults/version-log';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let upstream: Server;
let upstreamUrl: string;
const seen: Seen[] = [];
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (String(req.headers['x-amz-target'] ?? '').startsWith('Kinesis_')) {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ SequenceNumber: '1', ShardId: 'shardId-000000000000' }));
        return;
      }
      res.writeHead(req.method === 'DELETE' ? 204 : 200, { etag: '"abc"' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await new Promise((resolve) => upstream.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
});

async function proxy(kind: 's3' | 'kinesis', errorRate: number, versionLogFile?: string) {
  const p = await startFaultProxy({
    kind,
    upstream: upstreamUrl,
    faults: () => ({ errorRate }),
    random: seededRandom('test', kind),
    versionLog: versionLogFile ? openVersionLog(versionLogFile) : undefined,
    shardCount: 4,
    log: silentLog,
  });
  proxies.push(p);
  return p;
}

const credentials = { accessKeyId: 'AKID', secretAccessKey: 'SECRET' };

describe('S3 fault proxy', () => {
  it('answers 503 SlowDown or 500 InternalError with S3’s XML error body, and forwards nothing', async () => {
    const p = await proxy('s3', 1);
    const codes = new Set<string>();
    for (let i = 0; i < 20; i += 1) {
      const res = await fetch(`${p.url}/bucket/some/key.txt`, { method: 'PUT', body: 'data' });
      const body = await res.text();
      expect(res.headers.get('content-type')).toBe('application/xml');
      expect(res.headers.get('x-amz-request-id')).toMatch(/^[0-9A-F]{16}$/);
      const code = /<Code>(\w+)<\/Code>/.exec(body)?.[1] ?? '';
      expect([
        [503, 'SlowDown'],
        [500, 'InternalError'],
      ]).toContainEqual([res.status, code]);
      expect(body).toContain('<Resource>/bucket/some/key.txt</Resource>');
      codes.add(code);
    }
    expect(codes).toEqual(new Set(['SlowDown', 'InternalError']));
    expect(seen).toEqual([]);
    expect(p.stats()).toMatchObject({ requests: 20, forwarded: 0 });
  });

  it('answers a HEAD error without a body, as S3 does', async () => {
    const p = await proxy('s3', 1);
    const res = await fetch(`${p.url}/bucket/key`, { method: 'HEAD' });
    expect([500, 503]).toContain(res.status);
    expect(await res.text()).toBe('');
  });

  it('forwards a request unchanged (Host header and body included) when no fault is due', async () => {
    const p = await proxy('s3', 0);
    const res = await fetch(`${p.url}/bucket/a%20b/c.txt?x-id=PutObject`, {
      method: 'PUT',
      body: 'hello',
      headers: { 'x-amz-meta-upload-id': 'u1' },
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'PUT',
        url: '/bucket/a%20b/c.txt?x-id=PutObject',
        body: 'hello',
        headers: expect.objectContaining({ host: new URL(p.url).host, 'x-amz-meta-upload-id': 'u1' }),
      }),
    ]);
  });

  it('is retried by the SDK like real S3 shedding load: two injected errors, then success', async () => {
    const p = await proxy('s3', 0);
    const s3 = new S3Client({ endpoint: p.url, region: 'us-east-1', forcePathStyle: true, credentials });
    try {
      p.failNext(2);
      const out = await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'k', Body: 'x' }));
      expect(out.$metadata.attempts).toBe(3);
      expect(seen).toHaveLength(1);
    } finally {
      s3.destroy();
    }
  });

  it('logs every object version the upstream accepted: puts, copies, completed uploads, deletes — not parts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamdrop-versions-')), 'v.jsonl');
    const p = await proxy('s3', 0, file);
    await fetch(`${p.url}/bucket/processed/a.txt`, { method: 'PUT', body: 'a' });
    await fetch(`${p.url}/bucket/processed/b.txt`, {
      method: 'PUT',
      headers: { 'x-amz-copy-source': '/bucket/x' },
    });
    await fetch(`${p.url}/bucket/big.bin?partNumber=1&uploadId=u`, { method: 'PUT', body: 'part' });
    await fetch(`${p.url}/bucket/big.bin?uploadId=u`, { method: 'POST', body: '<Complete/>' });
    await fetch(`${p.url}/bucket/processed/a.txt`, { method: 'DELETE' });
    await fetch(`${p.url}/bucket/processed/a.txt`);
    expect(readVersionLog(file).map((e) => [e.op, e.bucket, e.key])).toEqual([
      ['put', 'bucket', 'processed/a.txt'],
      ['copy', 'bucket', 'processed/b.txt'],
      ['complete', 'bucket', 'big.bin'],
      ['delete', 'bucket', 'processed/a.txt'],
    ]);
  });
});

describe('Kinesis fault proxy', () => {
  const call = (p: FaultProxy, operation: string, body: object) =>
    fetch(p.url, {
      method: 'POST',
      headers: {
        'x-amz-target': `Kinesis_20131202.${operation}`,
        'content-type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify(body),
    });

  it('throttles PutRecord with ProvisionedThroughputExceededException, naming the shard of the partition key', async () => {
    const p = await proxy('kinesis', 1);
    const res = await call(p, 'PutRecord', { StreamName: 's', PartitionKey: 'pk', Data: 'eA==' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('ProvisionedThroughputExceededException:');
    expect(await res.json()).toEqual({
      __type: 'ProvisionedThroughputExceededException',
      message: `Rate exceeded for shard ${shardIdFor('pk', 4)} in stream s under account 000000000000.`,
    });
    expect(seen).toEqual([]);
  });

  it('never throttles what Kinesis does not throttle per shard (DescribeStream, ListShards…)', async () => {
    const p = await proxy('kinesis', 1);
    expect((await call(p, 'DescribeStreamSummary', { StreamName: 's' })).status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('is retried by the SDK as throttling, and surfaces as ProvisionedThroughputExceededException when retries run out', async () => {
    const p = await proxy('kinesis', 0);
    const client = (maxAttempts: number) =>
      new KinesisClient({
        endpoint: p.url,
        region: 'us-east-1',
        credentials,
        maxAttempts,
        requestHandler: new NodeHttpHandler(),
      });
    const retrying = client(4);
    const once = client(1);
    try {
      p.failNext(1);
      const out = await retrying.send(
        new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: Buffer.from('x') }),
      );
      expect(out.$metadata.attempts).toBe(2);
      p.failNext(1);
      await expect(
        once.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: Buffer.from('x') })),
      ).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException', $fault: 'client' });
    } finally {
      retrying.destroy();
      once.destroy();
    }
  });
});

describe('fault settings', () => {
  it('reads flags before environment variables, accepts percentages, and names a bad value’s flag or variable', () => {
    const settings = faultSettingsFrom(
      { s3ErrorRate: '10%', crashRate: '0.05', seed: '42' },
      {
        STREAMDROP_FAULT_S3_ERROR_RATE: '0.9',
        STREAMDROP_FAULT_KINESIS_THROTTLE_RATE: '0.2',
        STREAMDROP_FAULT_S3_LATENCY_MS: '5-20',
      },
    );
    expect(settings).toEqual({
      seed: '42',
      s3ErrorRate: 0.1,
      s3LatencyMs: { min: 5, max: 20 },
      kinesisThrottleRate: 0.2,
      crashRate: 0.05,
    });
    expect(() => faultSettingsFrom({ crashRate: '1.5' }, {})).toThrow(
      '--crash-rate must be a rate from 0 to 1',
    );
    expect(() => faultSettingsFrom({}, { STREAMDROP_FAULT_S3_LATENCY_MS: '20-5' })).toThrow(
      'STREAMDROP_FAULT_S3_LATENCY_MS must be milliseconds',
    );
    expect(describeFaults(settings, ['fn'])).toBe(
      'S3 errors 10%, +5-20 ms; Kinesis throttling 20%; crashes 5% of fn (seed 42)',
    );
  });

  it('turns settings into the npm start flags of the one option table, which read back as the same settings', () => {
    const settings: FaultSettings = {
      seed: '7',
      s3ErrorRate: 0.1,
      s3LatencyMs: { min: 5, max: 20 },
      kinesisThrottleRate: 0.2,
      crashRate: 0.05,
      crashFunctions: ['a', 'b'],
    };
    const argv = faultFlagsOf(settings);
    const input = Object.fromEntries(
      Object.entries(FAULT_OPTIONS).map(([key, option]) => [key, argv[argv.indexOf(`--${option.flag}`) + 1]]),
    );
    expect(faultSettingsFrom(input, {})).toEqual(settings);
  });

  it('names only variables of the configuration reference, for npm start and the CLI', () => {
    for (const option of Object.values(FAULT_OPTIONS)) expect(VARIABLES[option.env].scope).toBe('local');
  });

  it('draws the same decisions from the same seed, and independent ones per fault', () => {
    const draw = (seed: string, label: string) => {
      const r = seededRandom(seed, label);
      return Array.from({ length: 5 }, () => r());
    };
    expect(draw('42', 's3-errors')).toEqual(draw('42', 's3-errors'));
    expect(draw('42', 's3-errors')).not.toEqual(draw('42', 'crashes'));
    expect(draw('42', 's3-errors')).not.toEqual(draw('43', 's3-errors'));
    for (const x of draw('42', 'x')) expect(x >= 0 && x < 1).toBe(true);
  });

  it('splits S3 paths into bucket and key', () => {
    expect(parseS3Path('/b/processed/a%20b/c.txt?x-id=PutObject')).toMatchObject({
      bucket: 'b',
      key: 'processed/a b/c.txt',
    });
  });
});
