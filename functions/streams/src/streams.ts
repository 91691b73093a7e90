import type { Logger } from '@aws-lambda-powertools/logger';
import {
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListStreamsCommand,
  type ListStreamsInput,
  PutRecordCommand,
  PutRecordsCommand,
  type StreamSummary as SdkStreamSummary,
} from '@aws-sdk/client-kinesis';
import {
  type DescribeStreamResponse,
  DescribeStreamResponseSchema,
  type ListStreamsResponse,
  ListStreamsResponseSchema,
  type PutRecordRequest,
  type PutRecordResponse,
  PutRecordResponseSchema,
  type PutRecordsRequest,
  type PutRecordsResponse,
  PutRecordsResponseSchema,
} from '@streamdrop/events';
import type { Config } from './config';
import {
  RecordsRefusedError,
  StreamNotFoundError,
  StreamServiceError,
  type StreamsError,
  ThrottledError,
} from './errors';
import { toWire } from './wire';

export interface StreamsDeps {
  kinesis: Pick<KinesisClient, 'send'>;
  config: Pick<Config, 'adminGroup' | 'allowedStreams'>;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

// Errors that mean "too much, too fast": the SDK has already retried them with backoff.
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'KMSThrottlingException',
]);

// Kinesis's answers to a request it will not take as written. Only PutRecord(s) carry what the
// caller wrote; for the other operations the request is ours, and such an answer is our fault.
const INVALID_REQUEST = new Set(['ValidationException', 'InvalidArgumentException']);
const CALLER_DATA_OPERATIONS = new Set(['PutRecord', 'PutRecords']);

/** The StreamsError an error from `kinesis.send` stands for. SDK messages stay in `cause`. */
export function kinesisFailure(error: unknown, operation: string, streamName?: string): StreamsError {
  const name = error instanceof Error ? error.name : undefined;
  if (name === 'ResourceNotFoundException' && streamName !== undefined) {
    return new StreamNotFoundError(streamName, { cause: error });
  }
  if (name !== undefined && INVALID_REQUEST.has(name) && CALLER_DATA_OPERATIONS.has(operation)) {
    return new RecordsRefusedError({ cause: error });
  }
  if (name !== undefined && THROTTLING.has(name)) {
    return new ThrottledError(`Kinesis is busy (${operation} was throttled); retry later`, { cause: error });
  }
  return new StreamServiceError(`Kinesis ${operation} failed`, { cause: error });
}

async function call<T>(
  operation: string,
  streamName: string | undefined,
  send: () => Promise<T>,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw kinesisFailure(error, operation, streamName);
  }
}

/** What this module needs of a zod schema from @streamdrop/events. */
interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: Error };
}

/** Kinesis's answer in our contract's shape, or a StreamServiceError if it does not fit. */
function answer<T>(schema: Schema<T>, value: unknown, operation: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new StreamServiceError(`Kinesis ${operation} answered in an unexpected shape`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** The stream, if the proxy may touch it; otherwise the same 404 as a stream that does not exist. */
export function assertAllowed(streamName: string, config: Pick<Config, 'allowedStreams'>): void {
  if (!config.allowedStreams.has(streamName)) throw new StreamNotFoundError(streamName);
}

type ListCursor = Pick<ListStreamsInput, 'NextToken' | 'ExclusiveStartStreamName'>;

/**
 * `GET /streams`: every page of ListStreams, keeping only the allowed streams. Kinesis without
 * StreamSummaries (kinesalite and other older emulators) gets them from DescribeStreamSummary.
 */
export async function listStreams(deps: StreamsDeps): Promise<ListStreamsResponse> {
  const allowed = deps.config.allowedStreams;
  const listed: string[] = [];
  const summaries = new Map<string, SdkStreamSummary>();
  // Cursors already followed: one that comes round again would loop until the function times out.
  const followed = new Set<string>();
  let cursor: ListCursor = {};
  for (;;) {
    const page = await call('ListStreams', undefined, () =>
      deps.kinesis.send(new ListStreamsCommand(cursor)),
    );
    for (const summary of page.StreamSummaries ?? []) {
      if (summary.StreamName !== undefined) summaries.set(summary.StreamName, summary);
    }
    const names = page.StreamNames ?? page.StreamSummaries?.flatMap((s) => s.StreamName ?? []) ?? [];
    listed.push(...names);
    if (!page.HasMoreStreams) break;
    const last = names.at(-1);
    const next: ListCursor | undefined = page.NextToken
      ? { NextToken: page.NextToken }
      : last !== undefined
        ? { ExclusiveStartStreamName: last }
        : undefined;
    if (next === undefined || followed.has(JSON.stringify(next))) {
      throw new StreamServiceError('Kinesis ListStreams reported more streams but no way to reach them');
    }
    followed.add(JSON.stringify(next));
    cursor = next;
  }

  const names = [...new Set(listed.filter((name) => allowed.has(name)))];
  const found = await Promise.all(
    names.map(async (name) => summaries.get(name) ?? (await describeSummary(name, deps))),
  );
  const present = found.filter((summary) => summary !== undefined);
  return answer(
    ListStreamsResponseSchema,
    {
      HasMoreStreams: false,
      StreamNames: present.map((summary) => summary.StreamName),
      StreamSummaries: present.map(toWire),
    },
    'ListStreams',
  );
}

/** A StreamSummary built from DescribeStreamSummary, or undefined if the stream is gone by now. */
async function describeSummary(name: string, deps: StreamsDeps): Promise<SdkStreamSummary | undefined> {
  try {
    const { StreamDescriptionSummary: d } = await call('DescribeStreamSummary', name, () =>
      deps.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })),
    );
    if (d === undefined) {
      throw new StreamServiceError('Kinesis DescribeStreamSummary answered without StreamDescriptionSummary');
    }
    return {
      StreamARN: d.StreamARN,
      StreamName: d.StreamName,
      StreamStatus: d.StreamStatus,
      StreamModeDetails: d.StreamModeDetails,
      StreamCreationTimestamp: d.StreamCreationTimestamp,
    };
  } catch (error) {
    // Deleted between ListStreams and now: the list is simply shorter.
    if (error instanceof StreamNotFoundError) return undefined;
    throw error;
  }
}

