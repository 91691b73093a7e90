import { randomBytes } from 'node:crypto';
import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2WithRequestContext } from 'aws-lambda';
import type { JwtAuthorizerContext } from './authorizer';
import type { RouteMatch } from './route-match';

/** The payload format 2.0 event, with `authorizer` present only when a JWT authorizer ran. */
export type HttpApiEvent = APIGatewayProxyEventV2WithRequestContext<
  APIGatewayEventRequestContextV2 & { authorizer?: JwtAuthorizerContext }
>;

/** What the gateway knows of one request once its body is read. */
export interface RequestFacts {
  method: string;
  /** Path as sent, still percent-encoded, without the query string. */
  rawPath: string;
  rawQueryString: string;
  /** node's `req.rawHeaders`: name, value, name, value... in arrival order. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** e.g. `HTTP/1.1`. */
  protocol: string;
  /** The port the gateway listens on, reported as `x-forwarded-port`. */
  localPort: number;
  requestId: string;
  timeEpoch: number;
}

/** Stand-ins for the ids a deployed API has; the local stack has one API in one account. */
export const LOCAL_ACCOUNT_ID = '123456789012';
export const LOCAL_API_ID = 'local';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `21/Nov/2026:10:00:00 +0000`, the CLF time API Gateway puts in `requestContext.time`. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

/**
 * Bodies AWS passes as text; any other content type (or none) arrives base64 with isBase64Encoded.
 * The list is text/*, application/json, application/xml, application/javascript and the +json/+xml
 * suffix types; application/x-www-form-urlencoded is not on it, so form posts arrive base64 as on AWS.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^(text\/[^\s/]+|application\/(json|xml|javascript)|[a-z]+\/[^\s/]+\+(json|xml))$/.test(type);
}

// AWS drops hop-by-hop headers before the integration: the live event quoted in DefinitelyTyped
// PR #75458 came from Postman, which sends `Connection: keep-alive`, and has no `connection` header.
const DROPPED_HEADERS = new Set(['connection', 'keep-alive']);

/** Builds the event API Gateway (HTTP API, payload format 2.0) sends to a Lambda integration. */
export function buildEvent(
  req: RequestFacts,
  match: RouteMatch,
  authorizer?: JwtAuthorizerContext,
): HttpApiEvent {
  // Format 2.0: header names lower-cased, duplicates joined with commas, every cookie header moved to
  // `cookies` (http-api-develop-integrations-lambda, "Payload format differences").
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
    } else if (!DROPPED_HEADERS.has(name)) {
      headers[name] = name in headers ? `${headers[name]},${value}` : value;
    }
  }
  // API Gateway appends the client to x-forwarded-for and says how the client reached it.
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${req.sourceIp}`
    : req.sourceIp;
  headers['x-forwarded-port'] = String(req.localPort);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(req.timeEpoch / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  const queryStringParameters: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(req.rawQueryString)) {
    queryStringParameters[key] =
      key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;
  }

  // AWS's domainPrefix is the first label of domainName; locally the Host header is the domain.
  const domainName = headers.host ?? `127.0.0.1:${req.localPort}`;
  const text = isTextContentType(headers['content-type']);
  const routeKey = match.route.routeKey;
  return {
    version: '2.0',
    routeKey,
    rawPath: req.rawPath,
    rawQueryString: req.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      ...(authorizer ? { authorizer } : {}),
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: req.method,
        path: req.rawPath,
        protocol: req.protocol,
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: req.requestId,
      routeKey,
      stage: '$default',
      time: formatRequestTime(req.timeEpoch),
      timeEpoch: req.timeEpoch,
    },
    // A request without a body has no `body` key at all, as on AWS.
    ...(req.body.length > 0 ? { body: req.body.toString(text ? 'utf8' : 'base64') } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    isBase64Encoded: req.body.length > 0 && !text,
  };
}
