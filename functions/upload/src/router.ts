import { UPLOAD_ROUTES } from '@streamdrop/config';
import { HttpError, jsonResponse } from '@streamdrop/lambda-kit';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { completeUpload } from './sessions/complete';
import { createSession, MAX_SESSION_BODY_BYTES } from './sessions/create';
import { deleteUpload } from './sessions/delete';
import type { SessionDeps, SessionRequest } from './sessions/deps';
import { getUpload, listUploads } from './sessions/read';
import { acceptUpload, type UploadDeps } from './upload';
import { uploadInputFromEvent } from './upload-input';

/** The function's dependencies: the inline path's, and the uploads routes' when the function has them. */
export interface RouterDeps extends UploadDeps {
  sessions?: SessionDeps;
}

/** Not a route of this function: API Gateway sent what the stack did not route here. */
export class RouteNotFoundError extends HttpError {
  constructor(routeKey: string) {
    super(404, `no route ${routeKey}`);
    this.name = 'RouteNotFoundError';
  }
}

/** The uploads routes need their dependencies; without them the function is deployed wrong. */
class SessionsUnavailableError extends Error {
  constructor() {
    super('the uploads routes have no dependencies (UPLOADS_TABLE and the presigning client)');
    this.name = 'SessionsUnavailableError';
  }
}

export function sessionRequestFromEvent(event: APIGatewayProxyEventV2WithJWTAuthorizer): SessionRequest {
  // The same request fields as an inline upload's, read the same way; sessions take no Idempotency-Key.
  const { idempotencyKey: _ignored, ...request } = uploadInputFromEvent(event);
  return {
    ...request,
    uploadId: event.pathParameters?.id,
    query: Object.fromEntries(new URLSearchParams(event.rawQueryString ?? '')),
  };
}

/**
 * True for the body of a session request: a small JSON object with `size` and no `content`.
 * Anything else takes the inline path, which answers every other body exactly as it always has.
 */
export function isSessionBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): boolean {
  if (event.body === undefined) return false;
  const raw = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.length === 0 || raw.length > MAX_SESSION_BODY_BYTES) return false;
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return false;
  }
  return (
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    Object.hasOwn(json, 'size') &&
    !Object.hasOwn(json, 'content')
  );
}

/** Serves one request by its route; throws an HttpError for a request it refuses. */
export async function route(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  deps: RouterDeps,
): Promise<{ response: APIGatewayProxyStructuredResultV2; uploadId?: string }> {
  const sessions = () => {
    if (!deps.sessions) throw new SessionsUnavailableError();
    return deps.sessions;
  };
  switch (event.routeKey) {
    case UPLOAD_ROUTES.createUpload: {
      if (isSessionBody(event)) {
        const created = await createSession(sessionRequestFromEvent(event), sessions());
        return { response: jsonResponse(201, created), uploadId: created.uploadId };
      }
      const { response, replayed } = await acceptUpload(uploadInputFromEvent(event), deps);
      // A replay for an Idempotency-Key says so, as Stripe's API does.
      return {
        response: jsonResponse(202, response, replayed ? { 'idempotent-replayed': 'true' } : undefined),
        uploadId: response.uploadId,
      };
    }
    case UPLOAD_ROUTES.completeUpload:
      return {
        response: jsonResponse(202, await completeUpload(sessionRequestFromEvent(event), sessions())),
      };
    case UPLOAD_ROUTES.getUpload:
      return { response: jsonResponse(200, await getUpload(sessionRequestFromEvent(event), sessions())) };
    case UPLOAD_ROUTES.listUploads:
      return { response: jsonResponse(200, await listUploads(sessionRequestFromEvent(event), sessions())) };
    case UPLOAD_ROUTES.deleteUpload:
      await deleteUpload(sessionRequestFromEvent(event), sessions());
      return { response: { statusCode: 204 } };
    default:
      throw new RouteNotFoundError(event.routeKey);
  }
}
