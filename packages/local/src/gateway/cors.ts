import type { IncomingHttpHeaders } from 'node:http';

/** The HTTP API's `cors_configuration`, with the web origins already resolved to local ones. */
export interface CorsModel {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  /** Seconds a browser may cache a preflight's answer. */
  maxAge?: number;
  allowCredentials: boolean;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The value of Access-Control-Allow-Origin for `origin`, or undefined when it is not allowed. */
function allowedOrigin(cors: CorsModel, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (cors.allowOrigins.includes(origin)) return origin;
  if (cors.allowOrigins.includes('*')) return cors.allowCredentials ? origin : '*';
  return undefined;
}

/** A CORS preflight: OPTIONS with an Origin and Access-Control-Request-Method. */
export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return (
    method === 'OPTIONS' &&
    header(headers, 'origin') !== undefined &&
    header(headers, 'access-control-request-method') !== undefined
  );
}

/**
 * What API Gateway answers a preflight itself, before any route or authorizer (an HTTP API with a
 * CORS configuration answers every preflight, with or without an OPTIONS route): 204 and the
 * configured methods, headers and max age, when the origin and the requested method are allowed;
 * a bare 204 otherwise, which the browser reads as a refusal.
 */
export function preflightHeaders(cors: CorsModel, headers: IncomingHttpHeaders): Record<string, string> {
  const origin = allowedOrigin(cors, header(headers, 'origin'));
  const method = header(headers, 'access-control-request-method')?.toUpperCase() ?? '';
  const methods = cors.allowMethods.map((m) => m.toUpperCase());
  if (!origin || !(methods.includes('*') || methods.includes(method))) return { vary: 'origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': cors.allowMethods.join(','),
    ...(cors.allowHeaders.length > 0 ? { 'access-control-allow-headers': cors.allowHeaders.join(',') } : {}),
    ...(cors.maxAge !== undefined ? { 'access-control-max-age': String(cors.maxAge) } : {}),
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    vary: 'origin',
  };
}

/**
 * The headers API Gateway adds to every other answer of an allowed origin — the function's, and
 * its own (401 from the authorizer, 404, 413, 5xx), so that a page can read why it was refused.
 * A function's own CORS headers are replaced, as API Gateway ignores them when CORS is configured.
 */
export function responseCorsHeaders(cors: CorsModel, headers: IncomingHttpHeaders): Record<string, string> {
  const origin = allowedOrigin(cors, header(headers, 'origin'));
  if (!origin) return {};
  return {
    'access-control-allow-origin': origin,
    ...(cors.exposeHeaders.length > 0
      ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') }
      : {}),
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    vary: 'origin',
  };
}

/** Drops a function's own access-control-* headers (API Gateway overrides them). */
export function withoutCorsHeaders(
  headers: Record<string, string | string[]>,
): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !name.toLowerCase().startsWith('access-control-')),
  );
}
