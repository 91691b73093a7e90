import { kinesisClient } from '@streamdrop/lambda-kit/kinesis';
import { s3Client } from '@streamdrop/lambda-kit/s3';
import { config } from './config';

export const s3 = s3Client({ forcePathStyle: config.s3ForcePathStyle });

export const kinesis = kinesisClient({ maxAttempts: config.kinesisMaxAttempts });
