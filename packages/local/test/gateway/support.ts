import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { HttpApiEvent } from '../../src/gateway';
import type { InvokeResult, Invoker, JwtAuthorizerModel, Log, RouteModel } from '../../src/types';

/** The gateway's clock in these tests: far from the real one, so a check on Date.now() would show. */
export const NOW = Date.UTC(2030, 0, 15, 8, 30, 5);
export const NOW_SECONDS = NOW / 1000;

export const ISSUER = 'http://127.0.0.1:9229/local_TestPool';
export const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;
export const CLIENT_ID = 'client-abc';

export const authorizerModel: JwtAuthorizerModel = {
  name: 'cognito',
  issuer: ISSUER,
  jwksUri: JWKS_URI,
  audience: [CLIENT_ID],
  identitySource: '$request.header.Authorization',
};

export function route(routeKey: string, overrides: Partial<RouteModel> = {}): RouteModel {
  return {
    routeKey,
    functionName: 'fn',
    authorizationType: 'NONE',
    authorizationScopes: [],
    timeoutMs: 30_000,
    payloadFormatVersion: '2.0',
    ...overrides,
  };
}

export function jwtRoute(routeKey: string, overrides: Partial<RouteModel> = {}): RouteModel {
  return route(routeKey, { authorizationType: 'JWT', authorizer: authorizerModel, ...overrides });
}

/** An RSA signing key with its public JWK, as Cognito publishes it. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicPem: string;
  jwk: Record<string, unknown>;
}

export function signingKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `payload` with RS256 (or another RSA alg) under `key`; header fields can be overridden. */
export function signJwt(
  key: SigningKey,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
) {
  const h = { alg: 'RS256', kid: key.kid, typ: 'JWT', ...header };
  const input = `${b64url(h)}.${b64url(payload)}`;
  const hash = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' }[String(h.alg)] ?? 'sha256';
  return `${input}.${sign(hash, Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/** An EC P-256 key with its JWK: a valid signature in an algorithm family AWS does not accept. */
export function ecSigningKey(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  const signEs256 = (payload: Record<string, unknown>) => {
    const input = `${b64url({ alg: 'ES256', kid, typ: 'JWT' })}.${b64url(payload)}`;
    const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${sig.toString('base64url')}`;
  };
  return { jwk, signEs256 };
}

/** The classic key-confusion forgery: HS256 with the issuer's public key as the HMAC secret. */
export function signHs256WithPublicKey(key: SigningKey, payload: Record<string, unknown>) {
  const input = `${b64url({ alg: 'HS256', kid: key.kid, typ: 'JWT' })}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', key.publicPem).update(input).digest('base64url')}`;
}

export function unsignedJwt(
  payload: Record<string, unknown>,
  header: Record<string, unknown>,
  signature = '',
) {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

const baseClaims = () => ({
  sub: 'user-1',
  iss: ISSUER,
  iat: NOW_SECONDS - 60,
  auth_time: NOW_SECONDS - 60,
  exp: NOW_SECONDS + 3600,
  jti: 'jti-1',
});

/** Claims of a cognito-local ID token: aud = client id, token_use id. */
export function idClaims(extra: Record<string, unknown> = {}) {
  return {
    ...baseClaims(),
    aud: CLIENT_ID,
    token_use: 'id',
    'cognito:username': 'alice',
    email: 'alice@example.com',
    email_verified: true,
    ...extra,
  };
}

/** Claims of a cognito-local access token: client_id and scope, no aud. */
export function accessClaims(extra: Record<string, unknown> = {}) {
  return {
    ...baseClaims(),
    client_id: CLIENT_ID,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    username: 'alice',
    ...extra,
  };
}

/** A JWKS source for `fetchJson` that counts fetches; `keys` can change between requests (rotation). */
export function jwksSource(initial: Pick<SigningKey, 'jwk'>[]) {
  const source = {
    keys: initial,
    fetches: [] as string[],
    fetchJson: async (url: string) => {
      source.fetches.push(url);
      if (url !== JWKS_URI) throw new Error(`unexpected JWKS URL ${url}`);
      return { keys: source.keys.map((k) => k.jwk) };
    },
  };
  return source;
}

/** An Invoker that records every event and answers with `respond`. */
export function fakeInvoker(respond: (event: HttpApiEvent) => InvokeResult | Promise<InvokeResult> = ok({})) {
  const calls: { functionName: string; event: HttpApiEvent }[] = [];
  const invoker: Invoker & { calls: typeof calls; respond: typeof respond } = {
    calls,
    respond,
    invoke: async (functionName, event) => {
      calls.push({ functionName, event: event as HttpApiEvent });
      return invoker.respond(event as HttpApiEvent);
    },
  };
  return invoker;
}

export const ok =
  (result: unknown): (() => InvokeResult) =>
  () => ({ ok: true, result, durationMs: 3 });

export function recordingLog() {
  const lines: { level: keyof Log; message: string }[] = [];
  const log: Log & { lines: typeof lines; infoLines: () => string[] } = {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
    infoLines: () => lines.filter((l) => l.level === 'info').map((l) => l.message),
  };
  return log;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: () => unknown;
}

export interface RawRequest {
  method?: string;
  /** Path with query string, sent exactly as given. */
  path?: string;
  /** Array values are sent as repeated header lines. */
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  /** Send the body in chunks without content-length. */
  chunked?: boolean;
  agent?: Agent | false;
}

/** One HTTP request through node:http, so tests control raw header lines and see raw answers. */
export function request(baseUrl: string, req: RawRequest = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const headers = { ...req.headers };
    if (body && !req.chunked) headers['content-length'] ??= String(body.length);
    const r = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method ?? 'GET',
        path: req.path ?? '/',
        headers,
        agent: req.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          const text = all.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: all,
            text,
            json: () => JSON.parse(text),
          });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (body && req.chunked) {
      for (let i = 0; i < body.length; i += 1024) r.write(body.subarray(i, i + 1024));
    } else if (body) {
      r.write(body);
    }
    r.end();
  });
}
