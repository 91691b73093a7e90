import type { ErrorResponse } from '@streamdrop/events';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError } from './errors';

export const INTERNAL_ERROR_MESSAGE = 'Internal error';

/** What the responses need of a logger (Powertools' Logger has it), so that tests can pass a fake. */
export interface ResponseLogger {
  info(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/** A JSON response: `body` serialized, `content-type: application/json` plus `headers`. */
export function jsonResponse(
  statusCode: number,
  body: object,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * Turns any error into a `{ message, requestId }` response. Only an HttpError's 4xx message
 * reaches the caller; everything else is a 500 with a fixed text, so that SDK messages, stack
 * traces and resource names stay in the logs. Functions answer their own 5xx errors first.
 */
export function errorResponse(
  error: unknown,
  requestId: string,
  logger: ResponseLogger,
): APIGatewayProxyStructuredResultV2 {
  if (error instanceof HttpError && error.statusCode < 500) {
    logger.info('request refused', { statusCode: error.statusCode, reason: error.message, requestId });
    return jsonResponse(error.statusCode, { message: error.message, requestId } satisfies ErrorResponse);
  }
  logger.error('unexpected error', { requestId, error });
  return jsonResponse(500, { message: INTERNAL_ERROR_MESSAGE, requestId } satisfies ErrorResponse);
}
