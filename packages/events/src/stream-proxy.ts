import { ValidationError } from './errors';
import * as z from './zod';

export { STREAM_PROXY_ROUTES, type StreamProxyRoute } from '@streamdrop/config';

// Kinesis limits, checked before Kinesis is called so that the caller hears which one it broke.
// A record is its data plus its partition key (UTF-8 bytes): 1 MiB, the default per stream.
// A partition key is at most 256 "characters" as Kinesis counts them: UTF-16 code units (the
// length of a Java or JavaScript string, what kinesalite's validations check too), so a
// character outside the Basic Multilingual Plane, such as an emoji, counts as two.
export const MAX_PARTITION_KEY_CHARS = 256;
export const MAX_RECORD_BYTES = 1_048_576;
export const MAX_PUT_RECORDS_COUNT = 500;
export const MAX_PUT_RECORDS_BYTES = 5 * 1_048_576;
const MAX_HASH_KEY = 2n ** 128n - 1n;

/** A Kinesis stream name (not an ARN), as the `name` path parameter carries it. */
export const StreamNameSchema = z
  .string({ error: 'must be a string' })
  .check(
    z.regex(/^[a-zA-Z0-9_.-]{1,128}$/, 'must be 1 to 128 characters from a-z, A-Z, 0-9, "_", "." and "-"'),
  );

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

const WELL_FORMED =
  'must be well-formed Unicode: it holds a lone surrogate (such as \\ud800), which UTF-8 cannot store';

/** A string that goes to Kinesis as UTF-8: a lone surrogate would silently become U+FFFD. */
const Utf8TextSchema = z
  .string({ error: 'must be a string' })
  .check(z.refine((text) => text.isWellFormed(), WELL_FORMED));

export const PartitionKeySchema = z.string({ error: 'must be a string' }).check(
  z.superRefine((key, ctx) => {
    if (!key.isWellFormed()) {
      ctx.addIssue({ code: 'custom', message: WELL_FORMED });
      return;
    }
    const units = key.length;
    if (units < 1 || units > MAX_PARTITION_KEY_CHARS) {
      const astral = [...key].length !== units;
      ctx.addIssue({
        code: 'custom',
        message: `must be 1 to ${MAX_PARTITION_KEY_CHARS} Unicode characters (got ${units}${
          astral
            ? '; Kinesis counts UTF-16 code units, so each character outside the Basic Multilingual Plane, such as an emoji, counts as two'
            : ''
        })`,
      });
    }
  }),
);

export const ExplicitHashKeySchema = z
  .string({ error: 'must be a string' })
  .check(
    z.refine(
      (key) => /^(0|[1-9]\d{0,38})$/.test(key) && BigInt(key) <= MAX_HASH_KEY,
      'must be a decimal integer from 0 to 2^128 - 1',
    ),
  );

function recordSizeProblem(data: string, partitionKey: string): string | undefined {
  const bytes = utf8Bytes(data) + utf8Bytes(partitionKey);
  if (bytes <= MAX_RECORD_BYTES) return undefined;
  return `the record is ${bytes} bytes of data plus partition key (UTF-8); a Kinesis record holds at most 1 MiB (${MAX_RECORD_BYTES} bytes)`;
}

/** Body of `PUT /streams/{name}/record`; `Data` goes to Kinesis as its UTF-8 bytes. */
export const PutRecordRequestSchema = z
  .strictObject({
    Data: Utf8TextSchema,
    PartitionKey: PartitionKeySchema,
    ExplicitHashKey: z.optional(ExplicitHashKeySchema),
  })
  .check(
    z.superRefine((body, ctx) => {
      const problem = recordSizeProblem(body.Data, body.PartitionKey);
      if (problem) ctx.addIssue({ code: 'custom', path: ['Data'], message: problem });
    }),
  );
export type PutRecordRequest = z.infer<typeof PutRecordRequestSchema>;

export const PutRecordsRequestEntrySchema = z
  .strictObject({
    data: Utf8TextSchema,
    'partition-key': PartitionKeySchema,
    'explicit-hash-key': z.optional(ExplicitHashKeySchema),
  })
  .check(
    z.superRefine((entry, ctx) => {
      const problem = recordSizeProblem(entry.data, entry['partition-key']);
      if (problem) ctx.addIssue({ code: 'custom', path: ['data'], message: problem });
    }),
  );
export type PutRecordsRequestEntry = z.infer<typeof PutRecordsRequestEntrySchema>;

const RECORD_COUNT = `must hold 1 to ${MAX_PUT_RECORDS_COUNT} records`;

/** Body of `PUT /streams/{name}/records`; records keep their order in Kinesis's answer. */
export const PutRecordsRequestSchema = z.strictObject({
  records: z.array(PutRecordsRequestEntrySchema, { error: `${RECORD_COUNT} (an array)` }).check(
    z.minLength(1, { error: (issue) => `${RECORD_COUNT} (got ${countOf(issue.input)})` }),
    z.maxLength(MAX_PUT_RECORDS_COUNT, { error: (issue) => `${RECORD_COUNT} (got ${countOf(issue.input)})` }),
    z.superRefine((records, ctx) => {
      const bytes = records.reduce((sum, r) => sum + utf8Bytes(r.data) + utf8Bytes(r['partition-key']), 0);
      if (bytes > MAX_PUT_RECORDS_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message: `the records are ${bytes} bytes of data plus partition keys (UTF-8); one PutRecords request takes at most 5 MiB (${MAX_PUT_RECORDS_BYTES} bytes)`,
        });
      }
    }),
  ),
});
export type PutRecordsRequest = z.infer<typeof PutRecordsRequestSchema>;

