import { INLINE_UPLOAD } from '@streamdrop/config';
import { ValidationError } from './errors';
import { filenameProblem } from './filename';
import * as z from './zod';

/** Default cap on decoded upload content: 4 MiB keeps a base64 JSON body under Lambda's 6 MB payload. */
export const DEFAULT_MAX_UPLOAD_BYTES = INLINE_UPLOAD.defaultMaxBytes;

// type/subtype with optional parameters, as in RFC 9110 (token characters only).
const MEDIA_TYPE =
  /^[A-Za-z0-9!#$&^_.+-]{1,127}\/[A-Za-z0-9!#$&^_.+-]{1,127}(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\\\r\n]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Canonical RFC 4648 base64 with padding. Checked in linear time: a regex with a repeated group
 * overflowed V8's stack on contents of a few MB (uploads near the 4 MiB limit got a 500).
 */
export function isCanonicalBase64(content: string): boolean {
  return (
    content.length % 4 === 0 &&
    BASE64_ALPHABET.test(content) &&
    Buffer.from(content, 'base64').toString('base64') === content
  );
}

export const UploadEncodingSchema = z.enum(['utf8', 'base64']);
export type UploadEncoding = z.infer<typeof UploadEncodingSchema>;

export const FilenameSchema = z.string({ error: 'must be a string' }).check(
  z.superRefine((name, ctx) => {
    const problem = filenameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

export const ContentTypeSchema = z
  .string({ error: 'must be a string' })
  .check(
    z.maxLength(255, 'must be at most 255 characters'),
    z.regex(MEDIA_TYPE, 'must be a media type such as "text/plain" or "image/png"'),
  );

/** Body of `POST /uploads`. Unknown fields are refused so that typos do not pass silently. */
export const UploadRequestSchema = z
  .strictObject({
    filename: FilenameSchema,
    content: z.string({ error: 'must be a string' }),
    encoding: z._default(UploadEncodingSchema, 'utf8'),
    contentType: z.optional(ContentTypeSchema),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.encoding === 'base64' && !isCanonicalBase64(body.content)) {
        ctx.addIssue({
          code: 'custom',
          path: ['content'],
          message: 'is not valid base64 (RFC 4648, with padding)',
        });
      }
    }),
  );

export type UploadRequest = z.infer<typeof UploadRequestSchema>;
export type UploadRequestInput = z.input<typeof UploadRequestSchema>;

/** Validates an already-parsed JSON value as an upload request, or throws ValidationError. */
export function parseUploadRequest(value: unknown): UploadRequest {
  const result = UploadRequestSchema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}

/** Content type stored with the object when the caller sends none. */
export function defaultContentType(encoding: UploadEncoding): string {
  return encoding === 'utf8' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
}

/** Upper bound of the decoded size, computable without decoding (used to refuse huge bodies early). */
export function decodedSizeUpperBound(content: string, encoding: UploadEncoding): number {
  return encoding === 'base64' ? Math.ceil(content.length / 4) * 3 : content.length * 3;
}

/** The bytes the caller meant to upload. */
export function decodeContent(request: Pick<UploadRequest, 'content' | 'encoding'>): Buffer {
  return Buffer.from(request.content, request.encoding === 'base64' ? 'base64' : 'utf8');
}
