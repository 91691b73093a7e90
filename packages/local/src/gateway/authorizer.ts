import type { IncomingHttpHeaders } from 'node:http';
import { JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import {
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwksValidationError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { StackError } from '../errors';
import type { JwtAuthorizerModel, Log, RouteModel } from '../types';

/** What a passed JWT authorizer adds to `requestContext.authorizer`. */
export interface JwtAuthorizerContext {
  jwt: { claims: Record<string, string>; scopes: string[] | null };
}

export type AuthorizeResult =
  | { ok: true; context: JwtAuthorizerContext }
  | { ok: false; statusCode: 401 | 403; wwwAuthenticate: string; reason: string };

/** A refusal with the short reason that goes into `error_description`. */
class TokenRejected extends Error {
  constructor(
    message: string,
    readonly statusCode: 401 | 403 = 401,
  ) {
    super(message);
    this.name = 'TokenRejected';
  }
}

// AWS: "Currently, only RSA-based algorithms are supported" (http-api-jwt-authorizer, step 3).
// aws-jwt-verify also accepts ES*/EdDSA, so the family is narrowed here; `none` and HS256 never get this far.
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/**
 * Claims as API Gateway hands them to a payload 2.0 integration: every value a string. Numbers and
 * booleans are stringified (`"exp": "1787996002"`), arrays become `[a b]` (`cognito:groups` ->
 * `"[admins users]"`), null-valued claims are dropped and nested objects become JSON text.
 * Sources: a live event quoted in DefinitelyTyped PR #75458 (numeric claims as strings) and the
 * captures against a real Cognito-backed HTTP API in floci-io/floci PR #2011 (bracket form, null
 * claims omitted).
 */
export function renderClaims(payload: JwtPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      claims[name] = `[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')}]`;
    } else {
      claims[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
  return claims;
}

/** The token's scopes: AWS reads `scope` (space separated) or `scp` (http-api-jwt-authorizer, "Validate claims"). */
function tokenScopes(payload: JwtPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

/** `$request.header.Authorization` -> `authorization` (node lower-cases header names). */
function identityHeader(authorizer: JwtAuthorizerModel): string {
  const m = /^\$request\.header\.([A-Za-z0-9!#$%&'*+.^_`|~-]+)$/.exec(authorizer.identitySource);
  if (!m?.[1]) {
    throw new StackError(
      `JWT authorizer ${authorizer.name}: identity source ${authorizer.identitySource} is not supported locally ` +
        '(use $request.header.<Name>, e.g. $request.header.Authorization).',
    );
  }
  return m[1].toLowerCase();
}

/** AWS accepts the bare token or `Bearer <token>` (http-api-jwt-authorizer, step 1). */
function extractToken(value: string | string[] | undefined): string {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
  return raw.replace(/^bearer(\s+|$)/i, '').trim();
}

export interface JwtAuthorizersOptions {
  fetchJson: (url: string) => Promise<unknown>;
  /** The gateway's clock in epoch ms; exp, nbf and iat are checked against it. */
  now: () => number;
  log: Log;
}

/** Evaluates the JWT authorizers of the stack's routes the way API Gateway does, with one JWKS cache for all. */
export class JwtAuthorizers {
  private readonly jwksCache: SimpleJwksCache;
  private readonly verifiers = new Map<string, ReturnType<typeof createVerifier>>();

  constructor(private readonly options: JwtAuthorizersOptions) {
    // aws-jwt-verify's own fetcher refuses http: URIs, and cognito-local serves its JWKS over http.
    // SimpleJwksCache still gives the library's behaviour on top: cache per URI, one re-fetch when a
    // kid is unknown (key rotation), then a 10 s penalty box so bad tokens cannot hammer the issuer.
    const fetcher: Fetcher = {
      fetch: async (uri) => {
        const jwks = await options.fetchJson(uri).catch((err: unknown) => {
          throw new FetchError(uri, err instanceof Error ? err.message : String(err));
        });
        return new TextEncoder().encode(JSON.stringify(jwks)).buffer;
      },
    };
    this.jwksCache = new SimpleJwksCache({ fetcher });
  }

  /** Throws StackError now, at startup, for an authorizer that could never pass a request. */
  validate(route: RouteModel): void {
    if (route.authorizationType !== 'JWT') return;
    if (!route.authorizer) throw new StackError(`Route "${route.routeKey}" uses JWT but has no authorizer.`);
    identityHeader(route.authorizer);
  }

  async authorize(route: RouteModel, headers: IncomingHttpHeaders): Promise<AuthorizeResult> {
    const authorizer = route.authorizer;
    if (!authorizer) throw new StackError(`Route "${route.routeKey}" uses JWT but has no authorizer.`);
    const scopeParam = route.authorizationScopes.join(' ');
    try {
      const token = extractToken(headers[identityHeader(authorizer)]);
      if (!token) throw new TokenRejected('the token is missing');
      const { header } = decomposeUnverifiedJwt(token);
      if (!RSA_ALGORITHMS.includes(header.alg ?? '')) {
        throw new TokenRejected(`signing method ${header.alg ?? 'none'} is invalid`);
      }
      const payload = await this.verifier(authorizer).verify(token, {
        customJwtCheck: ({ payload }) => this.checkClaims(payload, authorizer),
      });
      const scopes = tokenScopes(payload);
      if (
        route.authorizationScopes.length > 0 &&
        !scopes.some((s) => route.authorizationScopes.includes(s))
      ) {
        throw new TokenRejected('the token does not have a required scope', 403);
      }
      // AWS sends `scopes: null` on routes without authorizationScopes, and the token's full scope
      // list (not the intersection) on routes with them (aws-lambda-go #317; floci-io/floci PR #2011).
      const context = { jwt: { claims: renderClaims(payload), scopes: scopeParam ? scopes : null } };
      return { ok: true, context };
    } catch (err) {
      const { statusCode, reason } = this.describe(err);
      // AWS's own header: `Bearer scope="" error="invalid_token" error_description="the token does not
      // have a valid audience"` (http-api-troubleshooting-jwt); the other descriptions are ours, in its
      // style. A valid token without a route scope gets 403 {"message":"Forbidden"}, as measured in
      // floci-io/floci PR #2011; AWS publishes no header for that case, so RFC 6750's insufficient_scope.
      const error = statusCode === 403 ? 'insufficient_scope' : 'invalid_token';
      const wwwAuthenticate = `Bearer scope="${scopeParam}" error="${error}" error_description="${reason}"`;
      return { ok: false, statusCode, wwwAuthenticate, reason };
    }
  }

  private verifier(authorizer: JwtAuthorizerModel) {
    const key = `${authorizer.issuer} ${authorizer.jwksUri}`;
    let verifier = this.verifiers.get(key);
    if (!verifier) {
      verifier = createVerifier(authorizer, this.jwksCache);
      this.verifiers.set(key, verifier);
    }
    return verifier;
  }

  /** Runs after the library checked the signature (kid found in the JWKS) and the exact `iss`. */
  private checkClaims(payload: JwtPayload, authorizer: JwtAuthorizerModel): void {
    const nowSeconds = this.options.now() / 1000;
    // AWS: "exp – Must be after the current time" (http-api-jwt-authorizer, step 4). A token without
    // exp would never expire; Cognito always sets it, so only a forged or foreign token lacks it.
    if (payload.exp === undefined) throw new TokenRejected('the token has no expiration time');
    if (payload.exp <= nowSeconds) throw new TokenRejected('the token has expired');
    if (payload.nbf !== undefined && payload.nbf > nowSeconds)
      throw new TokenRejected('the token is not valid yet');
    if (payload.iat !== undefined && payload.iat > nowSeconds) {
      throw new TokenRejected('the token was issued in the future');
    }
    // AWS validates client_id only when aud is absent, and aud when both are present
    // (http-api-troubleshooting-jwt). Cognito ID tokens carry aud; access tokens carry client_id.
    const audiences = payload.aud ?? payload.client_id;
    const list = Array.isArray(audiences) ? audiences : [audiences];
    if (!list.some((a) => typeof a === 'string' && authorizer.audience.includes(a))) {
      throw new TokenRejected('the token does not have a valid audience');
    }
    // Stricter than AWS, whose generic authorizer knows nothing of token_use: every local issuer is
    // cognito-local, whose ID and access tokens both carry it, so this only keeps other JWTs out.
    validateCognitoJwtFields(payload, { tokenUse: null, clientId: null });
  }

  private describe(err: unknown): { statusCode: 401 | 403; reason: string } {
    if (err instanceof TokenRejected) return { statusCode: err.statusCode, reason: err.message };
    const reason = (() => {
      if (err instanceof JwtParseError) return 'the token is malformed';
      if (err instanceof JwtInvalidSignatureAlgorithmError) {
        return `signing method ${String(err.failedAssertion.actual)} is invalid`;
      }
      if (err instanceof JwtWithoutValidKidError) return 'the token has no kid';
      if (err instanceof KidNotFoundInJwksError || err instanceof WaitPeriodNotYetEndedJwkError) {
        return "the token's kid is not in the issuer's JWKS";
      }
      if (err instanceof JwtInvalidSignatureError) return 'the token signature is invalid';
      if (err instanceof JwtInvalidIssuerError) return 'the token does not have a valid issuer';
      if (err instanceof CognitoJwtInvalidTokenUseError) return 'the token is not an id or access token';
      return undefined;
    })();
    if (reason) return { statusCode: 401, reason };
    // Not the token's fault: usually cognito-local is not running or the JWKS URI is wrong.
    const detail = err instanceof Error ? err.message : String(err);
    const unreachable = err instanceof FetchError || err instanceof JwksValidationError;
    this.options.log.warn(`JWT authorizer could not verify a token: ${detail}`);
    return {
      statusCode: 401,
      reason: unreachable ? "the issuer's JWKS could not be loaded" : 'the token is invalid',
    };
  }
}

function createVerifier(authorizer: JwtAuthorizerModel, jwksCache: SimpleJwksCache) {
  // CognitoJwtVerifier refuses local_ pool ids, so the generic verifier checks signature and iss;
  // audience/client_id and token_use follow AWS's own rules in checkClaims. The library's time checks
  // read Date.now(); infinite grace hands exp/nbf to checkClaims, so they use the gateway's clock.
  return JwtVerifier.create(
    {
      issuer: authorizer.issuer,
      jwksUri: authorizer.jwksUri,
      audience: null,
      graceSeconds: Number.POSITIVE_INFINITY,
    },
    { jwksCache },
  );
}
