import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger of the function. Never give it record data or tokens. */
export const logger = new Logger({ serviceName: 'streamdrop-streams' });
