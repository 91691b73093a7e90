import { dynamoDbClient } from '@streamdrop/lambda-kit/dynamodb';
import { kinesisClient } from '@streamdrop/lambda-kit/kinesis';
import { s3Client } from '@streamdrop/lambda-kit/s3';
import { config } from './config';

export const s3 = s3Client({ forcePathStyle: config.s3ForcePathStyle });

/** Signs the URLs of upload sessions and downloads; it never sends a request itself. */
export const presignS3 = s3Client({ forcePathStyle: config.s3ForcePathStyle, presigning: true });

export const kinesis = kinesisClient({ maxAttempts: config.kinesisMaxAttempts });

export const dynamodb = dynamoDbClient();
