import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { UserError } from '@streamdrop/cli-kit';
import {
  decodeUploadEvent,
  FailureRecordV1Schema,
  ON_FAILURE_PREFIX,
  PROCESSOR_FAILURES_PREFIX,
  parseKinesisInvocationPayload,
  parseKinesisOnFailureRecord,
  type UploadEvent,
  ValidationError,
} from '@streamdrop/events';

/** Where failed work lives and where it goes back to: the local stack's or a deployed stack's. */
export interface RecoveryTarget {
  s3: S3Client;
  kinesis: KinesisClient;
  failuresBucket: string;
  streamName: string;
}

/** One Kinesis record kept in a failure, as it was on the stream. */
export interface FailedRecord {
  partitionKey: string;
  /** The record's data, exactly as it was put on the stream. */
  data: Buffer;
  shardId?: string;
  sequenceNumber?: string;
  /** The upload event, when the data is one. */
  event?: UploadEvent;
  /** Why the data is not an upload event, when it is not. */
  problem?: string;
}

export interface Failure {
  /** The failure's object key in the failures bucket. */
  id: string;
  /** `processor`: a failure record the processor wrote; `on-failure`: the event source mapping's destination record. */
  source: 'processor' | 'on-failure';
  reason: string;
  failedAt?: string;
  records: FailedRecord[];
  /** The object as stored. */
  document: unknown;
}

export interface FailureSummary {
  id: string;
  lastModified?: Date;
}

