import { ValidationError } from './errors';
import { parseUploadKey } from './keys';
import { ContentTypeSchema } from './upload-request';
import * as z from './zod';

export const UPLOAD_EVENT_VERSION = 1;
/** The version of the event of a direct upload (an upload session): `sha256` only when declared. */
export const DIRECT_UPLOAD_EVENT_VERSION = 2;

const SHA256_HEX = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'));

/** The key must be the uploader's own `uploads/<userSub>/<uploadId>/<filename>`. */
const keyOfItsUpload = z.superRefine(
  (event: { key: string; userSub: string; uploadId: string }, ctx: z.core.$RefinementCtx) => {
    try {
      const parts = parseUploadKey(event.key);
      if (parts.userSub !== event.userSub) {
        ctx.addIssue({ code: 'custom', path: ['key'], message: 'does not belong to userSub' });
      }
      if (parts.uploadId !== event.uploadId) {
        ctx.addIssue({ code: 'custom', path: ['key'], message: 'does not carry uploadId' });
      }
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: error instanceof Error ? error.message : 'is not an upload key',
      });
    }
  },
);

/** Upload event v1: what the upload function puts on the stream for every accepted upload. */
export const UploadEventV1Schema = z
  .strictObject({
    version: z.literal(UPLOAD_EVENT_VERSION),
    uploadId: z.string().check(z.minLength(1), z.maxLength(128)),
    bucket: z.string().check(z.minLength(3), z.maxLength(63)),
    key: z.string().check(z.minLength(1), z.maxLength(1024)),
    size: z.int().check(z.nonnegative()),
    // The same rule as the upload request: a valid header value, since the processor sends it
    // back to S3 as the processed object's Content-Type. A record that breaks it is invalid, a
    // permanent failure, never a retried TypeError.
    contentType: ContentTypeSchema,
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits')),
    uploadedAt: z.iso.datetime({ offset: true }),
    requestId: z.string().check(z.minLength(1), z.maxLength(256)),
    userSub: z.string().check(z.minLength(1), z.maxLength(128)),
  })
  .check(keyOfItsUpload);

export type UploadEventV1 = z.infer<typeof UploadEventV1Schema>;

/**
 * Upload event v2: the event of a direct upload (bytes sent straight to S3 through presigned
 * URLs). The same fields as v1, but `sha256` is there only when the client declared one (the
 * function never reads the bytes; the processor verifies a declared digest and computes it
 * otherwise), and `origin` says where the bytes came from. The inline path keeps emitting v1.
 */
export const UploadEventV2Schema = z
  .strictObject({
    version: z.literal(DIRECT_UPLOAD_EVENT_VERSION),
    origin: z.literal('direct', { error: 'must be "direct" (version 2 is the event of a direct upload)' }),
    uploadId: z.string().check(z.minLength(1), z.maxLength(128)),
    bucket: z.string().check(z.minLength(3), z.maxLength(63)),
    key: z.string().check(z.minLength(1), z.maxLength(1024)),
    size: z.int().check(z.nonnegative()),
    contentType: ContentTypeSchema,
    sha256: z.optional(SHA256_HEX),
    uploadedAt: z.iso.datetime({ offset: true }),
    requestId: z.string().check(z.minLength(1), z.maxLength(256)),
    userSub: z.string().check(z.minLength(1), z.maxLength(128)),
  })
  .check(keyOfItsUpload);

export type UploadEventV2 = z.infer<typeof UploadEventV2Schema>;

/** Any upload event the processor takes: v1 (inline uploads) or v2 (direct uploads). */
export type UploadEvent = UploadEventV1 | UploadEventV2;

const schemaOf = (version: unknown) =>
  version === DIRECT_UPLOAD_EVENT_VERSION ? UploadEventV2Schema : UploadEventV1Schema;

/** Serialises an event for `PutRecord` after checking it against the schema of its version. */
export function encodeUploadEvent(event: UploadEvent): Uint8Array {
  const result = schemaOf(event.version).safeParse(event);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return new TextEncoder().encode(JSON.stringify(result.data));
}

/**
 * Decodes Kinesis record data (raw bytes, or the base64 string found in a Lambda Kinesis
 * event) into a validated upload event. Throws ValidationError with the reason otherwise.
 */
export function decodeUploadEvent(data: Uint8Array | string): UploadEvent {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'base64') : data;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError(['record data is not UTF-8']);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationError(['record data is not JSON']);
  }
  const version =
    typeof json === 'object' && json !== null ? (json as { version?: unknown }).version : undefined;
  const result = schemaOf(version).safeParse(json);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}
