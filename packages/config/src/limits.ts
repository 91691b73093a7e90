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

export const GIB = 1024 * MIB;

/**
 * Uploads sent straight to S3 through presigned URLs (upload sessions: `POST /uploads` with
 * `size`). The API only hands out URLs and takes note; the bytes never pass through a function.
 */
export const DIRECT_UPLOAD = {
  /** The largest upload a stage accepts unless it sets STREAMDROP_MAX_DIRECT_UPLOAD_BYTES. */
  defaultMaxBytes: 5 * GIB,
  /**
   * No stage may accept more: the processor's timeout and memory are sized for an object of this
   * size (PROCESSOR_SIZING), and S3 takes at most 5 GiB in one PUT or CopyObject.
   */
  maxBytesCeiling: 5 * GIB,
  /**
   * Up to this size an upload is one presigned PUT; above it, a multipart upload. 16 MiB is what
   * a browser or the CLI sends in a few seconds on an ordinary link: a failed PUT costs little to
   * send again, and anything larger gains from parts sent in parallel and retried one by one.
   */
  singlePutMaxBytes: 16 * MIB,
  /** The smallest part of a multipart session (the last may be smaller): see singlePutMaxBytes. */
  minPartBytes: 16 * MIB,
  /** S3's own rules: every part but the last at least 5 MiB, at most 5 GiB, at most 10,000 parts. */
  s3MinPartBytes: 5 * MIB,
  s3MaxPartBytes: 5 * GIB,
  s3MaxParts: 10_000,
  /**
   * The most parts one session hands out: its 201 answer (about 1 KiB per presigned part) stays
   * far below Lambda's 6 MB response limit. Parts grow beyond minPartBytes to stay within it.
   */
  maxPartsPerSession: 1_000,
  /** How long the presigned PUT URLs stay valid unless a stage sets STREAMDROP_UPLOAD_URL_TTL_SECONDS. */
  defaultUrlTtlSeconds: 15 * 60,
  minUrlTtlSeconds: 60,
  maxUrlTtlSeconds: 60 * 60,
  /**
   * A session may still be completed this long after its URLs expired: a PUT that started just
   * before the expiry may take a while to arrive. Then it is gone (410) and its item expires.
   */
  completionGraceSeconds: 60 * 60,
  /**
   * Bytes of a session that was never completed (tagged SESSION_UPLOAD_TAG) expire after this many
   * days, and incomplete multipart uploads under uploads/ are aborted after as many: S3's lifecycle
   * acts in whole days, one is the least. Nothing was ever published for them.
   */
  abandonedExpiryDays: 1,
} as const;

/** The presigned GET of a processed object that `GET /uploads/{id}` hands out. */
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;

/** `GET /uploads`: uploads per page. */
export const LIST_UPLOADS = {
  defaultLimit: 20,
  maxLimit: 100,
} as const;

/**
 * A multipart session's part size for `size` bytes: at least minPartBytes, a whole number of MiB,
 * and large enough that the parts fit maxPartsPerSession. `undefined` for a single PUT.
 */
export function partSizeFor(size: number): number | undefined {
  if (size <= DIRECT_UPLOAD.singlePutMaxBytes) return undefined;
  const spread = Math.ceil(size / DIRECT_UPLOAD.maxPartsPerSession / MIB) * MIB;
  return Math.max(DIRECT_UPLOAD.minPartBytes, spread);
}

/**
 * The processor's memory and timeout, sized for the largest object a stage may accept
 * (DIRECT_UPLOAD.maxBytesCeiling). A large object is CPU-bound in the processor (the transform,
 * SHA-256, TLS and the SDK's part uploads), and Lambda gives a function CPU in proportion to its
 * memory: one whole vCPU at 1,769 MB. So the memory is one vCPU's worth, and the timeout lets the
 * largest object take twice as long as the rate measured on one core (docs/performance.md,
 * "The processor at size"), plus a minute for the rest of its batch.
 */
export const PROCESSOR_SIZING = {
  memoryMb: 1769,
  /** Measured: MiB/s of one record through the production processor on one core (pnpm bench, memory suite). */
  mibPerSecondPerVcpu: 40,
  /** MB of memory Lambda gives one whole vCPU for. */
  mbPerVcpu: 1769,
  safetyFactor: 2,
  overheadSeconds: 60,
  /** Lambda's own maximum. */
  maxTimeoutSeconds: 900,
} as const;

/** The processor's timeout for objects up to `maxBytes` (PROCESSOR_SIZING), in whole seconds. */
export function processorTimeoutSeconds(maxBytes: number): number {
  const s = PROCESSOR_SIZING;
  const mibPerSecond = (s.mibPerSecondPerVcpu * s.memoryMb) / s.mbPerVcpu;
  const seconds = Math.ceil((s.safetyFactor * maxBytes) / MIB / mibPerSecond) + s.overheadSeconds;
  return Math.min(s.maxTimeoutSeconds, Math.max(60, seconds));
}
