import type { ErrorResponse, StreamProxyResponse } from '@streamdrop/events';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { StreamServiceError, StreamsError, ThrottledError } from './errors';
import { logger } from './logger';

export const INTERNAL_ERROR_MESSAGE = 'Internal error';
export const STREAM_SERVICE_FAILED_MESSAGE = 'The stream service failed; try again later';

function json(
  statusCode: number,
  body: StreamProxyResponse | ErrorResponse,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function okResponse(body: StreamProxyResponse): APIGatewayProxyStructuredResultV2 {
  return json(200, body);
}

/**
 * Turns any error into a response. Only 4xx messages reach the caller; 5xx answers carry a fixed
 * text so that SDK messages, stack traces and resource names stay in the logs.
 */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof ThrottledError) {
    logger.warn('throttled by Kinesis', { requestId, error });
    return json(
      429,
      { message: error.message, requestId },
      { 'retry-after': String(error.retryAfterSeconds) },
    );
  }
  if (error instanceof StreamsError && error.statusCode < 500) {
    logger.info('request refused', { statusCode: error.statusCode, reason: error.message, requestId });
    return json(error.statusCode, { message: error.message, requestId });
  }
  if (error instanceof StreamServiceError) {
    logger.error('stream service failed', { requestId, error });
    return json(502, { message: STREAM_SERVICE_FAILED_MESSAGE, requestId });
  }
  logger.error('unexpected error', { requestId, error });
  return json(500, { message: INTERNAL_ERROR_MESSAGE, requestId });
}
