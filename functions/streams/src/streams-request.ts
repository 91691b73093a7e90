import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/** What the core needs from a `/streams` request, free of API Gateway's event shape. */
export interface StreamsRequest {
  requestId: string;
  /** `METHOD /path template`, e.g. `GET /streams/{name}`: the route API Gateway matched. */
  routeKey: string;
  /** The JWT claims as the authorizer passed them (values are strings), if any. */
  claims: Readonly<Record<string, unknown>> | undefined;
  /** The `name` path parameter. */
  streamName: string | undefined;
  /** The Content-Type header (payload v2 lower-cases header names). */
  contentType: string | undefined;
  body: string | undefined;
  isBase64Encoded: boolean;
}

export function streamsRequestFromEvent(event: APIGatewayProxyEventV2WithJWTAuthorizer): StreamsRequest {
  return {
    requestId: event.requestContext.requestId,
    routeKey: event.routeKey,
    claims: event.requestContext.authorizer?.jwt?.claims,
    streamName: event.pathParameters?.name,
    contentType: event.headers?.['content-type'],
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
  };
}
