import { dynamoDbClient } from '@streamdrop/lambda-kit/dynamodb';
import { s3Client } from '@streamdrop/lambda-kit/s3';
import { UploadsTable } from '@streamdrop/lambda-kit/uploads-table';
import { config } from './config';
import { UPLOAD_QUEUE_SIZE } from './process-record';

// Each record in flight holds one GetObject stream and up to UPLOAD_QUEUE_SIZE part uploads,
// plus one spare for a HeadObject (a redelivery, a deleted upload) or the failure record.
const maxSockets = config.concurrency * (UPLOAD_QUEUE_SIZE + 2);

/** Built once per container; the endpoint for local emulators comes from AWS_ENDPOINT_URL_S3. */
export const s3 = s3Client({
  forcePathStyle: config.forcePathStyle,
  keepAlive: { maxSockets, connectionTimeout: 5_000, requestTimeout: 60_000 },
});

/** The table of upload statuses, when the stack gave the processor one. */
export const statuses =
  config.uploadsTable === undefined ? undefined : new UploadsTable(dynamoDbClient(), config.uploadsTable);
