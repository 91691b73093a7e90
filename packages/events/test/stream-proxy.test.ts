import {
  DescribeStreamResponseSchema,
  ListStreamsResponseSchema,
  MAX_PUT_RECORDS_BYTES,
  MAX_RECORD_BYTES,
  PartitionKeySchema,
  PutRecordsResponseSchema,
  parsePutRecordRequest,
  parsePutRecordsRequest,
  STREAM_PROXY_ROUTES,
  StreamNameSchema,
  ValidationError,
} from '../src';

const MiB = 1_048_576;
const records = (count: number, data = 'd') =>
  Array.from({ length: count }, (_, i) => ({ data, 'partition-key': `key-${i}` }));

describe('stream proxy routes', () => {
  it('names the four routes as API Gateway writes route keys', () => {
    expect(Object.values(STREAM_PROXY_ROUTES)).toEqual([
      'GET /streams',
      'GET /streams/{name}',
      'PUT /streams/{name}/record',
      'PUT /streams/{name}/records',
    ]);
  });
});

describe('stream name', () => {
  it.each(['uploads', 'streamdrop-dev.uploads_v2', 'x'.repeat(128)])('accepts %s', (name) => {
    expect(StreamNameSchema.parse(name)).toBe(name);
  });

  it.each([
    ['empty', ''],
    ['129 characters', 'x'.repeat(129)],
    ['an ARN', 'arn:aws:kinesis:us-east-1:123456789012:stream/uploads'],
    ['a slash', 'a/b'],
    ['a space', 'a b'],
  ])('refuses a name that is %s', (_label, name) => {
    expect(StreamNameSchema.safeParse(name).success).toBe(false);
  });
});

