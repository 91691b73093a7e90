import { errorResponse, jsonResponse } from '@streamdrop/lambda-kit';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { kinesis } from './clients';
import { config } from './config';
import { logger } from './logger';
import { handleStreamsRequest } from './router';
import type { StreamsDeps } from './streams';
import { streamsRequestFromEvent } from './streams-request';

export type StreamsHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** The Lambda handler over the given dependencies (tests pass their own). */
export function createHandler(deps: StreamsDeps): StreamsHandler {
  return async (event, context) => {
    logger.addContext(context);
    try {
      return jsonResponse(200, await handleStreamsRequest(streamsRequestFromEvent(event), deps));
    } catch (error) {
      return errorResponse(error, event.requestContext.requestId, logger);
    }
  };
}

export const handler = createHandler({ kinesis, config, logger });
