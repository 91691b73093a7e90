import {
  DescribeStreamCommand,
  KinesisServiceException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import {
  DescribeStreamResponseSchema,
  ErrorResponseSchema,
  ListStreamsResponseSchema,
  PutRecordResponseSchema,
  PutRecordsResponseSchema,
  type StreamProxyRoute,
} from '@streamdrop/events';
import { makeHttpApiEvent, makeLambdaContext, TEST_USER_SUB } from '@streamdrop/events/testing';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createConfig } from '../src/config';
import { RECORDS_REFUSED_MESSAGE } from '../src/errors';
import { createHandler } from '../src/handler';
import { logger } from '../src/logger';
import type { StreamsDeps } from '../src/streams';
import {
  CREATED_EPOCH_SECONDS,
  expectKinesisNeverCalled,
  HIDDEN_STREAM,
  healthyKinesis,
  kinesisMock,
  makeDeps,
  PUT_RECORD_BODY,
  PUT_RECORDS_BODY,
  type RouteEventOptions,
  routeEvent,
  TEST_STREAM,
  USER_CLAIMS,
} from './support';

const REQUEST_ID = 'Zx9Yw8Vu7Ts6=';
const MiB = 1_048_576;

function invoke(route: StreamProxyRoute, options: RouteEventOptions = {}, deps: StreamsDeps = makeDeps()) {
  const handler = createHandler(deps);
  return handler(routeEvent(route, { requestId: REQUEST_ID, ...options }), makeLambdaContext());
}

function okBody(response: APIGatewayProxyStructuredResultV2): unknown {
  expect(response.statusCode).toBe(200);
  expect(response.headers?.['content-type']).toBe('application/json');
  return JSON.parse(response.body ?? '');
}

function errorBody(response: APIGatewayProxyStructuredResultV2) {
  expect(response.headers?.['content-type']).toBe('application/json');
  return ErrorResponseSchema.parse(JSON.parse(response.body ?? ''));
}

/** Every route with a body it would accept. */
const ROUTES: Array<[StreamProxyRoute, RouteEventOptions]> = [
  ['listStreams', {}],
  ['describeStream', {}],
  ['putRecord', { body: PUT_RECORD_BODY }],
  ['putRecords', { body: PUT_RECORDS_BODY }],
];

const records = (count: number, data = 'd') =>
  Array.from({ length: count }, (_, i) => ({ data, 'partition-key': `key-${i}` }));

beforeEach(healthyKinesis);

