import {
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisServiceException,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import {
  DescribeStreamResponseSchema,
  ListStreamsResponseSchema,
  PutRecordResponseSchema,
  PutRecordsResponseSchema,
} from '@streamdrop/events';
import { TEST_STREAM_ARN, TEST_USER_SUB } from '@streamdrop/events/testing';
import { StreamNotFoundError, StreamServiceError } from '../src/errors';
import {
  AUDIT_STREAM,
  AUDIT_STREAM_ARN,
  CREATED,
  CREATED_EPOCH_SECONDS,
  expectKinesisNeverCalled,
  HIDDEN_STREAM,
  HIDDEN_STREAM_ARN,
  healthyKinesis,
  kinesisMock,
  loggedText,
  makeDeps,
  PUT_RECORD_BODY,
  PUT_RECORDS_BODY,
  serve,
  summaryOf,
  TEST_STREAM,
} from './support';

const utf8 = (text: string) => new TextEncoder().encode(text);

const listInputs = () => kinesisMock.commandCalls(ListStreamsCommand).map((call) => call.args[0].input);
const summaryInputs = () =>
  kinesisMock.commandCalls(DescribeStreamSummaryCommand).map((call) => call.args[0].input);

const WIRE_SUMMARY = {
  StreamStatus: 'ACTIVE',
  StreamModeDetails: { StreamMode: 'ON_DEMAND' },
  StreamCreationTimestamp: CREATED_EPOCH_SECONDS,
};

beforeEach(healthyKinesis);

describe('streams core: GET /streams', () => {
  it('lists only the allowed streams, with their summaries as Kinesis returns them', async () => {
    const response = await serve('listStreams');

    expect(response).toEqual({
      HasMoreStreams: false,
      StreamNames: [AUDIT_STREAM, TEST_STREAM],
      StreamSummaries: [
        { StreamARN: AUDIT_STREAM_ARN, StreamName: AUDIT_STREAM, ...WIRE_SUMMARY },
        { StreamARN: TEST_STREAM_ARN, StreamName: TEST_STREAM, ...WIRE_SUMMARY },
      ],
    });
    expect(ListStreamsResponseSchema.parse(response)).toEqual(response);
    expect(listInputs()).toEqual([{}]);
    expect(kinesisMock).not.toHaveReceivedCommand(DescribeStreamSummaryCommand);
    expect(JSON.stringify(response)).not.toContain(HIDDEN_STREAM);
  });

  it('follows NextToken through every page', async () => {
    kinesisMock
      .on(ListStreamsCommand)
      .resolvesOnce({
        HasMoreStreams: true,
        NextToken: 'page-2',
        StreamNames: [AUDIT_STREAM, HIDDEN_STREAM],
        StreamSummaries: [
          summaryOf(AUDIT_STREAM, AUDIT_STREAM_ARN),
          summaryOf(HIDDEN_STREAM, HIDDEN_STREAM_ARN),
        ],
      })
      .resolvesOnce({
        HasMoreStreams: false,
        StreamNames: [TEST_STREAM],
        StreamSummaries: [summaryOf(TEST_STREAM, TEST_STREAM_ARN)],
      });

    const response = await serve('listStreams');

    expect(listInputs()).toEqual([{}, { NextToken: 'page-2' }]);
    expect(response).toMatchObject({ HasMoreStreams: false, StreamNames: [AUDIT_STREAM, TEST_STREAM] });
  });

  it('falls back to ExclusiveStartStreamName and DescribeStreamSummary where Kinesis sends no summaries (kinesalite)', async () => {
    kinesisMock
      .on(ListStreamsCommand)
      .resolvesOnce({ HasMoreStreams: true, StreamNames: [AUDIT_STREAM] })
      .resolvesOnce({ HasMoreStreams: false, StreamNames: [HIDDEN_STREAM, TEST_STREAM] });
    kinesisMock.on(DescribeStreamSummaryCommand, { StreamName: AUDIT_STREAM }).resolves({
      StreamDescriptionSummary: {
        StreamName: AUDIT_STREAM,
        StreamARN: AUDIT_STREAM_ARN,
        StreamStatus: 'ACTIVE',
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: CREATED,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: 'NONE',
        OpenShardCount: 1,
        ConsumerCount: 0,
      },
    });
    kinesisMock.on(DescribeStreamSummaryCommand, { StreamName: TEST_STREAM }).resolves({
      StreamDescriptionSummary: {
        StreamName: TEST_STREAM,
        StreamARN: TEST_STREAM_ARN,
        StreamStatus: 'UPDATING',
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        RetentionPeriodHours: 48,
        StreamCreationTimestamp: new Date('2026-10-15T00:00:00.000Z'),
        EnhancedMonitoring: [],
        OpenShardCount: 2,
      },
    });

    const response = await serve('listStreams');

    expect(listInputs()).toEqual([{}, { ExclusiveStartStreamName: AUDIT_STREAM }]);
    expect(summaryInputs()).toEqual([{ StreamName: AUDIT_STREAM }, { StreamName: TEST_STREAM }]);
    expect(response).toEqual({
      HasMoreStreams: false,
      StreamNames: [AUDIT_STREAM, TEST_STREAM],
      StreamSummaries: [
        {
          StreamARN: AUDIT_STREAM_ARN,
          StreamName: AUDIT_STREAM,
          StreamStatus: 'ACTIVE',
          StreamCreationTimestamp: CREATED_EPOCH_SECONDS,
        },
        {
          StreamARN: TEST_STREAM_ARN,
          StreamName: TEST_STREAM,
          StreamStatus: 'UPDATING',
          StreamModeDetails: { StreamMode: 'PROVISIONED' },
          StreamCreationTimestamp: 1792022400,
        },
      ],
    });
  });

  it('leaves out a stream deleted between ListStreams and DescribeStreamSummary', async () => {
    kinesisMock.on(ListStreamsCommand).resolves({ HasMoreStreams: false, StreamNames: [TEST_STREAM] });
    kinesisMock
      .on(DescribeStreamSummaryCommand)
      .rejects(new ResourceNotFoundException({ $metadata: {}, message: 'Stream not found' }));

    expect(await serve('listStreams')).toEqual({
      HasMoreStreams: false,
      StreamNames: [],
      StreamSummaries: [],
    });
  });

  it('lists nothing when no allowed stream exists', async () => {
    kinesisMock.on(ListStreamsCommand).resolves({
      HasMoreStreams: false,
      StreamNames: [HIDDEN_STREAM],
      StreamSummaries: [summaryOf(HIDDEN_STREAM, HIDDEN_STREAM_ARN)],
    });

    expect(await serve('listStreams')).toEqual({
      HasMoreStreams: false,
      StreamNames: [],
      StreamSummaries: [],
    });
  });

  it.each([
    ['gives no cursor', [{ HasMoreStreams: true, StreamNames: [] }]],
    [
      'repeats the same NextToken',
      [
        { HasMoreStreams: true, NextToken: 'again', StreamNames: [AUDIT_STREAM] },
        { HasMoreStreams: true, NextToken: 'again', StreamNames: [AUDIT_STREAM] },
      ],
    ],
    [
      'its tokens go round in a circle',
      [
        { HasMoreStreams: true, NextToken: 'a', StreamNames: [AUDIT_STREAM] },
        { HasMoreStreams: true, NextToken: 'b', StreamNames: [HIDDEN_STREAM] },
        { HasMoreStreams: true, NextToken: 'a', StreamNames: [TEST_STREAM] },
      ],
    ],
  ])(
    'fails with StreamServiceError instead of looping when Kinesis says there is more but %s',
    async (_label, pages) => {
      let mock = kinesisMock.on(ListStreamsCommand);
      for (const page of pages) mock = mock.resolvesOnce(page);

      await expect(serve('listStreams')).rejects.toBeInstanceOf(StreamServiceError);
      expect(kinesisMock).toHaveReceivedCommandTimes(ListStreamsCommand, pages.length);
    },
  );
});

describe('streams core: GET /streams/{name}', () => {
  it('describes the stream with shards, encryption, mode and epoch-second timestamps', async () => {
    const response = await serve('describeStream');

    expect(kinesisMock).toHaveReceivedCommandTimes(DescribeStreamCommand, 1);
    expect(kinesisMock).toHaveReceivedCommandWith(DescribeStreamCommand, { StreamName: TEST_STREAM });
    expect(kinesisMock.commandCalls(DescribeStreamCommand)[0]?.args[0].input).toEqual({
      StreamName: TEST_STREAM,
    });
    expect(response).toEqual({
      StreamDescription: {
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
        StreamCreationTimestamp: CREATED_EPOCH_SECONDS,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: 'KMS',
        KeyId: 'alias/streamdrop-test',
      },
    });
    expect(DescribeStreamResponseSchema.parse(response)).toEqual(response);
  });

  it('answers 404 when Kinesis does not know the stream', async () => {
    kinesisMock.on(DescribeStreamCommand).rejects(
      new ResourceNotFoundException({
        $metadata: {},
        message: `Stream ${TEST_STREAM} under account 1 not found.`,
      }),
    );

    const rejection = serve('describeStream');

    await expect(rejection).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(rejection).rejects.toMatchObject({
      statusCode: 404,
      message: `Stream ${TEST_STREAM} not found`,
    });
  });

  it('treats an answer without StreamDescription as a failed stream service', async () => {
    kinesisMock.on(DescribeStreamCommand).resolves({});

    await expect(serve('describeStream')).rejects.toMatchObject({
      name: 'StreamServiceError',
      statusCode: 502,
    });
  });
});

describe('streams core: PUT /streams/{name}/record', () => {
  it('puts the UTF-8 bytes of Data under the partition key and answers like Kinesis', async () => {
    const response = await serve('putRecord', { body: PUT_RECORD_BODY });

    expect(kinesisMock.commandCalls(PutRecordCommand)[0]?.args[0].input).toEqual({
      StreamName: TEST_STREAM,
      Data: utf8('some data'),
      PartitionKey: 'some key',
    });
    expect(response).toEqual({
      SequenceNumber: '49656834564012278931364286385829542862185914136637276162',
      ShardId: 'shardId-000000000000',
      EncryptionType: 'KMS',
    });
    expect(PutRecordResponseSchema.parse(response)).toEqual(response);
  });

  it('passes ExplicitHashKey on and encodes non-ASCII data as UTF-8', async () => {
    await serve('putRecord', {
      body: {
        Data: 'grüße 🚀',
        PartitionKey: 'clé',
        ExplicitHashKey: '340282366920938463463374607431768211455',
      },
    });

    const input = kinesisMock.commandCalls(PutRecordCommand)[0]?.args[0].input;
    expect(input).toEqual({
      StreamName: TEST_STREAM,
      Data: utf8('grüße 🚀'),
      PartitionKey: 'clé',
      ExplicitHashKey: '340282366920938463463374607431768211455',
    });
    expect(Buffer.from(input?.Data ?? new Uint8Array()).toString('hex')).toBe(
      Buffer.from('grüße 🚀', 'utf8').toString('hex'),
    );
  });

  it('logs who put a record where, but never the data or the partition key', async () => {
    const deps = makeDeps();

    await serve('putRecord', { body: { Data: 'secret payload', PartitionKey: 'customer-42' } }, deps);

    expect(deps.logger.info).toHaveBeenCalledWith(
      'record put',
      expect.objectContaining({ streamName: TEST_STREAM, callerSub: TEST_USER_SUB }),
    );
    expect(loggedText(deps.logger)).not.toContain('secret payload');
    expect(loggedText(deps.logger)).not.toContain('customer-42');
  });
});

describe('streams core: PUT /streams/{name}/records', () => {
  it('puts all records in one call, in order, and answers like Kinesis', async () => {
    const response = await serve('putRecords', { body: PUT_RECORDS_BODY });

    expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordsCommand, 1);
    expect(kinesisMock.commandCalls(PutRecordsCommand)[0]?.args[0].input).toEqual({
      StreamName: TEST_STREAM,
      Records: [
        { Data: utf8('some data'), PartitionKey: 'some key' },
        { Data: utf8('more data'), PartitionKey: 'another key' },
      ],
    });
    expect(response).toEqual({
      FailedRecordCount: 0,
      Records: [
        {
          SequenceNumber: '49656834564034579676562817009971078580458562498143256590',
          ShardId: 'shardId-000000000001',
        },
        {
          SequenceNumber: '49656834564034579676562817009971078580458562498143256591',
          ShardId: 'shardId-000000000001',
        },
      ],
      EncryptionType: 'KMS',
    });
    expect(PutRecordsResponseSchema.parse(response)).toEqual(response);
  });

  it('passes explicit-hash-key on as ExplicitHashKey', async () => {
    await serve('putRecords', {
      body: { records: [{ data: 'd', 'partition-key': 'k', 'explicit-hash-key': '0' }] },
    });

    expect(kinesisMock.commandCalls(PutRecordsCommand)[0]?.args[0].input.Records).toEqual([
      { Data: utf8('d'), PartitionKey: 'k', ExplicitHashKey: '0' },
    ]);
  });

  it('passes per-record failures through in order instead of failing the request', async () => {
    const deps = makeDeps();
    kinesisMock.on(PutRecordsCommand).resolves({
      FailedRecordCount: 1,
      Records: [
        {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded for shard shardId-000000000001 in stream streamdrop-test-uploads.',
        },
        {
          SequenceNumber: '49656834564034579676562817009971078580458562498143256591',
          ShardId: 'shardId-000000000001',
        },
      ],
    });

    const response = await serve('putRecords', { body: PUT_RECORDS_BODY }, deps);

    expect(response).toEqual({
      FailedRecordCount: 1,
      Records: [
        {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded for shard shardId-000000000001 in stream streamdrop-test-uploads.',
        },
        {
          SequenceNumber: '49656834564034579676562817009971078580458562498143256591',
          ShardId: 'shardId-000000000001',
        },
      ],
    });
    expect(deps.logger.info).toHaveBeenCalledWith(
      'records put',
      expect.objectContaining({ records: 2, failed: 1 }),
    );
  });

  it('treats an answer with a different number of results as a failed stream service', async () => {
    kinesisMock
      .on(PutRecordsCommand)
      .resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1', ShardId: 's' }] });

    await expect(serve('putRecords', { body: PUT_RECORDS_BODY })).rejects.toMatchObject({
      name: 'StreamServiceError',
      statusCode: 502,
    });
  });
});

