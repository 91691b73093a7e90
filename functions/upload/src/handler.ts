import { randomUUID } from 'node:crypto';
import { ConfigError, FUNCTION_ENV } from '@streamdrop/config';
import { errorResponse } from '@streamdrop/lambda-kit';
import { UploadsTable } from '@streamdrop/lambda-kit/uploads-table';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { dynamodb, kinesis, presignS3, s3 } from './clients';
import { config } from './config';
import { logger } from './logger';
import { metrics as uploadMetrics } from './metrics';
import { type RouterDeps, route } from './router';
import { SessionError } from './sessions/errors';

export type UploadHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** The Lambda handler over the given dependencies (tests pass their own). */
export function createHandler(deps: RouterDeps): UploadHandler {
  return async (event, context) => {
    logger.addContext(context);
    // Every line of this invocation carries the API request id: the key that follows an upload
    // from the request to its processed object (the upload event carries it on); the uploads
    // routes add the upload id.
    logger.resetKeys();
    logger.appendKeys({ requestId: event.requestContext.requestId });
    const pathId = event.pathParameters?.id;
    if (pathId !== undefined) logger.appendKeys({ uploadId: pathId });
    try {
      return (await route(event, deps)).response;
    } catch (error) {
      const response = errorResponse(error, event.requestContext.requestId, logger);
      deps.metrics?.refused(
        response.statusCode ?? 500,
        error instanceof SessionError ? error.refusalReason : undefined,
      );
      return response;
    } finally {
      deps.metrics?.flush();
    }
  };
}

/** The table of upload statuses, built on first use; a ConfigError when the stack set none. */
function tableOf(): () => UploadsTable {
  let table: UploadsTable | undefined;
  return () => {
    if (table) return table;
    const name = config.uploadsTable;
    if (name === undefined) {
      throw new ConfigError({ variable: FUNCTION_ENV.uploadsTable, problem: 'is not set' });
    }
    table = new UploadsTable(dynamodb, name);
    return table;
  };
}

const table = tableOf();

export const handler = createHandler({
  s3,
  kinesis,
  config,
  now: () => new Date(),
  newId: () => randomUUID(),
  logger,
  metrics: uploadMetrics,
  // The inline path records its uploads' status only where the stack gave the table.
  statuses: () => (config.uploadsTable === undefined ? undefined : table()),
  sessions: {
    s3,
    presignS3,
    kinesis,
    table,
    config,
    now: () => new Date(),
    newId: () => randomUUID(),
    logger,
    metrics: uploadMetrics,
  },
});
