import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * BENCH-ONLY Kinesis stub: answers PutRecord and PutRecords (JSON 1.1, what the JS SDK's
 * Kinesis client speaks) on loopback after a fixed latency, and counts what it received.
 * Never used by the product: the local stack runs kinesalite.
 */
export interface KinesisStub {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_KINESIS. */
  readonly url: string;
  /** Records received so far (PutRecord counts one, PutRecords its entries). */
  readonly records: number;
  /** The Data of the last `keep` records, decoded from base64. */
  readonly lastData: readonly Buffer[];
  latencyMs: number;
  close(): Promise<void>;
}

export interface KinesisStubOptions {
  readonly latencyMs?: number;
  /** How many records' data to keep for inspection (default 16). */
  readonly keep?: number;
}

const TARGET_PREFIX = 'Kinesis_20131202.';

export async function startKinesisStub(options: KinesisStubOptions = {}): Promise<KinesisStub> {
  const keep = options.keep ?? 16;
  let records = 0;
  let sequence = 0n;
  const lastData: Buffer[] = [];
  const remember = (data: unknown) => {
    records += 1;
    if (keep === 0 || typeof data !== 'string') return;
    lastData.push(Buffer.from(data, 'base64'));
    if (lastData.length > keep) lastData.shift();
  };
  const nextSequence = () => {
    sequence += 1n;
    return (49_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + sequence).toString();
  };

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    let status = 200;
    let answer: unknown;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      if (target === `${TARGET_PREFIX}PutRecord`) {
        remember(body.Data);
        answer = { SequenceNumber: nextSequence(), ShardId: 'shardId-000000000000' };
      } else if (target === `${TARGET_PREFIX}PutRecords`) {
        const entries = Array.isArray(body.Records) ? (body.Records as Array<{ Data?: unknown }>) : [];
        for (const entry of entries) remember(entry.Data);
        answer = {
          FailedRecordCount: 0,
          Records: entries.map(() => ({ SequenceNumber: nextSequence(), ShardId: 'shardId-000000000000' })),
        };
      } else {
        status = 400;
        answer = {
          __type: 'UnknownOperationException',
          message: `the bench Kinesis stub does not answer ${target}`,
        };
      }
    } catch {
      status = 400;
      answer = { __type: 'SerializationException', message: 'body is not JSON' };
    }
    if (stub.latencyMs > 0) await sleep(stub.latencyMs);
    const text = JSON.stringify(answer);
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': `stub-${sequence}`,
    });
    response.end(text);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stub: KinesisStub = {
    url: `http://127.0.0.1:${port}`,
    get records() {
      return records;
    },
    lastData,
    latencyMs: options.latencyMs ?? 20,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return stub;
}