describe('partition key', () => {
  const problem = (key: string) => {
    const result = PartitionKeySchema.safeParse(key);
    return result.success ? undefined : result.error.issues[0]?.message;
  };

  it('counts as Kinesis does: UTF-16 code units, not code points or bytes', () => {
    expect(problem('é'.repeat(256))).toBeUndefined(); // 512 bytes of UTF-8, 256 units
    expect(problem('日'.repeat(256))).toBeUndefined(); // 768 bytes
    expect(problem('🚀'.repeat(128))).toBeUndefined(); // 128 code points, 256 units
    expect(problem(`${'k'.repeat(255)}é`)).toBeUndefined();
  });

  it('refuses 256 astral-plane characters (512 units), which Kinesis refuses, saying how it counts', () => {
    expect(problem('🚀'.repeat(256))).toBe(
      'must be 1 to 256 Unicode characters (got 512; Kinesis counts UTF-16 code units, so each character outside the Basic Multilingual Plane, such as an emoji, counts as two)',
    );
    expect(problem('🚀'.repeat(129))).toMatch(/^must be 1 to 256 Unicode characters \(got 258; /);
    expect(problem(`${'k'.repeat(255)}🚀`)).toMatch(/\(got 257; /);
  });

  it('keeps the short message for keys without astral characters', () => {
    expect(problem('k'.repeat(257))).toBe('must be 1 to 256 Unicode characters (got 257)');
    expect(problem('')).toBe('must be 1 to 256 Unicode characters (got 0)');
  });

  it('refuses a lone surrogate, which would reach Kinesis as U+FFFD', () => {
    expect(problem('key\ud800')).toMatch(/^must be well-formed Unicode/);
    expect(problem('\udc00')).toMatch(/^must be well-formed Unicode/);
  });
});

describe('record data', () => {
  it('refuses Data or data with a lone surrogate, naming the field, instead of storing U+FFFD', () => {
    expect(() => parsePutRecordRequest({ Data: 'caf\ud800', PartitionKey: 'k' })).toThrow(
      /^Data: must be well-formed Unicode/,
    );
    expect(() => parsePutRecordsRequest({ records: [{ data: '\udfff', 'partition-key': 'k' }] })).toThrow(
      /^records\.0\.data: must be well-formed Unicode/,
    );
  });
});

describe('PutRecord request', () => {
  it('accepts Data, PartitionKey and an optional ExplicitHashKey', () => {
    expect(parsePutRecordRequest({ Data: 'some data', PartitionKey: 'some key' })).toEqual({
      Data: 'some data',
      PartitionKey: 'some key',
    });
    expect(
      parsePutRecordRequest({
        Data: '',
        PartitionKey: 'k',
        ExplicitHashKey: '340282366920938463463374607431768211455',
      }),
    ).toEqual({ Data: '', PartitionKey: 'k', ExplicitHashKey: '340282366920938463463374607431768211455' });
  });

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
    ['no partition key', { Data: 'x' }, 'PartitionKey: must be a string'],
    ['Data that is not a string', { Data: [1, 2], PartitionKey: 'k' }, 'Data: must be a string'],
    ['an unknown field', { Data: 'x', PartitionKey: 'k', StreamName: 's' }, 'unknown field "StreamName"'],
    [
      'an ExplicitHashKey of 2^128',
      { Data: 'x', PartitionKey: 'k', ExplicitHashKey: '340282366920938463463374607431768211456' },
      'ExplicitHashKey: must be a decimal integer from 0 to 2^128 - 1',
    ],
    [
      'an ExplicitHashKey with a leading zero',
      { Data: 'x', PartitionKey: 'k', ExplicitHashKey: '01' },
      'ExplicitHashKey: must be a decimal integer from 0 to 2^128 - 1',
    ],
    [
      'an ExplicitHashKey that is a number',
      { Data: 'x', PartitionKey: 'k', ExplicitHashKey: 1 },
      'ExplicitHashKey: must be a string',
    ],
  ])('refuses %s, naming the field', (_label, body, message) => {
    expect(() => parsePutRecordRequest(body)).toThrow(ValidationError);
    expect(() => parsePutRecordRequest(body)).toThrow(message);
  });

  it('takes a record of exactly 1 MiB of data plus partition key and refuses one byte more', () => {
    expect(() =>
      parsePutRecordRequest({ Data: 'x'.repeat(MAX_RECORD_BYTES - 1), PartitionKey: 'k' }),
    ).not.toThrow();
    expect(() => parsePutRecordRequest({ Data: 'x'.repeat(MAX_RECORD_BYTES), PartitionKey: 'k' })).toThrow(
      'Data: the record is 1048577 bytes of data plus partition key (UTF-8); a Kinesis record holds at most 1 MiB (1048576 bytes)',
    );
  });

  it('measures the record in UTF-8 bytes, not characters', () => {
    const data = 'é'.repeat(MiB / 2); // 1 MiB of UTF-8 in half as many characters

    expect(() => parsePutRecordRequest({ Data: data, PartitionKey: 'k' })).toThrow(/1048577 bytes/);
  });
});

