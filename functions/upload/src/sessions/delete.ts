import { AbortMultipartUploadCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { processedKeyFor, UPLOAD_STATUSES } from '@streamdrop/events';
import { ServiceUnavailableError } from '../errors';
import { callerOf, uploadIdOf } from './caller';
import type { SessionDeps, SessionRequest } from './deps';
import { UploadNotFoundError } from './errors';
import { unavailableOn } from './unavailable';

/**
 * `DELETE /uploads/{id}`: marks the item as being deleted, removes the caller's upload, its
 * processed twin, an open multipart upload, and last its item, so that a failure half-way leaves
 * the item and the same DELETE finishes the job. In the versioned data bucket a delete leaves
 * the earlier version for the lifecycle rule's 30 days (what the bucket's versioning is for: a
 * stolen token cannot destroy data at once).
 */
export async function deleteUpload(request: SessionRequest, deps: SessionDeps): Promise<void> {
  const userSub = callerOf(request.userSub);
  const uploadId = uploadIdOf(request.uploadId);
  const bucket = deps.config.dataBucket;
  const table = deps.table();
  const record = await unavailableOn('DynamoDB GetItem', () => table.get(userSub, uploadId));
  if (!record) throw new UploadNotFoundError(uploadId);
  // Before anything goes: a processor finishing meanwhile can then no longer mark it processed,
  // and removes the processed object it wrote (functions/processor, recordProcessed).
  const marked = await unavailableOn('DynamoDB UpdateItem', () =>
    table.markDeleting(userSub, uploadId, deps.now().toISOString()),
  );
  if (!marked) throw new UploadNotFoundError(uploadId);

  if (record.multipartUploadId !== undefined && record.status === UPLOAD_STATUSES.awaitingUpload) {
    try {
      await deps.s3.send(
        new AbortMultipartUploadCommand({
          Bucket: bucket,
          Key: record.key,
          UploadId: record.multipartUploadId,
        }),
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name !== 'NoSuchUpload')
        throw new ServiceUnavailableError('S3 AbortMultipartUpload failed', { cause: error });
    }
  }
  for (const key of [record.key, processedKeyFor(record.key)]) {
    await unavailableOn('S3 DeleteObject', () =>
      deps.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })),
    );
  }
  await unavailableOn('DynamoDB DeleteItem', () => table.delete(userSub, uploadId));
  deps.logger?.info('upload deleted', { uploadId, requestId: request.requestId, status: record.status });
  deps.metrics?.deleted();
}
