import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { kinesis, s3 } from './clients';
import { config } from './config';
import { logger } from './logger';
import { acceptedResponse, errorResponse } from './responses';
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
      const outcome = await acceptUpload(uploadInputFromEvent(event), deps);
      return acceptedResponse(outcome.response, outcome.replayed);
    } catch (error) {
      return errorResponse(error, event.requestContext.requestId);
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
