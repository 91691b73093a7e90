import { randomUUID } from 'node:crypto';
import { errorResponse, jsonResponse } from '@streamdrop/lambda-kit';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { kinesis, s3 } from './clients';
import { config } from './config';
import { logger } from './logger';
import { metrics as uploadMetrics } from './metrics';
import { acceptUpload, type UploadDeps } from './upload';
import { uploadInputFromEvent } from './upload-input';

export type UploadHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** The Lambda handler over the given dependencies (tests pass their own). */
export function createHandler(deps: UploadDeps): UploadHandler {
  return async (event, context) => {
    logger.addContext(context);
    // Every line of this invocation carries the API request id: the key that follows an upload
    // from the request to its processed object (the upload event carries it on).
    logger.resetKeys();
    logger.appendKeys({ requestId: event.requestContext.requestId });
    try {
      const { response, replayed } = await acceptUpload(uploadInputFromEvent(event), deps);
      // A replay for an Idempotency-Key says so, as Stripe's API does.
      return jsonResponse(202, response, replayed ? { 'idempotent-replayed': 'true' } : undefined);
    } catch (error) {
      const response = errorResponse(error, event.requestContext.requestId, logger);
      deps.metrics?.refused(response.statusCode ?? 500);
      return response;
    } finally {
      deps.metrics?.flush();
    }
  };
}

export const handler = createHandler({
  s3,
  kinesis,
  config,
  now: () => new Date(),
  newId: () => randomUUID(),
  logger,
  metrics: uploadMetrics,
});
