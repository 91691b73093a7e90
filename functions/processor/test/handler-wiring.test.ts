import { processedKeyFor } from '@streamdrop/events';
import {
  makeKinesisEvent,
  makeKinesisRecord,
  makeLambdaContext,
  makeUploadEvent,
  TEST_BUCKET,
} from '@streamdrop/events/testing';

// The deployed handler (index.handler) reads its environment when its modules load: each test
// loads a fresh copy of the modules over the environment it sets, and puts the old one back.
// The SDK and its mock load into that same copy, so that the mock stubs the handler's client.
const saved = { ...process.env };
const BASE_ENV = {
  AWS_REGION: 'us-east-1',
  DATA_BUCKET: TEST_BUCKET,
  FAILURES_BUCKET: 'streamdrop-test-failures',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

async function loadHandler(env: Record<string, string>) {
  delete process.env.TRANSFORM;
  Object.assign(process.env, BASE_ENV, env);
  let loaded:
    | { handler: typeof import('../src/index')['handler']; fake: import('./support/fake-s3').FakeS3 }
    | undefined;
  await jest.isolateModulesAsync(async () => {
    const { S3Client } = await import('@aws-sdk/client-s3');
    const { mockClient } = await import('aws-sdk-client-mock');
    const { FakeS3 } = await import('./support/fake-s3');
    // 7-byte chunks: an address is split across chunks on its way through the transform.
    const fake = new FakeS3(mockClient(S3Client), 7);
    loaded = { handler: (await import('../src/index')).handler, fake };
  });
  if (!loaded) throw new Error('index module did not load');
  return loaded;
}

afterEach(() => {
  process.env = { ...saved };
});

async function processText(env: Record<string, string>, content: string) {
  const { handler, fake } = await loadHandler(env);
  const event = makeUploadEvent({ content });
  fake.put(TEST_BUCKET, event.key, content, event.contentType);

  const response = await handler(makeKinesisEvent([makeKinesisRecord(event)]), makeLambdaContext());

  expect(response).toEqual({ batchItemFailures: [] });
  return fake.get(TEST_BUCKET, processedKeyFor(event.key));
}

describe('processor handler as deployed (index.handler)', () => {
  it('upper-cases text when TRANSFORM is not set', async () => {
    const processed = await processText({}, 'write to ada@example.com');

    expect(processed?.body.toString('utf8')).toBe('WRITE TO ADA@EXAMPLE.COM');
    expect(processed?.metadata.transform).toBe('uppercase-text-v1');
  });

  it('runs the transform TRANSFORM names', async () => {
    const processed = await processText({ TRANSFORM: 'redact-emails-v1' }, 'write to ada@example.com');

    expect(processed?.body.toString('utf8')).toBe('write to [email redacted]');
    expect(processed?.metadata.transform).toBe('redact-emails-v1');
  });

  it('refuses to start with an unknown TRANSFORM, naming the transforms it knows', async () => {
    const load = loadHandler({ TRANSFORM: 'gzip-v1' });

    // A fresh copy of @streamdrop/config, hence its own ConfigError class: matched by name.
    await expect(load).rejects.toMatchObject({ name: 'ConfigError', variable: 'TRANSFORM' });
    await expect(load).rejects.toThrow(
      'environment variable TRANSFORM must be uppercase-text-v1 or redact-emails-v1 (got "gzip-v1")',
    );
  });
});
