/**
 * Limits and defaults that more than one part applies: the stack validates a setting against
 * them, the function that reads the setting applies the same bounds, and tests hold the
 * invariants between them (test/names.test.ts here, infra/test/invariants.test.ts on the stack).
 */

export const MIB = 1024 * 1024;
export const DAY_SECONDS = 24 * 60 * 60;

/** The decoded content of an inline upload (`POST /uploads` with `content`). */
export const INLINE_UPLOAD = {
  /** 4 MiB keeps a base64 JSON body under Lambda's 6 MB synchronous payload. */
  defaultMaxBytes: 4 * MIB,
  /** No setting may go above this: the base64 of more cannot fit Lambda's 6 MB payload. */
  maxBytesCeiling: 4.5 * MIB,
} as const;

/** How long an Idempotency-Key answers with its first response. */
export const IDEMPOTENCY = {
  defaultTtlSeconds: DAY_SECONDS,
  maxTtlSeconds: 7 * DAY_SECONDS,
} as const;

/**
 * Days after which S3's lifecycle rule deletes idempotency records: a whole day past the TTL,
 * so that a record is never gone while it must still answer.
 */
export function idempotencyRecordExpiryDays(ttlSeconds: number): number {
  return Math.ceil(ttlSeconds / DAY_SECONDS) + 1;
}

/** The upload event stream. */
export const STREAM = {
  /** Kinesis keeps a record this long (the stack's `retention_period`). */
  retentionHours: 24,
} as const;

/**
 * Days after which S3's lifecycle rule expires an object under `uploads/` still tagged pending
 * (UPLOAD_STATE_TAG). A pending object whose upload event did get published (its writer died
 * between PutRecord and the re-tag) is still read by the processor for as long as that event
 * can be delivered: while it is on the stream, and no older than the event source mapping's
 * maximum record age (-1: no limit but the retention). The rule waits a whole day longer than
 * the longer of the two, so it never removes a source that an event on the stream still names.
 */
export function pendingUploadExpiryDays(args: {
  readonly streamRetentionHours: number;
  readonly maxRecordAgeSeconds: number;
}): number {
  const retentionSeconds = args.streamRetentionHours * 3600;
  const ageSeconds = args.maxRecordAgeSeconds === -1 ? retentionSeconds : args.maxRecordAgeSeconds;
  return Math.ceil(Math.max(retentionSeconds, ageSeconds) / DAY_SECONDS) + 1;
}

/** Tries per Kinesis call (the first included), per function; more only outlast API Gateway's 30 s. */
export const KINESIS_ATTEMPTS = {
  uploadDefault: 4,
  streamsDefault: 3,
  ceiling: 10,
} as const;

/** Records of one batch the processor works on at the same time. */
export const PROCESSOR_CONCURRENCY = {
  default: 100,
  max: 100,
} as const;