function countOf(input: unknown): number | string {
  return Array.isArray(input) ? input.length : 'not an array';
}

function parseWith<T>(schema: z.ZodMiniType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}

/** Validates an already-parsed JSON value as a PutRecord body, or throws ValidationError. */
export function parsePutRecordRequest(value: unknown): PutRecordRequest {
  return parseWith(PutRecordRequestSchema, value);
}

/** Validates an already-parsed JSON value as a PutRecords body, or throws ValidationError. */
export function parsePutRecordsRequest(value: unknown): PutRecordsRequest {
  return parseWith(PutRecordsRequestSchema, value);
}

// Answers mirror Kinesis's own JSON: the same field names, timestamps as epoch seconds (a
// number with a fraction), enums as strings. Kinesis objects are loose so that a field Kinesis
// adds later passes through instead of breaking the proxy.

/** A Kinesis timestamp on the wire: seconds since the epoch, with milliseconds as the fraction. */
// zod 4 numbers refuse Infinity and NaN: a finite number is all there is to check.
export const EpochSecondsSchema = z.number();

const StreamModeDetailsSchema = z.looseObject({ StreamMode: z.string() });

export const StreamSummarySchema = z.looseObject({
  StreamARN: z.string(),
  StreamName: z.string(),
  StreamStatus: z.string(),
  StreamModeDetails: z.optional(StreamModeDetailsSchema),
  StreamCreationTimestamp: z.optional(EpochSecondsSchema),
});
export type StreamSummary = z.infer<typeof StreamSummarySchema>;

/** 200 body of `GET /streams`: only the allowed streams, always complete (pages are followed). */
export const ListStreamsResponseSchema = z.strictObject({
  HasMoreStreams: z.literal(false),
  StreamNames: z.array(z.string()),
  StreamSummaries: z.array(StreamSummarySchema),
});
export type ListStreamsResponse = z.infer<typeof ListStreamsResponseSchema>;

export const ShardSchema = z.looseObject({
  ShardId: z.string(),
  ParentShardId: z.optional(z.string()),
  AdjacentParentShardId: z.optional(z.string()),
  HashKeyRange: z.looseObject({ StartingHashKey: z.string(), EndingHashKey: z.string() }),
  SequenceNumberRange: z.looseObject({
    StartingSequenceNumber: z.string(),
    EndingSequenceNumber: z.optional(z.string()),
  }),
});

export const StreamDescriptionSchema = z.looseObject({
  StreamName: z.string(),
  StreamARN: z.string(),
  StreamStatus: z.string(),
  StreamModeDetails: z.optional(StreamModeDetailsSchema),
  Shards: z.array(ShardSchema),
  HasMoreShards: z.boolean(),
  RetentionPeriodHours: z.int(),
  StreamCreationTimestamp: EpochSecondsSchema,
  EnhancedMonitoring: z.array(z.looseObject({ ShardLevelMetrics: z.optional(z.array(z.string())) })),
  EncryptionType: z.optional(z.string()),
  KeyId: z.optional(z.string()),
});

/** 200 body of `GET /streams/{name}`: DescribeStream's answer (its first page of shards). */
export const DescribeStreamResponseSchema = z.strictObject({ StreamDescription: StreamDescriptionSchema });
export type DescribeStreamResponse = z.infer<typeof DescribeStreamResponseSchema>;

/** 200 body of `PUT /streams/{name}/record`. */
export const PutRecordResponseSchema = z.strictObject({
  SequenceNumber: z.string(),
  ShardId: z.string(),
  EncryptionType: z.optional(z.string()),
});
export type PutRecordResponse = z.infer<typeof PutRecordResponseSchema>;

/** One entry of a PutRecords answer: where the record went, or why Kinesis refused it. */
export const PutRecordsResultEntrySchema = z.union([
  z.strictObject({ SequenceNumber: z.string(), ShardId: z.string() }),
  z.strictObject({ ErrorCode: z.string(), ErrorMessage: z.optional(z.string()) }),
]);
export type PutRecordsResultEntry = z.infer<typeof PutRecordsResultEntrySchema>;

/**
 * 200 body of `PUT /streams/{name}/records`: one entry per record, in request order. Refused
 * records are reported here (FailedRecordCount > 0), not as an error status: the others are stored.
 */
export const PutRecordsResponseSchema = z.strictObject({
  FailedRecordCount: z.int().check(z.nonnegative()),
  Records: z.array(PutRecordsResultEntrySchema),
  EncryptionType: z.optional(z.string()),
});
export type PutRecordsResponse = z.infer<typeof PutRecordsResponseSchema>;

export type StreamProxyResponse =
  | ListStreamsResponse
  | DescribeStreamResponse
  | PutRecordResponse
  | PutRecordsResponse;
