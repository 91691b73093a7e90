import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/** What the core needs from a `POST /uploads` request, free of API Gateway's event shape. */
export interface UploadInput {
  requestId: string;
  /** The JWT's `sub` claim as the authorizer passed it, if it is a string at all. */
  userSub: string | undefined;
  /** The Content-Type header (payload v2 lower-cases header names). */
  contentType: string | undefined;
  body: string | undefined;
  isBase64Encoded: boolean;
  /** The Idempotency-Key header, when the client sent one. */
  idempotencyKey: string | undefined;
}

export function uploadInputFromEvent(event: APIGatewayProxyEventV2WithJWTAuthorizer): UploadInput {
  const sub = event.requestContext.authorizer?.jwt?.claims?.sub;
  return {
    requestId: event.requestContext.requestId,
    userSub: typeof sub === 'string' ? sub : undefined,
    contentType: event.headers?.['content-type'],
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
    idempotencyKey: event.headers?.['idempotency-key'],
  };
}