describe('PutRecords request', () => {
  it('accepts 1 to 500 records with data, partition-key and an optional explicit-hash-key', () => {
    expect(parsePutRecordsRequest({ records: [{ data: 'some data', 'partition-key': 'some key' }] })).toEqual(
      {
        records: [{ data: 'some data', 'partition-key': 'some key' }],
      },
    );
    expect(parsePutRecordsRequest({ records: records(500) }).records).toHaveLength(500);
    expect(
      parsePutRecordsRequest({ records: [{ data: 'd', 'partition-key': 'k', 'explicit-hash-key': '0' }] })
        .records[0],
    ).toEqual({ data: 'd', 'partition-key': 'k', 'explicit-hash-key': '0' });
  });

  it.each([
    ['0 records', { records: [] }, 'records: must hold 1 to 500 records (got 0)'],
    ['501 records', { records: records(501) }, 'records: must hold 1 to 500 records (got 501)'],
    ['no records', {}, 'records: must hold 1 to 500 records (an array)'],
    [
      'records that are an object',
      { records: { data: 'x' } },
      'records: must hold 1 to 500 records (an array)',
    ],
    [
      'a partition key of 0 characters',
      { records: [{ data: 'x', 'partition-key': '' }] },
      'records.0.partition-key: must be 1 to 256 Unicode characters (got 0)',
    ],
    [
      'a partition key of 257 characters',
      { records: [...records(1), { data: 'x', 'partition-key': 'k'.repeat(257) }] },
      'records.1.partition-key: must be 1 to 256 Unicode characters (got 257)',
    ],
    [
      'a record with the PutRecord field names',
      { records: [{ Data: 'x', PartitionKey: 'k' }] },
      'unknown fields "Data", "PartitionKey"',
    ],
    ['an unknown top-level field', { records: records(1), StreamName: 's' }, 'unknown field "StreamName"'],
  ])('refuses %s, naming the field and the limit', (_label, body, message) => {
    expect(() => parsePutRecordsRequest(body)).toThrow(ValidationError);
    expect(() => parsePutRecordsRequest(body)).toThrow(message);
  });

  it('refuses a record over 1 MiB, naming which one', () => {
    const body = { records: [...records(2), { data: 'x'.repeat(MAX_RECORD_BYTES), 'partition-key': 'k' }] };

    expect(() => parsePutRecordsRequest(body)).toThrow(
      /^records\.2\.data: the record is 1048577 bytes .* at most 1 MiB \(1048576 bytes\)$/,
    );
  });

  it('takes exactly 5 MiB in total and refuses more, naming the limit', () => {
    const key = 'k'.repeat(16);
    const full = { data: 'x'.repeat(MiB - key.length), 'partition-key': key };

    expect(parsePutRecordsRequest({ records: Array(5).fill(full) }).records).toHaveLength(5);
    expect(() =>
      parsePutRecordsRequest({ records: [...Array(5).fill(full), { data: '', 'partition-key': 'k' }] }),
    ).toThrow(
      `records: the records are ${MAX_PUT_RECORDS_BYTES + 1} bytes of data plus partition keys (UTF-8); one PutRecords request takes at most 5 MiB (5242880 bytes)`,
    );
  });
});

describe('stream proxy responses', () => {
  const description = {
    StreamName: 'uploads',
    StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/uploads',
    StreamStatus: 'ACTIVE',
    Shards: [
      {
        ShardId: 'shardId-000000000000',
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' },
        SequenceNumberRange: { StartingSequenceNumber: '4965' },
      },
    ],
    HasMoreShards: false,
    RetentionPeriodHours: 24,
    StreamCreationTimestamp: 1793521800.25,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
  };

  it('describes a stream as Kinesis does, keeping fields Kinesis may add later', () => {
    const body = { StreamDescription: { ...description, MaxRecordSizeInKiB: 1024 } };

    expect(DescribeStreamResponseSchema.parse(body)).toEqual(body);
  });

  it('refuses a timestamp written as an ISO string: the wire format is epoch seconds', () => {
    const body = {
      StreamDescription: { ...description, StreamCreationTimestamp: '2026-11-01T08:30:00.250Z' },
    };

    expect(DescribeStreamResponseSchema.safeParse(body).success).toBe(false);
  });

  it('lists streams completely: HasMoreStreams is always false', () => {
    expect(
      ListStreamsResponseSchema.safeParse({ HasMoreStreams: true, StreamNames: [], StreamSummaries: [] })
        .success,
    ).toBe(false);
    expect(
      ListStreamsResponseSchema.safeParse({ HasMoreStreams: false, StreamNames: [], StreamSummaries: [] })
        .success,
    ).toBe(true);
  });

  it('reports each PutRecords result as a placement or a failure, never a mix', () => {
    const ok = { SequenceNumber: '1', ShardId: 'shardId-000000000000' };
    const failed = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' };

    expect(PutRecordsResponseSchema.parse({ FailedRecordCount: 1, Records: [ok, failed] }).Records).toEqual([
      ok,
      failed,
    ]);
    expect(
      PutRecordsResponseSchema.safeParse({ FailedRecordCount: 1, Records: [{ ...ok, ...failed }] }).success,
    ).toBe(false);
  });
});
