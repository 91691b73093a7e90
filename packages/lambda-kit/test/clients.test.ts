import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { keepAliveHandler } from '../src/keep-alive-handler';
import { kinesisClient } from '../src/kinesis-client';
import { s3Client } from '../src/s3-client';

interface ResolvedOptions {
  connectionTimeout?: number;
  requestTimeout?: number;
  throwOnRequestTimeout?: boolean;
  httpAgentProvider: () => Promise<HttpAgent>;
  httpsAgent: HttpsAgent;
}

/**
 * The options a NodeHttpHandler will send with. It resolves them asynchronously and keeps them
 * private; reading them is the only way to see its agents without opening a connection.
 */
async function resolvedOptions(handler: unknown): Promise<ResolvedOptions> {
  expect(handler).toBeInstanceOf(NodeHttpHandler);
  return (handler as { configProvider: Promise<ResolvedOptions> }).configProvider;
}

beforeAll(() => {
  process.env.AWS_REGION ??= 'us-east-1';
});

describe('keepAliveHandler', () => {
  it('speaks HTTP/1.1 over keep-alive agents with the given timeouts', async () => {
    const handler = keepAliveHandler({
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    });

    expect(handler.metadata.handlerProtocol).toBe('http/1.1');
    const options = await resolvedOptions(handler);
    expect(options).toMatchObject({
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    });
    const [httpAgent, httpsAgent] = [await options.httpAgentProvider(), options.httpsAgent];
    expect(httpAgent).toBeInstanceOf(HttpAgent);
    expect(httpsAgent).toBeInstanceOf(HttpsAgent);
    expect(httpAgent).toMatchObject({ keepAlive: true });
    expect(httpsAgent).toMatchObject({ keepAlive: true });
  });

  it('caps the sockets of both agents when maxSockets is given, and only then', async () => {
    const capped = await resolvedOptions(
      keepAliveHandler({ connectionTimeout: 1, requestTimeout: 1, maxSockets: 12 }),
    );
    const open = await resolvedOptions(keepAliveHandler({ connectionTimeout: 1, requestTimeout: 1 }));

    expect((await capped.httpAgentProvider()).maxSockets).toBe(12);
    expect(capped.httpsAgent.maxSockets).toBe(12);
    expect((await open.httpAgentProvider()).maxSockets).toBe(Number.POSITIVE_INFINITY);
    expect(open.throwOnRequestTimeout).toBeUndefined();
  });
});

describe('kinesisClient', () => {
  it('talks HTTP/1.1 over keep-alive, with timeouts that fit inside API Gateway, and standard retries', async () => {
    const kinesis = kinesisClient({ maxAttempts: 3 });

    expect(await kinesis.config.maxAttempts()).toBe(3);
    expect(await kinesis.config.retryStrategy()).toMatchObject({ mode: 'standard' });
    expect(kinesis.config.requestHandler.metadata?.handlerProtocol).toBe('http/1.1');
    const options = await resolvedOptions(kinesis.config.requestHandler);
    expect(options).toMatchObject({
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      throwOnRequestTimeout: true,
    });
    expect(options.httpsAgent).toMatchObject({ keepAlive: true });
  });
});

describe('both clients', () => {
  /** Sends two commands of one class and counts how often the client resolved its middleware. */
  async function resolutions(prototype: object, sendTwice: () => Promise<unknown>): Promise<number> {
    // A stand-in for the resolved stack: no request leaves the test.
    const resolve = jest
      .spyOn(prototype as { resolveMiddleware: () => unknown }, 'resolveMiddleware')
      .mockReturnValue(async () => ({ output: {}, response: {} }));
    await sendTwice();
    return resolve.mock.calls.length;
  }

  it("resolves a command class's middleware once per S3 client, not on every send", async () => {
    const s3 = s3Client({ forcePathStyle: false });
    const head = () => s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }));

    expect(await resolutions(HeadObjectCommand.prototype, async () => [await head(), await head()])).toBe(1);
  });

  it("resolves a command class's middleware once per Kinesis client, not on every send", async () => {
    const kinesis = kinesisClient({ maxAttempts: 1 });
    const put = () =>
      kinesis.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'p', Data: new Uint8Array() }));

    expect(await resolutions(PutRecordCommand.prototype, async () => [await put(), await put()])).toBe(1);
  });
});

describe('s3Client', () => {
  it("keeps virtual-hosted style and the SDK's checksums against real S3", async () => {
    const s3 = s3Client({ forcePathStyle: false });

    expect(s3.config.forcePathStyle).toBe(false);
    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    expect(await s3.config.responseChecksumValidation()).toBe('WHEN_SUPPORTED');
  });

  it('switches to path-style and checksums-when-required for the local s3rver seam', async () => {
    const s3 = s3Client({ forcePathStyle: true });

    expect(s3.config.forcePathStyle).toBe(true);
    expect(await s3.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await s3.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
  });

  it('uses keep-alive agents with the given sockets and timeouts when asked', async () => {
    const s3 = s3Client({
      forcePathStyle: false,
      keepAlive: { maxSockets: 32, connectionTimeout: 5_000, requestTimeout: 60_000 },
    });

    const options = await resolvedOptions(s3.config.requestHandler);
    expect(options).toMatchObject({ connectionTimeout: 5_000, requestTimeout: 60_000 });
    expect(options.httpsAgent).toMatchObject({ keepAlive: true, maxSockets: 32 });
  });
});
