import type { ErrorResponse, StreamProxyResponse } from '@streamdrop/events';
import { errorResponse as httpErrorResponse, jsonResponse } from '@streamdrop/lambda-kit';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { StreamServiceError, ThrottledError } from './errors';
import { logger } from './logger';

export const STREAM_SERVICE_FAILED_MESSAGE = 'The stream service failed; try again later';

export function okResponse(body: StreamProxyResponse): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(200, body);
}

/**
 * Turns any error into a response: 429 with Retry-After when Kinesis throttles, 502 with a
 * fixed text when it fails, otherwise lambda-kit's answer (the message of a 4xx, a fixed text
 * for anything else).
 */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof ThrottledError) {
    logger.warn('throttled by Kinesis', { requestId, error });
    return jsonResponse(429, { message: error.message, requestId } satisfies ErrorResponse, {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  if (error instanceof StreamServiceError) {
    logger.error('stream service failed', { requestId, error });
    return jsonResponse(502, { message: STREAM_SERVICE_FAILED_MESSAGE, requestId } satisfies ErrorResponse);
  }
  return httpErrorResponse(error, requestId, logger);
}
