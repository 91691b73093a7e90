/**
 * `Idempotency-Key` support. Records live in the data bucket under
 * `idempotency/<sub>/<sha256(key)>.json`: no extra service to run, IAM scoped by prefix, a
 * lifecycle rule expires them a whole day after their TTL (the stack derives both from
 * STREAMDROP_IDEMPOTENCY_TTL_SECONDS), and S3 conditional writes (`If-None-Match: *`) make the
 * claim atomic on AWS. Cost per keyed request: one GET and two PUTs (about $0.011 per 1,000 keyed
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

export type ClaimResult = { kind: 'claimed' } | { kind: 'replay'; response: UploadResponse };

export interface IdempotencyDeps {
  s3: Pick<S3Client, 'send'>;
  bucket: string;
  ttlSeconds: number;
  now(): Date;
}

const recordKey = (userSub: string, key: string) => `${IDEMPOTENCY_PREFIX}${userSub}/${sha256(key)}.json`;
// A pending claim older than this belongs to an invocation that died: it may be taken over.
const STALE_PENDING_MS = 60_000;

async function read(deps: IdempotencyDeps, objectKey: string): Promise<IdempotencyRecord | undefined> {
  try {
    const result = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: objectKey }));
    const parsed = IdempotencyRecordSchema.safeParse(
      JSON.parse((await result.Body?.transformToString()) ?? ''),
    );
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw error;
  }
}

async function write(deps: IdempotencyDeps, objectKey: string, record: IdempotencyRecord, create: boolean) {
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.bucket,
      Key: objectKey,
      Body: JSON.stringify(record),
      ContentType: 'application/json',
      ...(create ? { IfNoneMatch: '*' } : {}),
    }),
  );
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
    const existing = await read(deps, objectKey);
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
    try {
      // Create-if-absent when there was nothing; a stale or expired record is overwritten.
      await write(deps, objectKey, record, existing === undefined);
      return { kind: 'claimed' };
    } catch (error) {
      // Another request created the record between our read and write: look again.
      if (!isConditionFailure(error)) throw error;
    }
  }
  throw new IdempotencyInProgressError();
}

/** Stores the response to replay for later requests with the same key. */
export async function complete(
  deps: IdempotencyDeps,
  args: { userSub: string; key: string; fingerprint: string; response: UploadResponse },
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
    false,
  );
}

/** Frees the key after a failed request, so that the client's retry with it can proceed. */
export async function release(deps: IdempotencyDeps, args: { userSub: string; key: string }): Promise<void> {
  await deps.s3.send(
    new DeleteObjectCommand({ Bucket: deps.bucket, Key: recordKey(args.userSub, args.key) }),
  );
}
