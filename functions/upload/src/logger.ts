import { Logger } from '@aws-lambda-powertools/logger';
import { serviceName } from '@streamdrop/config';

/** The one logger of the function. Never give it file content or tokens. */
export const logger = new Logger({ serviceName: serviceName('upload') });
