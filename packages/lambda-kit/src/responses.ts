import type { ErrorResponse } from '@streamdrop/events';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError, INTERNAL_ERROR_MESSAGE } from './errors';

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
 * Turns any error into a `{ message, requestId }` response. An HttpError answers as it says
 * (status, public message, headers); anything else — a ConfigError, an SDK error, a bug, or a
 * 5xx without a public text — is a 500 with a fixed text, so that SDK messages, stack traces
 * and resource names stay in the logs. A 4xx is logged as info, everything else as an error
 * with its cause.
 */
export function errorResponse(
  error: unknown,
  requestId: string,
  logger: ResponseLogger,
): APIGatewayProxyStructuredResultV2 {
  if (!(error instanceof HttpError) || error.publicMessage === undefined) {
    logger.error('unexpected error', { requestId, error });
    return jsonResponse(500, { message: INTERNAL_ERROR_MESSAGE, requestId } satisfies ErrorResponse);
  }
  const { statusCode, publicMessage, logMessage } = error;
  if (statusCode < 500) {
    // A refusal caused by something else (Kinesis throttling, a schema) logs that too.
    const cause = error.cause === undefined ? {} : { error };
    logger.info(logMessage, { statusCode, reason: error.message, requestId, ...cause });
  } else {
    logger.error(logMessage, { statusCode, requestId, error });
  }
  return jsonResponse(
    statusCode,
    { message: publicMessage, requestId } satisfies ErrorResponse,
    error.headers,
  );
}
