import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SESSION_UPLOAD_TAG, UPLOADS_TABLE } from '@streamdrop/config';
import type { Log } from './types';

/**
 * What AWS does for upload sessions that were never completed, done locally: DynamoDB's TTL
 * removes their items (dynalite runs no TTL), and the data bucket's lifecycle rules abort their
 * multipart uploads and expire their bytes (tagged `uploading`). The sweep finds them through the
 * table: every item whose TTL has passed is a session whose time to complete is over. Its open
 * multipart upload is aborted, its object removed if it is still tagged `uploading` (never one
 * that was completed), and then its item. Run at start and every few minutes.
 */
export async function sweepExpiredSessions(args: {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  tableName: string;
  bucket: string;
  now: Date;
  log: Log;
}): Promise<number> {
  const { dynamodb, s3, tableName, bucket, log } = args;
  const { partitionKey, sortKey, ttlAttribute, objectKeyAttribute, multipartUploadAttribute } = UPLOADS_TABLE;
  let swept = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#ttl < :now',
        ExpressionAttributeNames: { '#ttl': ttlAttribute },
        ExpressionAttributeValues: { ':now': { N: String(Math.floor(args.now.getTime() / 1000)) } },
        ...(start && { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? []) {
      const key = item[objectKeyAttribute]?.S;
      const uploadId = item[multipartUploadAttribute]?.S;
      if (key && uploadId) {
        await s3
          .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
          .catch(() => undefined);
      }
      const tags = key
        ? await s3
            .send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))
            .then((t) => t.TagSet ?? [])
            .catch(() => [])
        : [];
      const uploading = tags.some(
        (t) => t.Key === SESSION_UPLOAD_TAG.key && t.Value === SESSION_UPLOAD_TAG.value,
      );
      if (key && uploading) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      const itemKey = { [partitionKey]: item[partitionKey], [sortKey]: item[sortKey] };
      if (itemKey[partitionKey] && itemKey[sortKey]) {
        await dynamodb.send(
          new DeleteItemCommand({ TableName: tableName, Key: itemKey as Record<string, AttributeValue> }),
        );
      }
      log.info(
        `swept an expired upload session (${key ?? 'no key'})${uploading ? ' and its uploaded bytes' : ''}`,
      );
      swept += 1;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return swept;
}
