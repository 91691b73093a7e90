/** A response ready to write: header names as the function gave them, `set-cookie` possibly repeated. */
export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** API Gateway's own answers carry `{"message": ...}` JSON bodies. */
export function messageResponse(statusCode: number, message: string, headers: Record<string, string> = {}) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify({ message })),
  } satisfies GatewayResponse;
}

export type MappedResult = { ok: true; response: GatewayResponse } | { ok: false; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Maps a function's result the way an HTTP API does for payload format 2.0
 * (http-api-develop-integrations-lambda, "Lambda function response for format 2.0"):
 * - an object with `statusCode` is a structured response: statusCode, headers, cookies (one
 *   set-cookie each), body, isBase64Encoded. Format 2.0 has no multiValueHeaders, so it is ignored
 *   (as sam local does for 2.0). A missing content-type becomes text/plain; charset=utf-8, what
 *   deployed HTTP APIs answer (aws-lambda-go-api-proxy #116), not application/json as sam local does.
 * - anything else that is valid JSON is inferred: 200, content-type application/json, and the body
 *   is the result itself for a string ("Hello from Lambda!" stays unquoted, as in the docs' table)
 *   or its JSON text otherwise (a handler returning nothing gives Lambda's `null`).
 * A structured response AWS could not use (bad statusCode, non-string body...) is a 500, reported
 * with the reason so the developer sees what to fix.
 */
export function mapFunctionResult(result: unknown): MappedResult {
  if (!isRecord(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return {
      ok: true,
      response: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) },
    };
  }
  const { statusCode, headers = {}, cookies = [], body = '', isBase64Encoded = false } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return {
      ok: false,
      reason: `statusCode must be an integer from 100 to 599, got ${JSON.stringify(statusCode)}`,
    };
  }
  if (!isRecord(headers) || !Object.values(headers).every(isScalar)) {
    return { ok: false, reason: 'headers must be an object of string, number or boolean values' };
  }
  if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) {
    return { ok: false, reason: 'cookies must be an array of strings' };
  }
  if (typeof body !== 'string') return { ok: false, reason: 'body must be a string' };
  if (typeof isBase64Encoded !== 'boolean') return { ok: false, reason: 'isBase64Encoded must be a boolean' };

  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = String(value);
  if (!Object.keys(out).some((n) => n.toLowerCase() === 'content-type')) {
    out['content-type'] = 'text/plain; charset=utf-8';
  }
  if (cookies.length > 0) {
    const existing = Object.keys(out).find((n) => n.toLowerCase() === 'set-cookie');
    const before = existing ? [out[existing] ?? []].flat() : [];
    if (existing) delete out[existing];
    out['set-cookie'] = [...before, ...cookies];
  }
  return {
    ok: true,
    response: { statusCode, headers: out, body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8') },
  };
}
