import { ValidationError } from './errors';
import { ContentTypeSchema, FilenameSchema } from './upload-request';
import { UploadResponseSchema } from './upload-response';
import * as z from './zod';

/**
 * The contract of the uploads API beyond the inline `POST /uploads`: upload sessions (bytes sent
 * straight to S3 through presigned URLs), an upload's status, the caller's list, and what each
 * route answers. The upload function validates requests with these schemas; the CLI and the tests
 * validate the answers with the same ones.
 */

/** Where an upload is. `processed` only once its processed object exists whole; `failed` only with a reason. */
export const UPLOAD_STATUSES = {
  awaitingUpload: 'awaiting-upload',
  queued: 'queued',
  processed: 'processed',
  failed: 'failed',
} as const;
export const UploadStatusNameSchema = z.enum([
  UPLOAD_STATUSES.awaitingUpload,
  UPLOAD_STATUSES.queued,
  UPLOAD_STATUSES.processed,
  UPLOAD_STATUSES.failed,
]);
export type UploadStatusName = z.infer<typeof UploadStatusNameSchema>;

/** A SHA-256 as a client may send it: 64 hex digits in either case (stored lower-case). */
export const Sha256HexSchema = z.string({ error: 'must be a string' }).check(
  z.regex(/^[0-9A-Fa-f]{64}$/, 'must be the SHA-256 of the file as 64 hex digits'),
  z.overwrite((hex) => hex.toLowerCase()),
);

/**
 * Body of `POST /uploads` that opens an upload session: the file's name and size, no `content`.
 * Unknown fields are refused, as on the inline path.
 */
export const CreateSessionRequestSchema = z.strictObject({
  filename: FilenameSchema,
  size: z.int({ error: 'must be a whole number of bytes' }).check(z.nonnegative('must be 0 or more')),
  contentType: z.optional(ContentTypeSchema),
  sha256: z.optional(Sha256HexSchema),
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequestSchema>;

/** Validates an already-parsed JSON value as a session request, or throws ValidationError. */
export function parseCreateSessionRequest(value: unknown): CreateSessionRequest {
  const result = CreateSessionRequestSchema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(result.error);
  return result.data;
}

/** One presigned part: send bytes [offset, offset + size) of the file with this method and these headers. */
export const SessionPartSchema = z.strictObject({
  partNumber: z.int().check(z.positive()),
  url: z.url(),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()),
  offset: z.int().check(z.nonnegative()),
  size: z.int().check(z.nonnegative()),
});
export type SessionPart = z.infer<typeof SessionPartSchema>;

/** The 201 of `POST /uploads` with `size`: where to send the bytes, until when. */
export const CreateSessionResponseSchema = z.strictObject({
  uploadId: z.string(),
  status: z.literal(UPLOAD_STATUSES.awaitingUpload),
  expiresAt: z.iso.datetime(),
  parts: z.array(SessionPartSchema),
});
export type CreateSessionResponse = z.infer<typeof CreateSessionResponseSchema>;

/** The 202 of `POST /uploads/{id}/complete`: the inline upload's 202 body plus the upload's status. */
export const CompleteUploadResponseSchema = z.strictObject({
  ...UploadResponseSchema.shape,
  status: UploadStatusNameSchema,
});
export type CompleteUploadResponse = z.infer<typeof CompleteUploadResponseSchema>;

/** What `GET /uploads/{id}` (and each entry of `GET /uploads`) says of one upload. */
export const UploadStatusSchema = z.strictObject({
  uploadId: z.string(),
  filename: z.string(),
  size: z.int().check(z.nonnegative()),
  contentType: z.string(),
  sha256: z.optional(z.string()),
  status: UploadStatusNameSchema,
  createdAt: z.iso.datetime(),
  processed: z.optional(
    z.strictObject({
      key: z.string(),
      size: z.int().check(z.nonnegative()),
      sha256: z.string(),
      /** A presigned GET of the processed object. */
      url: z.url(),
      expiresAt: z.iso.datetime(),
    }),
  ),
  failure: z.optional(z.strictObject({ reason: z.string() })),
});
export type UploadStatus = z.infer<typeof UploadStatusSchema>;

/** The 200 of `GET /uploads`: the caller's uploads, newest first, and the cursor of the next page. */
export const ListUploadsResponseSchema = z.strictObject({
  uploads: z.array(UploadStatusSchema),
  nextCursor: z.optional(z.string()),
});
export type ListUploadsResponse = z.infer<typeof ListUploadsResponseSchema>;