export async function listFailureIds(
  target: Pick<RecoveryTarget, 's3' | 'failuresBucket'>,
): Promise<FailureSummary[]> {
  const out: FailureSummary[] = [];
  let token: string | undefined;
  do {
    const page = await target.s3.send(
      new ListObjectsV2Command({ Bucket: target.failuresBucket, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? [])
      if (object.Key) out.push({ id: object.Key, lastModified: object.LastModified });
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

function inspect(partitionKey: string, data: Buffer, extra: Partial<FailedRecord> = {}): FailedRecord {
  try {
    return { partitionKey, data, ...extra, event: decodeUploadEvent(data) };
  } catch (error) {
    const problem =
      error instanceof ValidationError ? `not an upload event: ${error.message}` : String(error);
    return { partitionKey, data, ...extra, problem };
  }
}

/** Reads the records of a sequence range back from the stream (an on-failure record without payload). */
async function recordsFromStream(
  target: Pick<RecoveryTarget, 'kinesis' | 'streamName'>,
  shardId: string,
  start: string,
  end: string,
): Promise<_Record[]> {
  const out: _Record[] = [];
  const iterator = await target.kinesis.send(
    new GetShardIteratorCommand({
      StreamName: target.streamName,
      ShardId: shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: start,
    }),
  );
  let next = iterator.ShardIterator;
  const last = BigInt(end);
  while (next) {
    const page = await target.kinesis.send(new GetRecordsCommand({ ShardIterator: next, Limit: 1000 }));
    for (const record of page.Records ?? []) {
      if (BigInt(record.SequenceNumber ?? '0') > last) return out;
      out.push(record);
    }
    if ((page.Records ?? []).length === 0 && !page.MillisBehindLatest) return out;
    next = page.NextShardIterator;
  }
  return out;
}

/** Reads and decodes one failure; throws UserError when the object is not a failure this tool knows. */
export async function readFailure(target: RecoveryTarget, id: string): Promise<Failure> {
  let text: string;
  try {
    const object = await target.s3.send(new GetObjectCommand({ Bucket: target.failuresBucket, Key: id }));
    text = (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey')
      throw new UserError(`No failure ${id} in ${target.failuresBucket}.`);
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new UserError(`${id} is not JSON: not a failure record.`);
  }
  if (id.startsWith(PROCESSOR_FAILURES_PREFIX)) {
    const parsed = FailureRecordV1Schema.safeParse(document);
    if (!parsed.success)
      throw new UserError(
        `${id} is not a processor failure record: ${ValidationError.fromZod(parsed.error).message}`,
      );
    const r = parsed.data.record;
    return {
      id,
      source: 'processor',
      reason: parsed.data.reason,
      failedAt: parsed.data.failedAt,
      records: [
        inspect(r.partitionKey, Buffer.from(r.data, 'base64'), {
          shardId: r.eventID.split(':')[0],
          sequenceNumber: r.sequenceNumber,
        }),
      ],
      document,
    };
  }
  if (id.startsWith(ON_FAILURE_PREFIX)) {
    let record: ReturnType<typeof parseKinesisOnFailureRecord>;
    try {
      record = parseKinesisOnFailureRecord(document);
    } catch (error) {
      throw new UserError(
        `${id} is not a Kinesis on-failure destination record: ${(error as Error).message}`,
      );
    }
    const info = record.KinesisBatchInfo;
    let records: FailedRecord[];
    if (record.payload !== undefined) {
      let payload: ReturnType<typeof parseKinesisInvocationPayload>;
      try {
        payload = parseKinesisInvocationPayload(record.payload);
      } catch (error) {
        throw new UserError(`${id}: its payload is not a Kinesis event: ${(error as Error).message}`);
      }
      records = payload.Records.map((r) =>
        inspect(r.kinesis.partitionKey, Buffer.from(r.kinesis.data, 'base64'), {
          shardId: info.shardId,
          sequenceNumber: r.kinesis.sequenceNumber,
        }),
      );
    } else {
      // Without the payload only the range is known: the records are read back from the stream
      // (possible while the stream still retains them).
      records = (
        await recordsFromStream(target, info.shardId, info.startSequenceNumber, info.endSequenceNumber)
      ).map((r) =>
        inspect(r.PartitionKey ?? '', Buffer.from(r.Data ?? new Uint8Array()), {
          shardId: info.shardId,
          sequenceNumber: r.SequenceNumber,
        }),
      );
      if (records.length === 0) {
        throw new UserError(
          `${id} has no payload and the stream no longer holds ${info.shardId} ${info.startSequenceNumber}..${info.endSequenceNumber}.`,
        );
      }
    }
    return {
      id,
      source: 'on-failure',
      reason: `${record.requestContext.condition} after ${record.requestContext.approximateInvokeCount} invocation(s)`,
      failedAt: record.timestamp,
      records,
      document,
    };
  }
  throw new UserError(
    `${id} is neither a processor failure record (${PROCESSOR_FAILURES_PREFIX}…) nor an on-failure destination record (${ON_FAILURE_PREFIX}…).`,
  );
}

/** The one failure an id names: its exact key, or a unique part of it (e.g. a sequence number). */
export function resolveFailureId(ids: readonly string[], wanted: string): string {
  if (ids.includes(wanted)) return wanted;
  const matches = ids.filter((id) => id.includes(wanted));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0)
    throw new UserError(`No failure matches "${wanted}". See \`pnpm streamdrop failures list\`.`);
  throw new UserError(
    `"${wanted}" matches ${matches.length} failures; give more of the id:\n  ${matches.slice(0, 10).join('\n  ')}`,
  );
}

/** A readable view of a failure for `failures show`: record data decoded when it is text. */
export function describeFailure(failure: Failure): Record<string, unknown> {
  return {
    id: failure.id,
    source: failure.source,
    reason: failure.reason,
    failedAt: failure.failedAt,
    records: failure.records.map((r) => {
      const text = r.data.toString('utf8');
      let data: unknown = r.data.toString('base64');
      if (Buffer.from(text, 'utf8').equals(r.data)) {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      return {
        partitionKey: r.partitionKey,
        shardId: r.shardId,
        sequenceNumber: r.sequenceNumber,
        ...(r.event ? { uploadId: r.event.uploadId, key: r.event.key } : { problem: r.problem }),
        data,
      };
    }),
    document: failure.document,
  };
}

/**
 * Upload id -> the failure that holds it (its id and reason), over every failure in the bucket,
 * read eight at a time. An object that is not a failure of ours holds no upload.
 */
export async function failuresByUpload(
  target: RecoveryTarget,
): Promise<{ byUpload: Map<string, { id: string; reason: string }>; count: number }> {
  const ids = await listFailureIds(target);
  const byUpload = new Map<string, { id: string; reason: string }>();
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(
      ids.slice(i, i + 8).map(async ({ id }) => {
        try {
          const failure = await readFailure(target, id);
          for (const r of failure.records)
            if (r.event) byUpload.set(r.event.uploadId, { id, reason: failure.reason });
        } catch {
          // Not a failure of ours (or unreadable): it holds no upload.
        }
      }),
    );
  }
  return { byUpload, count: ids.length };
}
