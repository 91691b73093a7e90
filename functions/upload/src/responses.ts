import type { ErrorResponse, UploadResponse } from '@streamdrop/events';
import { errorResponse as httpErrorResponse, jsonResponse } from '@streamdrop/lambda-kit';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ServiceUnavailableError } from './errors';
import { IdempotencyInProgressError } from './idempotency';
import { logger } from './logger';

export const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable; nothing was stored. Retry later.';

/** 202 with the upload's body; a replay for an Idempotency-Key says so, as Stripe's API does. */
export function acceptedResponse(body: UploadResponse, replayed = false): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(202, body, replayed ? { 'idempotent-replayed': 'true' } : undefined);
}

/**
 * Turns any error into a response: 503 with Retry-After when a dependency is down, otherwise
 * lambda-kit's answer (the message of a 4xx, a fixed text for anything else).
 */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof IdempotencyInProgressError) {
    return jsonResponse(409, { message: error.message, requestId } satisfies ErrorResponse, {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  if (error instanceof ServiceUnavailableError) {
    logger.error('dependency unavailable', { requestId, error });
    return jsonResponse(503, { message: UNAVAILABLE_MESSAGE, requestId } satisfies ErrorResponse, {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  return httpErrorResponse(error, requestId, logger);
}
