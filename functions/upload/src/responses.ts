import type { ErrorResponse, UploadResponse } from '@streamdrop/events';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ServiceUnavailableError, UploadError } from './errors';
import { logger } from './logger';

export const INTERNAL_ERROR_MESSAGE = 'Internal error';
export const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable; nothing was stored. Retry later.';

function json(
  statusCode: number,
  body: UploadResponse | ErrorResponse,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function acceptedResponse(body: UploadResponse): APIGatewayProxyStructuredResultV2 {
  return json(202, body);
}

/**
 * Turns any error into a response. Only 4xx messages reach the caller; 5xx answers carry a fixed
 * text so that SDK messages, stack traces and resource names stay in the logs.
 */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof UploadError && error.statusCode < 500) {
    logger.info('request refused', { statusCode: error.statusCode, reason: error.message, requestId });
    return json(error.statusCode, { message: error.message, requestId });
  }
  if (error instanceof ServiceUnavailableError) {
    logger.error('dependency unavailable', { requestId, error });
    return json(
      503,
      { message: UNAVAILABLE_MESSAGE, requestId },
      { 'retry-after': String(error.retryAfterSeconds) },
    );
  }
  logger.error('unexpected error', { requestId, error });
  return json(500, { message: INTERNAL_ERROR_MESSAGE, requestId });
}
