/**
 * Test fixtures shared by every package's tests: AWS event factories shaped exactly as
 * Lambda delivers them, a Lambda context, and a valid upload event. Never used in production code.
 */

import { createHash } from 'node:crypto';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  Context,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { uploadKey } from '../keys';
import type { UploadEventV1, UploadEventV2 } from '../upload-event';

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '123456789012';
export const TEST_USER_SUB = '3f0c4a2e-9b1d-4c55-8a77-1e2d3c4b5a69';
export const TEST_UPLOAD_ID = '0b9e8f7a-6d5c-4b3a-9f1e-2d3c4b5a6978';
export const TEST_BUCKET = 'streamdrop-test-data';
export const TEST_STREAM_ARN = `arn:aws:kinesis:${TEST_REGION}:${TEST_ACCOUNT}:stream/streamdrop-test-uploads`;

export interface HttpEventOptions {
  method?: string;
  path?: string;
  body?: string | object | undefined;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
  /** JWT claims as the authorizer passes them; `null` leaves the authorizer context out entirely. */
  claims?: Record<string, string | number | boolean | string[]> | null;
  requestId?: string;
  pathParameters?: Record<string, string>;
  /** The route's key (`GET /uploads/{id}`); by default `<method> <path>`, right for routes without parameters. */
  routeKey?: string;
  /** The query string, as the client sent it (`limit=2&cursor=…`). */
  rawQueryString?: string;
}

/** An HTTP API (payload format 2.0) event with a JWT authorizer context, as API Gateway builds it. */
export function makeHttpApiEvent(options: HttpEventOptions = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/uploads';
  const body =
    options.body === undefined || typeof options.body === 'string'
      ? options.body
      : JSON.stringify(options.body);
  const requestId = options.requestId ?? 'Ab1Cd2Ef3Gh4=';
  const claims = options.claims === undefined ? { sub: TEST_USER_SUB, token_use: 'id' } : options.claims;
  const routeKey = options.routeKey ?? `${method} ${path}`;
  const rawQueryString = options.rawQueryString ?? '';
  const query = [...new URLSearchParams(rawQueryString)];
  const event = {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString,
    ...(query.length > 0 ? { queryStringParameters: Object.fromEntries(query) } : {}),
    headers: { 'content-type': 'application/json', host: 'api.example.test', ...options.headers },
    requestContext: {
      accountId: TEST_ACCOUNT,
      apiId: 'abc123',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'jest' },
      requestId,
      routeKey,
      stage: '$default',
      time: '21/Nov/2026:10:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
      authorizer:
        claims === null ? undefined : { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
    },
    pathParameters: options.pathParameters,
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
  return event as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** A Lambda context; `remainingMs` is what getRemainingTimeInMillis() answers. */
export function makeLambdaContext(overrides: Partial<Context> & { remainingMs?: number } = {}): Context {
  const { remainingMs = 30_000, ...rest } = overrides;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'streamdrop-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:streamdrop-test-fn`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/streamdrop-test-fn',
    logStreamName: '2026/11/21/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...rest,
  };
}

/** A valid upload event v1 for the given content. */
export function makeUploadEvent(
  overrides: Partial<UploadEventV1> & { content?: string } = {},
): UploadEventV1 {
  const { content = 'hello kinesis', ...rest } = overrides;
  const userSub = rest.userSub ?? TEST_USER_SUB;
  const uploadId = rest.uploadId ?? TEST_UPLOAD_ID;
  return {
    version: 1,
    uploadId,
    bucket: TEST_BUCKET,
    key: uploadKey({ userSub, uploadId, filename: 'demo.txt' }),
    size: Buffer.byteLength(content),
    contentType: 'text/plain; charset=utf-8',
    sha256: createHash('sha256').update(content).digest('hex'),
    uploadedAt: '2026-11-21T10:00:00.000Z',
    requestId: 'Ab1Cd2Ef3Gh4=',
    userSub,
    ...rest,
  };
}

/** A valid upload event v2 (a direct upload) for the given content; `sha256` only when `declared`. */
export function makeDirectUploadEvent(
  overrides: Partial<UploadEventV2> & { content?: string | Uint8Array; declared?: boolean } = {},
): UploadEventV2 {
  const { content = 'hello kinesis', declared = true, ...rest } = overrides;
  const userSub = rest.userSub ?? TEST_USER_SUB;
  const uploadId = rest.uploadId ?? TEST_UPLOAD_ID;
  const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  return {
    version: 2,
    origin: 'direct',
    uploadId,
    bucket: TEST_BUCKET,
    key: uploadKey({ userSub, uploadId, filename: 'demo.txt' }),
    size: bytes.length,
    contentType: 'text/plain; charset=utf-8',
    ...(declared ? { sha256: createHash('sha256').update(bytes).digest('hex') } : {}),
    uploadedAt: '2026-11-21T10:00:00.000Z',
    requestId: 'Ab1Cd2Ef3Gh4=',
    userSub,
    ...rest,
  };
}

let sequence = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;

/** One Kinesis record as Lambda delivers it; `data` is an object (JSON-encoded), a string or raw bytes. */
export function makeKinesisRecord(
  data: object | string | Uint8Array,
  options: { partitionKey?: string; sequenceNumber?: string; shardId?: string } = {},
): KinesisStreamRecord {
  sequence += 1n;
  const sequenceNumber = options.sequenceNumber ?? sequence.toString();
  const shardId = options.shardId ?? 'shardId-000000000000';
  const bytes =
    data instanceof Uint8Array
      ? Buffer.from(data)
      : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: options.partitionKey ?? TEST_UPLOAD_ID,
      sequenceNumber,
      data: bytes.toString('base64'),
      approximateArrivalTimestamp: 1_795_000_000.123,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${TEST_ACCOUNT}:role/streamdrop-test-processor`,
    awsRegion: TEST_REGION,
    eventSourceARN: TEST_STREAM_ARN,
  };
}

/** A Kinesis event source mapping event holding the given records. */
export function makeKinesisEvent(records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}

/** One metric of an EMF line: its name, unit, dimensions (name → value) and values. */
export interface EmfMetric {
  namespace: string;
  name: string;
  unit: string | undefined;
  dimensions: Record<string, string>;
  values: number[];
}

/**
 * Collects the metrics that Powertools Metrics writes to stdout as Embedded Metric Format lines
 * while `run` runs, one entry per metric and dimension set; other output passes through.
 */
export async function captureEmf(run: () => Promise<unknown> | unknown): Promise<EmfMetric[]> {
  const found: EmfMetric[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    let emf = false;
    for (const line of text.split('\n')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      const doc = parsed as Record<string, unknown> & {
        _aws?: {
          CloudWatchMetrics?: {
            Namespace: string;
            Dimensions: string[][];
            Metrics: { Name: string; Unit?: string }[];
          }[];
        };
      };
      for (const directive of doc._aws?.CloudWatchMetrics ?? []) {
        emf = true;
        for (const set of directive.Dimensions) {
          const dimensions = Object.fromEntries(set.map((d) => [d, String(doc[d])]));
          for (const metric of directive.Metrics) {
            const raw = doc[metric.Name];
            const values = (Array.isArray(raw) ? raw : [raw]).map(Number);
            found.push({
              namespace: directive.Namespace,
              name: metric.Name,
              unit: metric.Unit,
              dimensions,
              values,
            });
          }
        }
      }
    }
    return emf ? true : (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return found;
}
