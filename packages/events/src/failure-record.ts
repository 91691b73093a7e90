import { KEY_PREFIXES } from '@streamdrop/config';
import * as z from './zod';

export const FAILURE_RECORD_VERSION = 1;
/** Prefix of failure records written by the processor (on-failure destination records live under `aws/lambda/`). */
export const PROCESSOR_FAILURES_PREFIX = KEY_PREFIXES.processorFailures;

/**
 * What the processor writes to the failures bucket for a record it will never be able to
 * process (invalid event, missing object...). It keeps the whole record so it can be redriven.
 */
export const FailureRecordV1Schema = z.strictObject({
  version: z.literal(FAILURE_RECORD_VERSION),
  source: z.literal('processor'),
  reason: z.string().check(z.minLength(1)),
  errorName: z.string().check(z.minLength(1)),
  failedAt: z.iso.datetime({ offset: true }),
  uploadId: z.optional(z.string()),
  uploadKey: z.optional(z.string()),
  functionName: z.string(),
  awsRequestId: z.string(),
  record: z.strictObject({
    eventSourceARN: z.string(),
    eventID: z.string(),
    partitionKey: z.string(),
    sequenceNumber: z.string(),
    approximateArrivalTimestamp: z.number(),
    data: z.string(),
  }),
});
export type FailureRecordV1 = z.infer<typeof FailureRecordV1Schema>;

/**
 * Deterministic key of a failure record: the same record failing twice overwrites one object.
 * The eventID is `<shardId>:<sequenceNumber>`; ':' is replaced to keep keys shell-friendly.
 */
export function failureRecordKey(eventID: string): string {
  return `${PROCESSOR_FAILURES_PREFIX}${eventID.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}
