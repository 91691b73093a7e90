import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Gateway, type GatewayOptions, startGateway } from '../../src/gateway';
import { renderClaims } from '../../src/gateway/authorizer';
import {
  accessClaims,
  CLIENT_ID,
  ecSigningKey,
  fakeInvoker,
  ISSUER,
  idClaims,
  JWKS_URI,
  jwksSource,
  jwtRoute,
  NOW,
  NOW_SECONDS,
  ok,
  recordingLog,
  request,
  route,
  type SigningKey,
  signHs256WithPublicKey,
  signingKey,
  signJwt,
  unsignedJwt,
} from './support';

describe('JWT authorizer', () => {
  let key: SigningKey;
  let otherKey: SigningKey;
  let gateway: Gateway | undefined;
  let invoker: ReturnType<typeof fakeInvoker>;
  let log: ReturnType<typeof recordingLog>;
  let jwks: ReturnType<typeof jwksSource>;

  beforeAll(() => {
    key = signingKey('key-1');
    otherKey = signingKey('key-2');
  });

  beforeEach(() => {
    invoker = fakeInvoker(ok({ statusCode: 200, body: 'ok' }));
    log = recordingLog();
    jwks = jwksSource([key]);
  });

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  async function start(overrides: Partial<GatewayOptions> = {}) {
    gateway = await startGateway({
      port: 0,
      routes: [
        jwtRoute('POST /uploads', { functionName: 'upload' }),
        jwtRoute('GET /streams', {
          functionName: 'streams',
          authorizationScopes: ['streams/admin', 'streams/read'],
        }),
        route('GET /health'),
      ],
      invoker,
      log,
      fetchJson: jwks.fetchJson,
      now: () => NOW,
      ...overrides,
    });
    return gateway;
  }

  const post = (gw: Gateway, authorization?: string) =>
    request(gw.url, {
      method: 'POST',
      path: '/uploads',
      headers: authorization === undefined ? {} : { authorization },
    });

  describe('accepts', () => {
    it('an ID token (aud) and passes its claims as strings', async () => {
      const gw = await start();
      const token = signJwt(key, idClaims({ 'cognito:groups': ['admins', 'users'], nickname: null }));
      const res = await post(gw, `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(invoker.calls).toHaveLength(1);
      expect(invoker.calls[0]?.event.requestContext.authorizer).toEqual({
        jwt: {
          claims: {
            sub: 'user-1',
            iss: ISSUER,
            aud: CLIENT_ID,
            token_use: 'id',
            'cognito:username': 'alice',
            'cognito:groups': '[admins users]',
            email: 'alice@example.com',
            email_verified: 'true',
            iat: String(NOW_SECONDS - 60),
            auth_time: String(NOW_SECONDS - 60),
            exp: String(NOW_SECONDS + 3600),
            jti: 'jti-1',
          },
          scopes: null,
        },
      });
    });

    it('an access token (client_id, no aud)', async () => {
      const gw = await start();
      const res = await post(gw, `Bearer ${signJwt(key, accessClaims())}`);
      expect(res.status).toBe(200);
      const claims = invoker.calls[0]?.event.requestContext.authorizer?.jwt.claims;
      expect(claims).toMatchObject({
        client_id: CLIENT_ID,
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin',
      });
      expect(claims).not.toHaveProperty('aud');
    });

    it('the bare token without "Bearer "', async () => {
      const gw = await start();
      expect((await post(gw, signJwt(key, idClaims()))).status).toBe(200);
    });

    it('a token signed with RS512 (AWS supports RSA algorithms, not only RS256)', async () => {
      const rs512 = { ...key, jwk: { ...key.jwk, alg: undefined } };
      jwks.keys = [rs512];
      const gw = await start();
      expect((await post(gw, signJwt(rs512, idClaims(), { alg: 'RS512' }))).status).toBe(200);
    });

    it('a token whose kid appeared after the JWKS was cached, after one re-fetch (key rotation)', async () => {
      const gw = await start();
      expect((await post(gw, signJwt(key, idClaims()))).status).toBe(200);
      expect(jwks.fetches).toHaveLength(1);
      jwks.keys = [key, otherKey];
      expect((await post(gw, signJwt(otherKey, idClaims()))).status).toBe(200);
      expect((await post(gw, signJwt(otherKey, idClaims()))).status).toBe(200);
      expect(jwks.fetches).toHaveLength(2);
    });

    it('a JWKS served over plain http by the default fetcher, as cognito-local serves it', async () => {
      const server: Server = createServer((req, res) => {
        res.writeHead(req.url === '/local_TestPool/.well-known/jwks.json' ? 200 : 404, {
          'content-type': 'application/json',
        });
        res.end(JSON.stringify({ keys: [key.jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/local_TestPool`;
        const authorizer = {
          name: 'c',
          issuer,
          jwksUri: `${issuer}/.well-known/jwks.json`,
          audience: [CLIENT_ID],
          identitySource: '$request.header.Authorization',
        };
        const gw = await start({ routes: [jwtRoute('POST /uploads', { authorizer })], fetchJson: undefined });
        expect((await post(gw, `Bearer ${signJwt(key, idClaims({ iss: issuer }))}`)).status).toBe(200);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('refuses with 401 and does not invoke', () => {
    const forged = (): [string, () => string | undefined, RegExp][] => [
      ['no Authorization header', () => undefined, /the token is missing/],
      ['an empty bearer', () => 'Bearer ', /the token is missing/],
      ['garbage', () => 'Bearer not-a-jwt', /the token is malformed/],
      [
        'alg none',
        () => `Bearer ${unsignedJwt(idClaims(), { alg: 'none', kid: key.kid }, 'AAAA')}`,
        /signing method none is invalid/,
      ],
      ['alg none without signature', () => `Bearer ${unsignedJwt(idClaims(), { alg: 'none' })}`, /malformed/],
      [
        'HS256 signed with the public key',
        () => `Bearer ${signHs256WithPublicKey(key, idClaims())}`,
        /HS256 is invalid/,
      ],
      [
        'a tampered claim',
        () => {
          const [h, , s] = signJwt(key, idClaims()).split('.');
          const p = Buffer.from(JSON.stringify(idClaims({ sub: 'admin' }))).toString('base64url');
          return `Bearer ${h}.${p}.${s}`;
        },
        /the token signature is invalid/,
      ],
      ['an unknown kid', () => `Bearer ${signJwt(otherKey, idClaims())}`, /kid is not in the issuer's JWKS/],
      [
        'an expired token',
        () => `Bearer ${signJwt(key, idClaims({ exp: NOW_SECONDS - 1 }))}`,
        /the token has expired/,
      ],
      [
        'nbf in the future',
        () => `Bearer ${signJwt(key, idClaims({ nbf: NOW_SECONDS + 600 }))}`,
        /not valid yet/,
      ],
      [
        'iat in the future',
        () => `Bearer ${signJwt(key, idClaims({ iat: NOW_SECONDS + 600 }))}`,
        /issued in the future/,
      ],
      [
        'a wrong issuer',
        () => `Bearer ${signJwt(key, idClaims({ iss: 'http://evil/pool' }))}`,
        /valid issuer/,
      ],
      [
        'the issuer with a trailing slash',
        () => `Bearer ${signJwt(key, idClaims({ iss: `${ISSUER}/` }))}`,
        /valid issuer/,
      ],
      [
        'an ID token for another client',
        () => `Bearer ${signJwt(key, idClaims({ aud: 'other' }))}`,
        /valid audience/,
      ],
      [
        'an access token for another client_id',
        () => `Bearer ${signJwt(key, accessClaims({ client_id: 'other' }))}`,
        /valid audience/,
      ],
      [
        'aud for another client even when client_id matches (aud wins)',
        () => `Bearer ${signJwt(key, accessClaims({ aud: 'other' }))}`,
        /valid audience/,
      ],
      [
        'a token with neither aud nor client_id',
        () => `Bearer ${signJwt(key, accessClaims({ client_id: undefined }))}`,
        /valid audience/,
      ],
      [
        'a token_use other than id or access',
        () => `Bearer ${signJwt(key, idClaims({ token_use: 'refresh' }))}`,
        /not an id or access token/,
      ],
    ];

    it.each(forged())('%s', async (_name, authorization, reason) => {
      const gw = await start();
      const res = await post(gw, authorization());
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({ message: 'Unauthorized' });
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer scope="" error="invalid_token" error_description="[^"]+"$/,
      );
      expect(res.headers['www-authenticate']).toMatch(reason);
      expect(invoker.calls).toHaveLength(0);
      expect(log.infoLines()).toEqual([
        expect.stringMatching(/^POST \/uploads 401 \d+ms req=\S+ auth="[^"]+"$/),
      ]);
      expect(log.infoLines()[0]).toMatch(reason);
    });

    it('a validly signed ES256 token: AWS accepts only RSA algorithms', async () => {
      const ec = ecSigningKey('ec-1');
      jwks.keys = [key, ec];
      const gw = await start();
      const res = await post(gw, `Bearer ${ec.signEs256(idClaims())}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('signing method ES256 is invalid');
      expect(invoker.calls).toHaveLength(0);
    });

    it('judges exp against the gateway clock, not the real one', async () => {
      const gw = await start({ now: () => (NOW_SECONDS + 7200) * 1000 });
      const res = await post(gw, `Bearer ${signJwt(key, idClaims())}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('the token has expired');
    });

    it('re-fetches the JWKS once for an unknown kid, then not again while the penalty lasts', async () => {
      const gw = await start();
      expect((await post(gw, signJwt(key, idClaims()))).status).toBe(200);
      expect((await post(gw, signJwt(otherKey, idClaims()))).status).toBe(401);
      expect((await post(gw, signJwt(otherKey, idClaims()))).status).toBe(401);
      expect(jwks.fetches).toEqual([JWKS_URI, JWKS_URI]);
    });

    it('says so, and warns, when the JWKS cannot be loaded', async () => {
      const gw = await start({
        fetchJson: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9229')),
      });
      const res = await post(gw, `Bearer ${signJwt(key, idClaims())}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain("the issuer's JWKS could not be loaded");
      expect(log.lines).toContainEqual({ level: 'warn', message: expect.stringContaining('ECONNREFUSED') });
    });
  });

  describe('route scopes', () => {
    const getStreams = (gw: Gateway, token: string) =>
      request(gw.url, { path: '/streams', headers: { authorization: `Bearer ${token}` } });

    it('pass a token holding one of them, and the event carries all the token scopes', async () => {
      const gw = await start();
      const res = await getStreams(gw, signJwt(key, accessClaims({ scope: 'openid streams/read' })));
      expect(res.status).toBe(200);
      expect(invoker.calls[0]?.event.requestContext.authorizer?.jwt.scopes).toEqual([
        'openid',
        'streams/read',
      ]);
    });

    it('refuse with 403 Forbidden a valid token holding none of them, without invoking', async () => {
      const gw = await start();
      const res = await getStreams(gw, signJwt(key, accessClaims()));
      expect(res.status).toBe(403);
      expect(res.json()).toEqual({ message: 'Forbidden' });
      expect(res.headers['www-authenticate']).toBe(
        'Bearer scope="streams/admin streams/read" error="insufficient_scope" ' +
          'error_description="the token does not have a required scope"',
      );
      expect(invoker.calls).toHaveLength(0);
    });

    it('refuse an ID token, which has no scope claim', async () => {
      const gw = await start();
      expect((await getStreams(gw, signJwt(key, idClaims()))).status).toBe(403);
    });

    it('still answer 401 first when the token itself is bad', async () => {
      const gw = await start();
      const res = await getStreams(
        gw,
        signJwt(key, accessClaims({ scope: 'streams/read', exp: NOW_SECONDS - 5 })),
      );
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('scope="streams/admin streams/read"');
    });
  });

  it('leaves routes without an authorizer open', async () => {
    const gw = await start();
    const res = await request(gw.url, { path: '/health' });
    expect(res.status).toBe(200);
    expect(invoker.calls[0]?.event.requestContext).not.toHaveProperty('authorizer');
  });

  it('refuses at start an identity source it cannot read', async () => {
    const authorizer = {
      name: 'q',
      issuer: ISSUER,
      jwksUri: JWKS_URI,
      audience: [CLIENT_ID],
      identitySource: '$request.querystring.token',
    };
    await expect(start({ routes: [jwtRoute('GET /x', { authorizer })] })).rejects.toThrow(
      /not supported locally/,
    );
  });

  it('renders claims as API Gateway does: strings, [a b] arrays, nulls dropped, objects as JSON', () => {
    expect(renderClaims({ n: 1.5, b: false, s: 'x', a: ['a', 'b'], e: [], o: { k: 'v' }, z: null })).toEqual({
      n: '1.5',
      b: 'false',
      s: 'x',
      a: '[a b]',
      e: '[]',
      o: '{"k":"v"}',
    });
  });
});
