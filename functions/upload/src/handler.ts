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
    try {
      const { response, replayed } = await acceptUpload(uploadInputFromEvent(event), deps);
      // A replay for an Idempotency-Key says so, as Stripe's API does.
      return jsonResponse(202, response, replayed ? { 'idempotent-replayed': 'true' } : undefined);
    } catch (error) {
      return errorResponse(error, event.requestContext.requestId, logger);
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
});
