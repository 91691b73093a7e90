import { INLINE_UPLOAD } from '@streamdrop/config';
import { ValidationError } from './errors';
import { filenameProblem } from './filename';
import * as z from './zod';

/** Default cap on decoded upload content: 4 MiB keeps a base64 JSON body under Lambda's 6 MB payload. */
export const DEFAULT_MAX_UPLOAD_BYTES = INLINE_UPLOAD.defaultMaxBytes;

// type/subtype with optional parameters, as in RFC 9110: names of RFC 6838's restricted
// characters, parameter values as such names or as quoted strings of visible ASCII, spaces and
// tabs (no obs-text), with only spaces and tabs around ';'. Every value that matches is a valid
// HTTP header value, so the SDK can always send it as Content-Type: no CR, LF, NUL or other
// control (the earlier \s* around ';' let CR/LF through), nothing outside ASCII (which Node.js
// refuses in a header with a TypeError).
const TOKEN = '[A-Za-z0-9!#$&^_.+-]';
const QUOTED = '"(?:[\\t\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t\\x20-\\x7e])*"';
const MEDIA_TYPE = new RegExp(
  `^${TOKEN}{1,127}/${TOKEN}{1,127}(?:[ \\t]*;[ \\t]*${TOKEN}+=(?:${QUOTED}|${TOKEN}+))*$`,
);
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

/**
 * A media type as Content-Type carries it (`text/plain; charset=utf-8`): at most 255 characters,
 * and always a valid HTTP header value. The upload request and the upload event share it.
 */
export const ContentTypeSchema = z
  .string({ error: 'must be a string' })
  .check(
    z.maxLength(255, 'must be at most 255 characters'),
    z.regex(MEDIA_TYPE, 'must be a media type such as "text/plain" or "image/png"'),
  );

/** Why `value` is not a media type we store, or `undefined` when it is one. */
export function contentTypeProblem(value: string): string | undefined {
  const result = ContentTypeSchema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

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
      // JSON can carry a lone surrogate (\ud800), which UTF-8 cannot: encoding it would store
      // U+FFFD in its place. Refused rather than silently replaced.
      if (body.encoding === 'utf8' && !body.content.isWellFormed()) {
        ctx.addIssue({
          code: 'custom',
          path: ['content'],
          message:
            'must be well-formed Unicode: it holds a lone surrogate (such as \\ud800), which UTF-8 cannot store; send the bytes as base64',
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