describe('streams core: the allow-list', () => {
  it.each([
    ['describeStream', undefined],
    ['putRecord', PUT_RECORD_BODY],
    ['putRecords', PUT_RECORDS_BODY],
  ] as const)(
    'answers %s for a stream outside ALLOWED_STREAMS with 404 and never calls Kinesis',
    async (route, body) => {
      const rejection = serve(route, { name: HIDDEN_STREAM, body });

      await expect(rejection).rejects.toBeInstanceOf(StreamNotFoundError);
      await expect(rejection).rejects.toThrow(`Stream ${HIDDEN_STREAM} not found`);
      expectKinesisNeverCalled();
    },
  );

  it('refuses a stream outside the allow-list before reading the body', async () => {
    await expect(serve('putRecord', { name: HIDDEN_STREAM, body: '{not json' })).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it.each([
    ['an ARN', TEST_STREAM_ARN],
    ['a slash', 'a/b'],
    ['129 characters', 'x'.repeat(129)],
    ['nothing', ''],
  ])('answers a name that is %s with 400 naming the parameter', async (_label, name) => {
    const rejection = serve('describeStream', { name });

    await expect(rejection).rejects.toMatchObject({ name: 'BadRequestError', statusCode: 400 });
    await expect(rejection).rejects.toThrow(/^name: must be 1 to 128 characters/);
    expectKinesisNeverCalled();
  });

  it('keeps the SDK message of a Kinesis failure out of the error it throws', async () => {
    kinesisMock.on(DescribeStreamCommand).rejects(
      new KinesisServiceException({
        name: 'InternalFailureException',
        $fault: 'server',
        $metadata: {},
        message: 'arn:aws:kms:us-east-1:123456789012:key/abc is broken',
      }),
    );

    const rejection = serve('describeStream');

    await expect(rejection).rejects.toMatchObject({
      name: 'StreamServiceError',
      message: 'Kinesis DescribeStream failed',
    });
  });
});
