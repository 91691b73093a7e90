import { kinesisClient } from '@streamdrop/lambda-kit/kinesis';
import { config } from './config';

export const kinesis = kinesisClient({ maxAttempts: config.kinesisMaxAttempts });