/** `GET /streams/{name}`: DescribeStream's answer, with its first page of shards. */
export async function describeStream(streamName: string, deps: StreamsDeps): Promise<DescribeStreamResponse> {
  assertAllowed(streamName, deps.config);
  const output = await call('DescribeStream', streamName, () =>
    deps.kinesis.send(new DescribeStreamCommand({ StreamName: streamName })),
  );
  return answer(
    DescribeStreamResponseSchema,
    { StreamDescription: toWire(output.StreamDescription) },
    'DescribeStream',
  );
}

const utf8 = new TextEncoder();

/** `PUT /streams/{name}/record`: one record, its data the UTF-8 bytes of `Data`. */
export async function putRecord(
  streamName: string,
  request: PutRecordRequest,
  deps: StreamsDeps,
): Promise<PutRecordResponse> {
  assertAllowed(streamName, deps.config);
  const output = await call('PutRecord', streamName, () =>
    deps.kinesis.send(
      new PutRecordCommand({
        StreamName: streamName,
        Data: utf8.encode(request.Data),
        PartitionKey: request.PartitionKey,
        ...(request.ExplicitHashKey !== undefined && { ExplicitHashKey: request.ExplicitHashKey }),
      }),
    ),
  );
  return answer(
    PutRecordResponseSchema,
    { SequenceNumber: output.SequenceNumber, ShardId: output.ShardId, EncryptionType: output.EncryptionType },
    'PutRecord',
  );
}

/**
 * `PUT /streams/{name}/records`: all records in one PutRecords call. Records Kinesis refuses are
 * reported in the answer, in request order; retrying them is the caller's choice.
 */
export async function putRecords(
  streamName: string,
  request: PutRecordsRequest,
  deps: StreamsDeps,
): Promise<PutRecordsResponse> {
  assertAllowed(streamName, deps.config);
  const output = await call('PutRecords', streamName, () =>
    deps.kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: request.records.map((record) => ({
          Data: utf8.encode(record.data),
          PartitionKey: record['partition-key'],
          ...(record['explicit-hash-key'] !== undefined && { ExplicitHashKey: record['explicit-hash-key'] }),
        })),
      }),
    ),
  );
  const results = output.Records ?? [];
  if (results.length !== request.records.length) {
    throw new StreamServiceError(
      `Kinesis PutRecords answered ${results.length} results for ${request.records.length} records`,
    );
  }
  const records = results.map((entry) =>
    entry.ErrorCode !== undefined
      ? { ErrorCode: entry.ErrorCode, ErrorMessage: entry.ErrorMessage }
      : { SequenceNumber: entry.SequenceNumber, ShardId: entry.ShardId },
  );
  return answer(
    PutRecordsResponseSchema,
    {
      FailedRecordCount: output.FailedRecordCount ?? records.filter((r) => 'ErrorCode' in r).length,
      Records: records,
      EncryptionType: output.EncryptionType,
    },
    'PutRecords',
  );
}
