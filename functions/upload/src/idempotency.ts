/**
 * `Idempotency-Key` support. Records live in the data bucket under
 * `idempotency/<sub>/<sha256(key)>.json`: no extra service to run, IAM scoped by prefix, a
 * lifecycle rule expires them a whole day after their TTL (the stack derives both from
 * STREAMDROP_IDEMPOTENCY_TTL_SECONDS), and S3 conditional writes make every change atomic on AWS:
 * a claim creates the record only if absent (`If-None-Match: *`), takes over a stale or expired
 * one only while it is the record it read (`If-Match`), and completes only its own claim. Cost per keyed request: one GET and two PUTs (about $0.011 per 1,000 keyed
 * uploads in us-east-1), against ~$0.0019 per 1,000 for a DynamoDB on-demand table, which
 * would be one more resource, emulator and IAM policy to keep; the difference is noise next
 * to the upload itself (one PUT). The upload id is derived from (sub, key), so even two
 * racing requests produce the same object key and event, which the idempotent processor
 * folds into one processed object.
 */

import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  IDEMPOTENCY_PREFIX,
  type IdempotencyRecord,
  IdempotencyRecordSchema,
  type UploadResponse,
} from '@streamdrop/events';
import { BadRequestError, HttpError } from '@streamdrop/lambda-kit';

/** Visible ASCII, 1-255 characters: what clients put in such headers (UUIDs, ULIDs, hashes). */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The same key was sent with a different request body. */
export class IdempotencyKeyReusedError extends HttpError {
  constructor() {
    super(
      422,
      'Idempotency-Key was already used with a different request body; use a new key for a new upload',
    );
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** A request with the same key has not finished yet. */
export class IdempotencyInProgressError extends HttpError {
  constructor() {
    super(409, 'A request with this Idempotency-Key is still in progress; retry shortly', {
      retryAfterSeconds: 1,
    });
    this.name = 'IdempotencyInProgressError';
  }
}

/** Checks the header value, or throws a 400 saying what a key may look like. */
export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!KEY.test(value)) {
    throw new BadRequestError('Idempotency-Key must be 1-255 visible ASCII characters (e.g. a UUID)');
  }
  return value;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A UUID-shaped upload id fixed by the caller and their key (RFC 9562 version 8 layout). */
export function idempotentUploadId(userSub: string, key: string): string {
  const h = sha256(`${userSub}\u0000${key}`);
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** What identifies "the same request": every field of the body, in a fixed order. */
export function requestFingerprint(fields: Record<string, string | undefined>): string {
  return sha256(JSON.stringify(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b))));
}

/** `etag`: the claim record's, so that completing it can check it is still ours. */
export type ClaimResult = { kind: 'claimed'; etag?: string } | { kind: 'replay'; response: UploadResponse };

export interface IdempotencyDeps {
  s3: Pick<S3Client, 'send'>;
  bucket: string;
  ttlSeconds: number;
  now(): Date;
}

const recordKey = (userSub: string, key: string) => `${IDEMPOTENCY_PREFIX}${userSub}/${sha256(key)}.json`;
// A pending claim older than this belongs to an invocation that died: it may be taken over.
const STALE_PENDING_MS = 60_000;

/** The record under `objectKey` and its ETag; `record` is undefined when absent or unreadable. */
interface Found {
  readonly exists: boolean;
  readonly record: IdempotencyRecord | undefined;
  readonly etag: string | undefined;
}

async function read(deps: IdempotencyDeps, objectKey: string): Promise<Found> {
  try {
    const result = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: objectKey }));
    let json: unknown;
    try {
      json = JSON.parse((await result.Body?.transformToString()) ?? '');
    } catch {
      json = undefined;
    }
    const parsed = IdempotencyRecordSchema.safeParse(json);
    return { exists: true, record: parsed.success ? parsed.data : undefined, etag: result.ETag };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound')
      return { exists: false, record: undefined, etag: undefined };
    throw error;
  }
}

/**
 * How a write may replace what is there: create only (`If-None-Match: *`), only over the record
 * we read (`If-Match: <its ETag>`), or unconditionally when S3 gave no ETag to match.
 */
type Condition = { IfNoneMatch: '*' } | { IfMatch: string } | Record<string, never>;

async function write(
  deps: IdempotencyDeps,
  objectKey: string,
  record: IdempotencyRecord,
  condition: Condition,
): Promise<string | undefined> {
  const result = await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.bucket,
      Key: objectKey,
      Body: JSON.stringify(record),
      ContentType: 'application/json',
      ...condition,
    }),
  );
  return result?.ETag;
}

const isConditionFailure = (error: unknown) => {
  const name = (error as { name?: string }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409
  );
};

/**
 * Claims `key` for this request, or says to replay the first response. Throws 422 when the key
 * was used with another body, 409 while the first request with the key is still running.
 */
export async function claim(
  deps: IdempotencyDeps,
  args: { userSub: string; key: string; fingerprint: string; uploadId: string },
): Promise<ClaimResult> {
  const objectKey = recordKey(args.userSub, args.key);
  const now = deps.now();
  for (let attempt = 0; attempt < 2; attempt++) {
    const found = await read(deps, objectKey);
    const existing = found.record;
    const expired = existing && now.getTime() - Date.parse(existing.createdAt) > deps.ttlSeconds * 1000;
    if (existing && !expired) {
      if (existing.fingerprint !== args.fingerprint) throw new IdempotencyKeyReusedError();
      if (existing.state === 'completed' && existing.response)
        return { kind: 'replay', response: existing.response };
      if (now.getTime() - Date.parse(existing.createdAt) < STALE_PENDING_MS)
        throw new IdempotencyInProgressError();
    }
    const record: IdempotencyRecord = {
      state: 'pending',
      fingerprint: args.fingerprint,
      uploadId: args.uploadId,
      createdAt: now.toISOString(),
    };
    // Create it if there was nothing; take over a stale, expired or unreadable record only while
    // it is still the one we read. Either way, of two requests racing here exactly one wins.
    const condition: Condition = !found.exists
      ? { IfNoneMatch: '*' }
      : found.etag !== undefined
        ? { IfMatch: found.etag }
        : {};
    try {
      return { kind: 'claimed', etag: await write(deps, objectKey, record, condition) };
    } catch (error) {
      // Another request wrote the record between our read and write: look again. A different
      // body then gets 422, the same body 409 (or the first answer once it is complete).
      if (!isConditionFailure(error)) throw error;
    }
  }
  throw new IdempotencyInProgressError();
}

/**
 * Stores the response to replay for later requests with the same key, over our own claim only
 * (`If-Match: <the claim's ETag>`): a claim taken over meanwhile is not ours to complete.
 */
export async function complete(
  deps: IdempotencyDeps,
  args: { userSub: string; key: string; fingerprint: string; response: UploadResponse; claimEtag?: string },
): Promise<void> {
  await write(
    deps,
    recordKey(args.userSub, args.key),
    {
      state: 'completed',
      fingerprint: args.fingerprint,
      uploadId: args.response.uploadId,
      createdAt: deps.now().toISOString(),
      response: args.response,
    },
    args.claimEtag !== undefined ? { IfMatch: args.claimEtag } : {},
  );
}

/** Frees the key after a failed request, so that the client's retry with it can proceed. */
export async function release(deps: IdempotencyDeps, args: { userSub: string; key: string }): Promise<void> {
  await deps.s3.send(
    new DeleteObjectCommand({ Bucket: deps.bucket, Key: recordKey(args.userSub, args.key) }),
  );
}
