import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeUploadEvent } from '@streamdrop/events';
import { compositionOf } from '../src/lib/bundles';
import { cleanEnv, stackEnvironment } from '../src/lib/child';
import { batches, kinesisRecord, uploadLocation } from '../src/lib/kinesis-records';
import { metric } from '../src/lib/metrics';
import { markdownReport } from '../src/lib/results';

describe('kinesisRecord', () => {
  it('carries an upload event that the real contract accepts', () => {
    const where = uploadLocation('bench-data', 'bench-1.txt');
    const record = kinesisRecord({ ...where, size: 5, sha256: 'a'.repeat(64), contentType: 'text/plain' }, 1);

    expect(decodeUploadEvent(record.kinesis.data)).toMatchObject({ ...where, size: 5 });
    expect(record.eventID).toBe(`shardId-000000000000:${record.kinesis.sequenceNumber}`);
  });

  it('cuts records into batches of the mapping size, the last one shorter', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('stackEnvironment', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bench-stack-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("reads a function's literal variables from the synthesized stack, leaving Terraform references out", () => {
    const dir = join(root, 'cdktf.out', 'stacks', 'streamdrop-dev');
    mkdirSync(dir, { recursive: true });
    const variables = {
      DATA_BUCKET: '${aws_s3_bucket.data.bucket}',
      NODE_OPTIONS: '--enable-source-maps',
      PROCESSOR_CONCURRENCY: '100',
    };
    writeFileSync(
      join(dir, 'cdk.tf.json'),
      JSON.stringify({
        resource: {
          aws_lambda_function: {
            p: { function_name: 'streamdrop-dev-processor', environment: { variables } },
            u: { function_name: 'streamdrop-dev-upload', environment: { variables: { X: '1' } } },
          },
        },
      }),
    );

    expect(stackEnvironment(root, 'processor')).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      PROCESSOR_CONCURRENCY: '100',
    });
  });

  it('is empty when nothing was synthesized', () => {
    expect(stackEnvironment(root, 'processor')).toEqual({});
  });
});

describe('cleanEnv', () => {
  it('passes on PATH but no AWS profile from the shell that runs the bench', () => {
    process.env.AWS_PROFILE = 'someone';
    const env = cleanEnv({ AWS_REGION: 'us-east-1' });

    expect(env.AWS_PROFILE).toBeUndefined();
    expect(env.AWS_REGION).toBe('us-east-1');
    expect(env.PATH).toBe(process.env.PATH);
    delete process.env.AWS_PROFILE;
  });
});

describe('compositionOf', () => {
  it('adds up an esbuild metafile by package, scoped packages and workspace folders included', () => {
    const composition = compositionOf({
      'node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/schemas.js': { bytesInOutput: 100 },
      'node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/schemas.js': { bytesInOutput: 20 },
      'node_modules/.pnpm/@smithy+core@3.41.0/node_modules/@smithy/core/dist-es/index.js': {
        bytesInOutput: 300,
      },
      'packages/events/src/upload-event.ts': { bytesInOutput: 7 },
    });

    expect(composition).toEqual([
      ['@smithy/core', 300],
      ['zod', 120],
      ['packages/events', 7],
    ]);
  });
});

describe('markdownReport', () => {
  it('says where, when and on what the numbers were taken, then gives the table and notes', () => {
    const report = markdownReport({
      date: '2026-11-21T12:00:00.000Z',
      mode: 'full',
      machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 24, platform: 'linux', arch: 'x64' },
      node: 'v20.20.2',
      commit: 'abc1234',
      dirty: true,
      settings: { latencyMs: 20 },
      durationS: 300,
      metrics: [metric({ name: 'a', value: 1, unit: 'ms', note: 'how a was taken' })],
      errors: [{ suite: 'local stack', error: 'port 3000 in use' }],
    });

    expect(report).toContain('- Machine: Test CPU, 2 cores, 24 GiB, linux/x64');
    expect(report).toContain('- Node: v20.20.2');
    expect(report).toContain('- Commit: abc1234 (with uncommitted changes)');
    expect(report).toContain('- Date: 2026-11-21T12:00:00.000Z');
    expect(report).toMatch(/\| a +\| +1 \| ms/);
    expect(report).toContain('- local stack: port 3000 in use');
    expect(report).toContain('- `a`: how a was taken');
  });
});
