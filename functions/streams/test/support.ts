import {
  DescribeStreamCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type StreamDescription,
  type StreamSummary,
} from '@aws-sdk/client-kinesis';
import { STREAM_PROXY_ROUTES, type StreamProxyRoute } from '@streamdrop/events';
import {
  makeHttpApiEvent,
  TEST_ACCOUNT,
  TEST_REGION,
  TEST_STREAM_ARN,
  TEST_USER_SUB,
} from '@streamdrop/events/testing';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handleStreamsRequest } from '../src/router';
import type { StreamsDeps } from '../src/streams';
import { streamsRequestFromEvent } from '../src/streams-request';

// Stubbing the prototype catches every client, including the module-scope one in src/clients.
export const kinesisMock = mockClient(KinesisClient);

export const ADMIN_GROUP = 'admins';
export const TEST_STREAM = 'streamdrop-test-uploads';
export const AUDIT_STREAM = 'streamdrop-test-audit';
/** Exists in the account, but the proxy may not touch it. */
export const HIDDEN_STREAM = 'payments-prod';
export const AUDIT_STREAM_ARN = `arn:aws:kinesis:${TEST_REGION}:${TEST_ACCOUNT}:stream/${AUDIT_STREAM}`;
export const HIDDEN_STREAM_ARN = `arn:aws:kinesis:${TEST_REGION}:${TEST_ACCOUNT}:stream/${HIDDEN_STREAM}`;

/** 2026-11-01T08:30:00.250Z, which Kinesis writes as 1793521800.25. */
export const CREATED = new Date('2026-11-01T08:30:00.250Z');
export const CREATED_EPOCH_SECONDS = 1793521800.25;

export const ADMIN_CLAIMS = { sub: TEST_USER_SUB, token_use: 'id', 'cognito:groups': '[admins]' };
export const USER_CLAIMS = { sub: TEST_USER_SUB, token_use: 'id', 'cognito:groups': '[users]' };

export interface TestDeps extends StreamsDeps {
  logger: { info: jest.Mock; warn: jest.Mock; error: jest.Mock };
}

export function makeDeps(overrides: Partial<Omit<StreamsDeps, 'logger'>> = {}): TestDeps {
  return {
    kinesis: new KinesisClient({ region: TEST_REGION }),
    config: { adminGroup: ADMIN_GROUP, allowedStreams: new Set([TEST_STREAM, AUDIT_STREAM]) },
    ...overrides,
    logger: { info: jest.fn(), warn: jest.fn(), error: jest.fn() },
  };
}

export interface RouteEventOptions {
  name?: string;
  body?: string | object;
  claims?: Record<string, string | number | boolean | string[]> | null;
  headers?: Record<string, string>;
  requestId?: string;
}

/**
 * An HTTP API event for one of the proxy's routes, as API Gateway sends it: `routeKey` is the
 * template, the raw path carries the stream name, and the name is the `name` path parameter.
 */
export function routeEvent(
  route: StreamProxyRoute,
  options: RouteEventOptions = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method = '', template = ''] = STREAM_PROXY_ROUTES[route].split(' ');
  const name = options.name ?? TEST_STREAM;
  const event = makeHttpApiEvent({
    method,
    path: template,
    pathParameters: template.includes('{name}') ? { name } : undefined,
    body: options.body,
    claims: options.claims === undefined ? ADMIN_CLAIMS : options.claims,
    headers: options.headers,
    requestId: options.requestId,
  });
  const path = template.replace('{name}', encodeURIComponent(name));
  event.rawPath = path;
  event.requestContext.http.path = path;
  return event;
}

export const PUT_RECORD_BODY = { Data: 'some data', PartitionKey: 'some key' };
export const PUT_RECORDS_BODY = {
  records: [
    { data: 'some data', 'partition-key': 'some key' },
    { data: 'more data', 'partition-key': 'another key' },
  ],
};

export function summaryOf(name: string, arn: string): StreamSummary {
  return {
    StreamARN: arn,
    StreamName: name,
    StreamStatus: 'ACTIVE',
    StreamModeDetails: { StreamMode: 'ON_DEMAND' },
    StreamCreationTimestamp: CREATED,
  };
}

/** DescribeStream's answer for TEST_STREAM as the SDK hands it over (timestamps as Dates). */
export function testStreamDescription(): StreamDescription {
  return {
    StreamName: TEST_STREAM,
    StreamARN: TEST_STREAM_ARN,
    StreamStatus: 'ACTIVE',
    StreamModeDetails: { StreamMode: 'ON_DEMAND' },
    Shards: [
      {
        ShardId: 'shardId-000000000000',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: '170141183460469231731687303715884105727' },
        SequenceNumberRange: {
          StartingSequenceNumber: '49656834564012278931364286385829542862185914136637276162',
        },
      },
      {
        ShardId: 'shardId-000000000001',
        HashKeyRange: {
          StartingHashKey: '170141183460469231731687303715884105728',
          EndingHashKey: '340282366920938463463374607431768211455',
        },
        SequenceNumberRange: {
          StartingSequenceNumber: '49656834564034579676562817009971078580458562498143256594',
          EndingSequenceNumber: '49656834564045730049162082321540637513777286859600609298',
        },
      },
    ],
    HasMoreShards: false,
    RetentionPeriodHours: 24,
    StreamCreationTimestamp: CREATED,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'KMS',
    KeyId: 'alias/streamdrop-test',
  };
}

/** Resets the mock to a healthy account holding three streams, one of them not allowed. */
export function healthyKinesis(): void {
  kinesisMock.reset();
  kinesisMock.on(ListStreamsCommand).resolves({
    HasMoreStreams: false,
    StreamNames: [HIDDEN_STREAM, AUDIT_STREAM, TEST_STREAM],
    StreamSummaries: [
      summaryOf(HIDDEN_STREAM, HIDDEN_STREAM_ARN),
      summaryOf(AUDIT_STREAM, AUDIT_STREAM_ARN),
      summaryOf(TEST_STREAM, TEST_STREAM_ARN),
    ],
  });
  kinesisMock.on(DescribeStreamCommand).resolves({ StreamDescription: testStreamDescription() });
  kinesisMock.on(PutRecordCommand).resolves({
    ShardId: 'shardId-000000000000',
    SequenceNumber: '49656834564012278931364286385829542862185914136637276162',
    EncryptionType: 'KMS',
  });
  kinesisMock.on(PutRecordsCommand).callsFake((input: { Records?: unknown[] }) => ({
    FailedRecordCount: 0,
    Records: (input.Records ?? []).map((_record, index) => ({
      ShardId: 'shardId-000000000001',
      SequenceNumber: `4965683456403457967656281700997107858045856249814325659${index}`,
    })),
    EncryptionType: 'KMS',
  }));
}

export function expectKinesisNeverCalled(): void {
  expect(kinesisMock.calls()).toHaveLength(0);
}

/** Every argument the logger got, as one string: for asserting what must never be logged. */
export function loggedText(logger: TestDeps['logger']): string {
  return JSON.stringify(
    [...logger.info.mock.calls, ...logger.warn.mock.calls, ...logger.error.mock.calls],
    (_key, value) => (value instanceof Error ? { name: value.name, message: value.message } : value),
  );
}

/** Runs the core on an event for `route`, as the handler would. */
export function serve(
  route: StreamProxyRoute,
  options: RouteEventOptions = {},
  deps: StreamsDeps = makeDeps(),
) {
  return handleStreamsRequest(streamsRequestFromEvent(routeEvent(route, options)), deps);
}
