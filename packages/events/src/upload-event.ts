import { ValidationError } from './errors';
import { parseUploadKey } from './keys';
import { ContentTypeSchema } from './upload-request';
import * as z from './zod';

export const UPLOAD_EVENT_VERSION = 1;

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
  .check(
    z.superRefine((event, ctx) => {
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
    }),
  );

export type UploadEventV1 = z.infer<typeof UploadEventV1Schema>;

/** Serialises an event for `PutRecord` after checking it against the schema. */
export function encodeUploadEvent(event: UploadEventV1): Uint8Array {
  const result = UploadEventV1Schema.safeParse(event);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return new TextEncoder().encode(JSON.stringify(result.data));
}

/**
 * Decodes Kinesis record data (raw bytes, or the base64 string found in a Lambda Kinesis
 * event) into a validated upload event. Throws ValidationError with the reason otherwise.
 */
export function decodeUploadEvent(data: Uint8Array | string): UploadEventV1 {
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
  const result = UploadEventV1Schema.safeParse(json);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}
