import { Logger } from '@aws-lambda-powertools/logger';

/** What the core needs from a logger, so that tests can pass a fake. */
export type RecordLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export const logger = new Logger({ serviceName: 'streamdrop-processor' });