describe('streams handler: answers', () => {
  it('answers GET /streams with 200 and the allowed streams', async () => {
    const body = ListStreamsResponseSchema.parse(okBody(await invoke('listStreams')));

    expect(body.StreamNames).toEqual(['streamdrop-test-audit', TEST_STREAM]);
    expect(body.StreamSummaries.map((s) => s.StreamCreationTimestamp)).toEqual([
      CREATED_EPOCH_SECONDS,
      CREATED_EPOCH_SECONDS,
    ]);
  });

  it('answers GET /streams/{name} with 200 and timestamps as epoch seconds in the JSON text', async () => {
    const response = await invoke('describeStream');

    const body = DescribeStreamResponseSchema.parse(okBody(response));
    expect(body.StreamDescription.StreamName).toBe(TEST_STREAM);
    expect(response.body).toContain(`"StreamCreationTimestamp":${CREATED_EPOCH_SECONDS}`);
    expect(response.body).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('answers PUT /streams/{name}/record with 200 and SequenceNumber, ShardId, EncryptionType', async () => {
    const body = okBody(await invoke('putRecord', { body: PUT_RECORD_BODY }));

    expect(PutRecordResponseSchema.parse(body)).toEqual({
      SequenceNumber: '49656834564012278931364286385829542862185914136637276162',
      ShardId: 'shardId-000000000000',
      EncryptionType: 'KMS',
    });
  });

  it('answers PUT /streams/{name}/records with 200 and one result per record', async () => {
    const body = PutRecordsResponseSchema.parse(
      okBody(await invoke('putRecords', { body: PUT_RECORDS_BODY })),
    );

    expect(body.FailedRecordCount).toBe(0);
    expect(body.Records).toHaveLength(2);
  });

  it.each([
    ['no Content-Type header', undefined],
    ['application/json; charset=utf-8', 'application/json; charset=utf-8'],
  ])('accepts a PUT body sent with %s', async (_label, contentType) => {
    const event = routeEvent('putRecord', { body: PUT_RECORD_BODY });
    if (contentType === undefined) delete event.headers['content-type'];
    else event.headers['content-type'] = contentType;

    const response = await createHandler(makeDeps())(event, makeLambdaContext());

    expect(response.statusCode).toBe(200);
  });

  it('accepts a body that API Gateway delivered base64-encoded', async () => {
    const event = routeEvent('putRecord', {
      body: Buffer.from(JSON.stringify(PUT_RECORD_BODY)).toString('base64'),
    });
    event.isBase64Encoded = true;

    const response = await createHandler(makeDeps())(event, makeLambdaContext());

    expect(response.statusCode).toBe(200);
    expect(kinesisMock.commandCalls(PutRecordCommand)[0]?.args[0].input.PartitionKey).toBe('some key');
  });
});

describe('streams handler: who may call', () => {
  it.each(ROUTES)(
    'answers %s from a caller outside the admin group with 403 and never calls Kinesis',
    async (route, options) => {
      const response = await invoke(route, { ...options, claims: USER_CLAIMS });

      expect(response.statusCode).toBe(403);
      expect(errorBody(response)).toEqual({
        message: 'Only members of the admins group may use the streams API',
        requestId: REQUEST_ID,
      });
      expectKinesisNeverCalled();
    },
  );

  it.each(ROUTES)('answers %s from a caller without a groups claim with 403', async (route, options) => {
    const response = await invoke(route, { ...options, claims: { sub: TEST_USER_SUB } });

    expect(response.statusCode).toBe(403);
    expectKinesisNeverCalled();
  });

  it.each(ROUTES)('answers %s without claims with 401 and never calls Kinesis', async (route, options) => {
    const response = await invoke(route, { ...options, claims: null });

    expect(response.statusCode).toBe(401);
    expect(errorBody(response).requestId).toBe(REQUEST_ID);
    expectKinesisNeverCalled();
  });

  it('does not tell a non-admin whether a stream is on the allow-list', async () => {
    const allowed = await invoke('describeStream', { claims: USER_CLAIMS });
    const hidden = await invoke('describeStream', { name: HIDDEN_STREAM, claims: USER_CLAIMS });

    expect(allowed.statusCode).toBe(403);
    expect(hidden.statusCode).toBe(403);
  });

  it.each([
    ['[admins]', '[admins]'],
    ['[users admins]', '[users admins]'],
  ])('lets an admin whose groups claim is %s in', async (_label, groups) => {
    const response = await invoke('listStreams', {
      claims: { sub: TEST_USER_SUB, 'cognito:groups': groups },
    });

    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['["admins"]: a group named "admins", quotes included', '["admins"]'],
    ['[[admins]]: a group named [admins]', '[[admins]]'],
    ['an array, a form API Gateway never passes', ['users', 'admins']],
  ])('keeps out a caller whose groups claim is %s', async (_label, groups) => {
    const response = await invoke('listStreams', {
      claims: { sub: TEST_USER_SUB, 'cognito:groups': groups },
    });

    expect(response.statusCode).toBe(403);
  });
});

describe('streams handler: limits', () => {
  it.each([
    [
      'a partition key of 0 characters',
      { Data: 'x', PartitionKey: '' },
      'PartitionKey: must be 1 to 256 Unicode characters (got 0)',
    ],
    [
      'a partition key of 257 characters',
      { Data: 'x', PartitionKey: 'k'.repeat(257) },
      'PartitionKey: must be 1 to 256 Unicode characters (got 257)',
    ],
    [
      'a record over 1 MiB',
      { Data: 'x'.repeat(MiB), PartitionKey: 'k' },
      /^Data: .*at most 1 MiB \(1048576 bytes\)/,
    ],
    [
      'a partition key of 256 astral-plane characters (512 UTF-16 code units, as Kinesis counts)',
      { Data: 'x', PartitionKey: '🚀'.repeat(256) },
      /^PartitionKey: must be 1 to 256 Unicode characters \(got 512; Kinesis counts UTF-16 code units/,
    ],
    [
      'a partition key with a lone surrogate',
      { Data: 'x', PartitionKey: 'k\ud800' },
      /^PartitionKey: must be well-formed Unicode/,
    ],
    [
      'Data with a lone surrogate',
      { Data: 'x\udc00', PartitionKey: 'k' },
      /^Data: must be well-formed Unicode/,
    ],
  ])(
    'answers PutRecord with %s with 400 naming the limit and never calls Kinesis',
    async (_label, body, message) => {
      const response = await invoke('putRecord', { body });

      expect(response.statusCode).toBe(400);
      expect(errorBody(response).message).toMatch(message);
      expectKinesisNeverCalled();
    },
  );

  it.each([
    ['0 records', { records: [] }, 'records: must hold 1 to 500 records (got 0)'],
    ['501 records', { records: records(501) }, 'records: must hold 1 to 500 records (got 501)'],
    [
      'a partition key of 0 characters',
      { records: [{ data: 'x', 'partition-key': '' }] },
      'records.0.partition-key: must be 1 to 256 Unicode characters (got 0)',
    ],
    [
      'a partition key of 257 characters',
      { records: [...records(2), { data: 'x', 'partition-key': 'k'.repeat(257) }] },
      'records.2.partition-key: must be 1 to 256 Unicode characters (got 257)',
    ],
    [
      'a record over 1 MiB',
      { records: [...records(1), { data: 'x'.repeat(MiB), 'partition-key': 'k' }] },
      /^records\.1\.data: .*at most 1 MiB \(1048576 bytes\)/,
    ],
    [
      'more than 5 MiB in total',
      { records: records(6, 'x'.repeat(1_000_000)) },
      /^records: .*at most 5 MiB \(5242880 bytes\)/,
    ],
    [
      'a partition key of 129 emoji (258 UTF-16 code units)',
      { records: [...records(1), { data: 'x', 'partition-key': '😀'.repeat(129) }] },
      /^records\.1\.partition-key: must be 1 to 256 Unicode characters \(got 258; /,
    ],
  ])(
    'answers PutRecords with %s with 400 naming the limit and never calls Kinesis',
    async (_label, body, message) => {
      const response = await invoke('putRecords', { body });

      expect(response.statusCode).toBe(400);
      expect(errorBody(response).message).toMatch(message);
      expectKinesisNeverCalled();
    },
  );

  it('accepts the limits themselves: 256 characters, 1 MiB records, 500 records, 5 MiB in total', async () => {
    const key = 'k'.repeat(256);
    const fullRecord = { data: 'x'.repeat(MiB - 256), 'partition-key': key };

    expect(
      (await invoke('putRecord', { body: { Data: 'x'.repeat(MiB - 256), PartitionKey: key } })).statusCode,
    ).toBe(200);
    expect((await invoke('putRecords', { body: { records: records(500) } })).statusCode).toBe(200);
    expect((await invoke('putRecords', { body: { records: Array(5).fill(fullRecord) } })).statusCode).toBe(
      200,
    );
    expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordsCommand, 2);
  });
});

describe('streams handler: bad requests', () => {
  it.each([
    ['invalid JSON', '{"Data": "x", ', /^body is not valid JSON$/],
    ['an empty body', '', /^body is required: a JSON object with Data and PartitionKey$/],
    ['no body at all', undefined, /^body is required/],
    ['Data that is not a string', { Data: 42, PartitionKey: 'k' }, /^Data: must be a string$/],
    ['no PartitionKey', { Data: 'x' }, /^PartitionKey: must be a string$/],
    ['an unknown field', { ...PUT_RECORD_BODY, StreamName: 'other' }, /^unknown field "StreamName"$/],
    [
      'a bad ExplicitHashKey',
      { ...PUT_RECORD_BODY, ExplicitHashKey: '-1' },
      /^ExplicitHashKey: must be a decimal/,
    ],
  ])('answers PutRecord with %s with 400 and an actionable message', async (_label, body, message) => {
    const response = await invoke('putRecord', { body });

    expect(response.statusCode).toBe(400);
    expect(errorBody(response)).toEqual({ message: expect.stringMatching(message), requestId: REQUEST_ID });
    expectKinesisNeverCalled();
  });

  it.each([
    ['no records field', {}, /^records: must hold 1 to 500 records \(an array\)$/],
    [
      'an unknown field in a record',
      { records: [{ data: 'x', 'partition-key': 'k', PartitionKey: 'k' }] },
      /^unknown field "PartitionKey"$/,
    ],
  ])('answers PutRecords with %s with 400', async (_label, body, message) => {
    const response = await invoke('putRecords', { body });

    expect(response.statusCode).toBe(400);
    expect(errorBody(response).message).toMatch(message);
    expectKinesisNeverCalled();
  });

  it.each([
    ['putRecord', 'text/plain'],
    ['putRecords', 'application/x-www-form-urlencoded'],
    ['putRecord', 'application/json; charset=iso-8859-1'],
  ] as const)('answers %s sent as %s with 415', async (route, contentType) => {
    const response = await invoke(route, { body: PUT_RECORD_BODY, headers: { 'content-type': contentType } });

    expect(response.statusCode).toBe(415);
    expect(errorBody(response).message).toContain('Content-Type: application/json');
    expectKinesisNeverCalled();
  });

  it('answers an unknown route with 404', async () => {
    const event = makeHttpApiEvent({
      method: 'DELETE',
      path: '/streams/{name}',
      pathParameters: { name: TEST_STREAM },
      claims: { sub: TEST_USER_SUB, 'cognito:groups': '[admins]' },
      requestId: REQUEST_ID,
    });

    const response = await createHandler(makeDeps())(event, makeLambdaContext());

    expect(response.statusCode).toBe(404);
    expect(errorBody(response).requestId).toBe(REQUEST_ID);
    expectKinesisNeverCalled();
  });
});

describe('streams handler: streams that are not there', () => {
  it.each(ROUTES.slice(1))(
    'answers %s for a stream outside ALLOWED_STREAMS with 404 and never calls Kinesis',
    async (route, options) => {
      const response = await invoke(route, { ...options, name: HIDDEN_STREAM });

      expect(response.statusCode).toBe(404);
      expect(errorBody(response)).toEqual({
        message: `Stream ${HIDDEN_STREAM} not found`,
        requestId: REQUEST_ID,
      });
      expectKinesisNeverCalled();
    },
  );

  it.each(['describeStream', 'putRecord', 'putRecords'] as const)(
    'answers %s with 404 when Kinesis answers ResourceNotFoundException',
    async (route) => {
      kinesisMock.reset();
      kinesisMock.rejects(
        new ResourceNotFoundException({
          $metadata: {},
          message: 'Stream x under account 123456789012 not found.',
        }),
      );

      const response = await invoke(route, {
        body: route === 'putRecords' ? PUT_RECORDS_BODY : PUT_RECORD_BODY,
      });

      expect(response.statusCode).toBe(404);
      expect(errorBody(response)).toEqual({
        message: `Stream ${TEST_STREAM} not found`,
        requestId: REQUEST_ID,
      });
      expect(response.body).not.toContain('123456789012');
    },
  );
});

describe('streams handler: failing Kinesis', () => {
  it.each([
    [
      'ProvisionedThroughputExceededException',
      () =>
        new ProvisionedThroughputExceededException({
          $metadata: {},
          message: 'Rate exceeded for shard shardId-000000000000 in account 123456789012',
        }),
    ],
    [
      'LimitExceededException',
      () => new LimitExceededException({ $metadata: {}, message: 'Rate exceeded for account 123456789012' }),
    ],
    [
      'ThrottlingException',
      () =>
        new KinesisServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          $metadata: {},
          message: 'Rate exceeded for account 123456789012',
        }),
    ],
  ])('answers %s with 429 and Retry-After, without the SDK message', async (_name, makeError) => {
    kinesisMock.on(PutRecordCommand).rejects(makeError());

    const response = await invoke('putRecord', { body: PUT_RECORD_BODY });

    expect(response.statusCode).toBe(429);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(errorBody(response)).toEqual({ message: expect.stringContaining('retry'), requestId: REQUEST_ID });
    expect(response.body).not.toContain('123456789012');
  });

  it.each(['listStreams', 'describeStream', 'putRecords'] as const)(
    'answers %s with 429 when Kinesis is throttling',
    async (route) => {
      kinesisMock.reset();
      kinesisMock.rejects(new LimitExceededException({ $metadata: {}, message: 'Rate exceeded' }));

      const response = await invoke(route, { body: PUT_RECORDS_BODY });

      expect(response.statusCode).toBe(429);
      expect(response.headers?.['retry-after']).toBe('1');
    },
  );

  it.each([
    ['PutRecord', 'putRecord', PUT_RECORD_BODY, 'ValidationException'],
    ['PutRecord', 'putRecord', PUT_RECORD_BODY, 'InvalidArgumentException'],
    ['PutRecords', 'putRecords', PUT_RECORDS_BODY, 'ValidationException'],
    ['PutRecords', 'putRecords', PUT_RECORDS_BODY, 'InvalidArgumentException'],
  ] as const)(
    'answers a %s that Kinesis still refuses (%s / %s) with 400 and a safe message, not 502',
    async (command, route, body, name) => {
      const refusal = new KinesisServiceException({
        name,
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `1 validation error detected: Value at 'partitionKey' failed to satisfy constraint (stream arn:aws:kinesis:us-east-1:123456789012:stream/${TEST_STREAM})`,
      });
      if (command === 'PutRecord') kinesisMock.on(PutRecordCommand).rejects(refusal);
      else kinesisMock.on(PutRecordsCommand).rejects(refusal);

      const response = await invoke(route, { body });

      expect(response.statusCode).toBe(400);
      expect(errorBody(response)).toEqual({ message: RECORDS_REFUSED_MESSAGE, requestId: REQUEST_ID });
      expect(response.body).not.toMatch(/123456789012|arn:aws|Exception|validation error/);
    },
  );

  it('answers a ValidationException on a call the caller did not write (DescribeStream) with 502', async () => {
    kinesisMock.on(DescribeStreamCommand).rejects(
      new KinesisServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'bad request',
      }),
    );

    expect((await invoke('describeStream')).statusCode).toBe(502);
  });

  it.each([
    [
      'a KMS failure',
      new KinesisServiceException({
        name: 'KMSAccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message:
          'User arn:aws:sts::123456789012:assumed-role/streams is not authorized to use arn:aws:kms:us-east-1:123456789012:key/abc',
      }),
    ],
    [
      'an IAM denial',
      new KinesisServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message:
          'User arn:aws:sts::123456789012:assumed-role/streams is not authorized to perform kinesis:PutRecord',
      }),
    ],
    [
      'a network failure',
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443 (123456789012)'), { name: 'TimeoutError' }),
    ],
  ])('answers %s with 502 and a fixed message, never the SDK message, and logs it', async (_label, error) => {
    const errorLog = jest.spyOn(logger, 'error');
    kinesisMock.on(PutRecordCommand).rejects(error);

    const response = await invoke('putRecord', { body: PUT_RECORD_BODY });

    expect(response.statusCode).toBe(502);
    expect(errorBody(response)).toEqual({
      message: 'The stream service failed; try again later',
      requestId: REQUEST_ID,
    });
    expect(response.body).not.toContain('123456789012');
    expect(errorLog).toHaveBeenCalledWith(
      'stream service failed',
      expect.objectContaining({ requestId: REQUEST_ID, error: expect.objectContaining({ cause: error }) }),
    );
  });

  it('answers 500 "Internal error" on an unexpected error without its message, and logs it', async () => {
    const errorLog = jest.spyOn(logger, 'error');
    const secret = new Error('allow-list store at arn:aws:ssm:us-east-1:123456789012:parameter/x is gone');
    const config = {
      adminGroup: 'admins',
      get allowedStreams(): ReadonlySet<string> {
        throw secret;
      },
    };

    const response = await invoke('describeStream', {}, makeDeps({ config }));

    expect(response.statusCode).toBe(500);
    expect(errorBody(response)).toEqual({ message: 'Internal error', requestId: REQUEST_ID });
    expect(errorLog).toHaveBeenCalledWith('unexpected error', { requestId: REQUEST_ID, error: secret });
    expectKinesisNeverCalled();
  });

  it('answers 500 without naming the variable when the configuration is broken', async () => {
    const response = await invoke('listStreams', {}, makeDeps({ config: createConfig({}) }));

    expect(response.statusCode).toBe(500);
    expect(errorBody(response).message).toBe('Internal error');
    expect(response.body).not.toContain('ADMIN_GROUP');
    expectKinesisNeverCalled();
  });
});
