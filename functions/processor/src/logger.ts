import { Logger } from '@aws-lambda-powertools/logger';
import { serviceName } from '@streamdrop/config';

/** What the core needs from a logger, so that tests can pass a fake. */
export type RecordLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export const logger = new Logger({ serviceName: serviceName('processor') });
