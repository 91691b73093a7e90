import { errorResponse, jsonResponse } from '@streamdrop/lambda-kit';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { kinesis } from './clients';
import { config } from './config';
import { logger } from './logger';
import { type StreamsMetrics, metrics as streamsMetrics } from './metrics';
import { handleStreamsRequest } from './router';
import type { StreamsDeps } from './streams';
import { streamsRequestFromEvent } from './streams-request';

export type StreamsHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** The Lambda handler over the given dependencies (tests pass their own). */
export function createHandler(deps: StreamsDeps & { metrics?: StreamsMetrics }): StreamsHandler {
  return async (event, context) => {
    logger.addContext(context);
    logger.resetKeys();
    logger.appendKeys({ requestId: event.requestContext.requestId });
    let response: APIGatewayProxyStructuredResultV2;
    try {
      response = jsonResponse(200, await handleStreamsRequest(streamsRequestFromEvent(event), deps));
    } catch (error) {
      response = errorResponse(error, event.requestContext.requestId, logger);
    }
    deps.metrics?.call(event.routeKey, response.statusCode ?? 200);
    return response;
  };
}

export const handler = createHandler({ kinesis, config, logger, metrics: streamsMetrics });
