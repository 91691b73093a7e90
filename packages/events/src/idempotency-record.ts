import { KEY_PREFIXES } from '@streamdrop/config';
import { UploadResponseSchema } from './upload-response';
import * as z from './zod';

/**
 * What the upload function keeps per `Idempotency-Key`, at
 * `idempotency/<sub>/<sha256 of the key>.json` in the data bucket.
 */
export const IdempotencyRecordSchema = z.strictObject({
  state: z.enum(['pending', 'completed']),
  /** sha256 of the request's fields: the same key with another body is refused. */
  fingerprint: z.string(),
  uploadId: z.string(),
  createdAt: z.iso.datetime(),
  /** The first response, replayed to later requests with the key (once completed). */
  response: z.optional(UploadResponseSchema),
});
export type IdempotencyRecord = z.infer<typeof IdempotencyRecordSchema>;

export const IDEMPOTENCY_PREFIX = KEY_PREFIXES.idempotency;
