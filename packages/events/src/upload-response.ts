import * as z from './zod';

/** The 202 body of `POST /uploads`: the key twice, as `file_key` and as `s3: { bucket, key }`, for clients that read either. */
export const UploadResponseSchema = z.strictObject({
  message: z.string(),
  uploadId: z.string(),
  file_key: z.string(),
  s3: z.strictObject({ bucket: z.string(), key: z.string() }),
  requestId: z.string(),
});
export type UploadResponse = z.infer<typeof UploadResponseSchema>;

/** Body of every error response: a message a person can act on, plus the request id to quote. */
export const ErrorResponseSchema = z.strictObject({
  message: z.string(),
  requestId: z.string(),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
