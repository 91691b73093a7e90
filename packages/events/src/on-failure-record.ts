import { KEY_PREFIXES } from '@streamdrop/config';
import { ValidationError } from './errors';
import * as z from './zod';

/** Prefix under which Lambda writes an event source mapping's S3 on-failure destination records. */
export const ON_FAILURE_PREFIX = KEY_PREFIXES.onFailureDestination;

/**
 * What Lambda writes to an S3 on-failure destination when a Kinesis batch is discarded
 * (retries or record age exhausted). Loose objects: AWS may add fields. `payload` is the whole
 * invocation event as an escaped JSON string; without it, only the sequence range is known.
 */
export const KinesisOnFailureRecordSchema = z.looseObject({
  requestContext: z.looseObject({
    requestId: z.string(),
    functionArn: z.string(),
    condition: z.string(),
    approximateInvokeCount: z.number(),
  }),
  version: z.string(),
  timestamp: z.string(),
  KinesisBatchInfo: z.looseObject({
    shardId: z.string(),
    startSequenceNumber: z.string().check(z.regex(/^\d+$/)),
    endSequenceNumber: z.string().check(z.regex(/^\d+$/)),
    batchSize: z.int().check(z.nonnegative()),
    streamArn: z.string(),
  }),
  payload: z.optional(z.string()),
});
export type KinesisOnFailureRecord = z.infer<typeof KinesisOnFailureRecordSchema>;

/** The Kinesis invocation event inside `payload`: only what a redrive needs of each record. */
export const KinesisInvocationPayloadSchema = z.looseObject({
  Records: z.array(
    z.looseObject({
      eventID: z.optional(z.string()),
      kinesis: z.looseObject({
        partitionKey: z.string().check(z.minLength(1)),
        sequenceNumber: z.string(),
        data: z.string(),
      }),
    }),
  ),
});
export type KinesisInvocationPayload = z.infer<typeof KinesisInvocationPayloadSchema>;

/** Parses an on-failure destination object's JSON; throws ValidationError naming what is wrong. */
export function parseKinesisOnFailureRecord(json: unknown): KinesisOnFailureRecord {
  const result = KinesisOnFailureRecordSchema.safeParse(json);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}

/** Decodes the escaped invocation event of an on-failure record. */
export function parseKinesisInvocationPayload(payload: string): KinesisInvocationPayload {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw new ValidationError(['payload: is not JSON']);
  }
  const result = KinesisInvocationPayloadSchema.safeParse(json);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}
