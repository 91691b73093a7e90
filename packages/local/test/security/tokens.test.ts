/**
 * Bad tokens against the running local stack: the real synthesized stack behind our HTTP API
 * gateway, real cognito-local tokens (a second app client and a second user pool are created in
 * it), and forgeries signed with cognito-local's own private key or with keys it never published.
 * Every case must end at the gateway: 401 with a reason in www-authenticate, no function run,
 * nothing stored in S3, nothing published to Kinesis.
 */
import {
  createClient,
  createPool,
  createUser,
  decodeJwt,
  expectNothingStoredOrPublished,
  internalsOf,
  leaks,
  publishedPublicKeyPem,
  type RsaKey,
  rsaKey,
  type SecurityStack,
  signEs256,
  signHs256,
  signIn,
  signRs256,
  signWithCognitoLocalKey,
  snapshot,
  startSecurityStack,
  type Tokens,
  tamper,
  tokensFor,
  UPLOAD_BODY,
  unsigned,
} from './support';

jest.setTimeout(60_000);

/** Everything the forgeries are made from, gathered once the stack runs. */
interface Material {
  demo: Tokens;
  admin: Tokens;
  idClaims: Record<string, unknown>;
  accessClaims: Record<string, unknown>;
  issuer: string;
  userPoolId: string;
  region: string;
  otherClientId: string;
  otherClient: Tokens;
  otherPool: Tokens;
  published: { kid: string; pem: string };
  attacker: RsaKey;
  now: number;
}

type Probe = { authorization?: string; cookie?: string; query?: string };
type TokenCase = [label: string, probe: (m: Material) => Probe, reason: RegExp];

const bearer = (token: string): Probe => ({ authorization: `Bearer ${token}` });
const withClaims = (base: Record<string, unknown>, changes: Record<string, unknown>) =>
  bearer(
    signWithCognitoLocalKey(
      Object.fromEntries(Object.entries({ ...base, ...changes }).filter(([, v]) => v !== undefined)),
    ),
  );

/**
 * The bad-token table. The first eighteen cover the issue's fifteen (alg none, a tampered claim
 * and an unknown key come in two variants each); then neighbours of them (other ways to present a
 * token, claim types, header tricks); last, the cases where our gateway pins a choice of its own.
 */
const CASES: TokenCase[] = [
  ['no Authorization header', () => ({}), /the token is missing/],
  ['an empty bearer', () => ({ authorization: 'Bearer ' }), /the token is missing/],
  ['garbage', () => bearer('not-a-jwt'), /the token is malformed/],
  [
    'alg "none" without a signature',
    (m) => bearer(unsigned({ alg: 'none', typ: 'JWT' }, m.idClaims)),
    /the token is malformed/,
  ],
  [
    'alg "none" with a signature and the pool’s kid',
    (m) => bearer(unsigned({ alg: 'none', kid: m.published.kid, typ: 'JWT' }, m.idClaims, 'AAAA')),
    /signing method none is invalid/,
  ],
  [
    'HS256 keyed with the pool’s published RSA public key',
    (m) => bearer(signHs256(m.published.pem, m.published.kid, m.idClaims)),
    /signing method HS256 is invalid/,
  ],
  [
    'a valid ID token with one claim tampered (sub of another user)',
    (m) => bearer(tamper(m.demo.id, { ...m.idClaims, sub: decodeJwt(m.admin.id).sub })),
    /the token signature is invalid/,
  ],
  [
    'a valid access token with one claim tampered (admin group added)',
    (m) => bearer(tamper(m.demo.access, { ...m.accessClaims, 'cognito:groups': ['admins'] })),
    /the token signature is invalid/,
  ],
  [
    'a token signed by an unknown key under the pool’s kid',
    (m) => bearer(signRs256(m.attacker.privateKey, { kid: m.published.kid }, m.idClaims)),
    /the token signature is invalid/,
  ],
  [
    'a token with an unknown kid',
    (m) => bearer(signRs256(m.attacker.privateKey, { kid: 'attacker-key' }, m.idClaims)),
    /kid is not in the issuer's JWKS/,
  ],
  [
    'an expired token',
    (m) => withClaims(m.idClaims, { iat: m.now - 7200, exp: m.now - 3600 }),
    /the token has expired/,
  ],
  ['nbf in the future', (m) => withClaims(m.idClaims, { nbf: m.now + 600 }), /the token is not valid yet/],
  [
    'a wrong issuer',
    (m) => withClaims(m.idClaims, { iss: 'https://idp.evil.example.com/local_x' }),
    /valid issuer/,
  ],
  [
    'an ID token from another user pool',
    (m) => bearer(m.otherPool.id),
    /the token does not have a valid issuer/,
  ],
  [
    'an ID token for another app client',
    (m) => bearer(m.otherClient.id),
    /the token does not have a valid audience/,
  ],
  [
    'an access token for another app client',
    (m) => bearer(m.otherClient.access),
    /the token does not have a valid audience/,
  ],
  // cognito-local's refresh token is an RS256 JWT without kid; Cognito's is encrypted (JWE) and
  // reads as malformed. Either way it is refused before any key is looked up.
  [
    'a refresh token used as a bearer',
    (m) => bearer(m.demo.refresh),
    /the token has no kid|the token is malformed/,
  ],
  [
    'the issuer with a trailing slash',
    (m) => withClaims(m.idClaims, { iss: `${m.issuer}/` }),
    /valid issuer/,
  ],
  // Neighbours of the list above.
  [
    'an access token from another user pool',
    (m) => bearer(m.otherPool.access),
    /the token does not have a valid issuer/,
  ],
  [
    'iat in the future',
    (m) => withClaims(m.idClaims, { iat: m.now + 600, exp: m.now + 4200 }),
    /issued in the future/,
  ],
  [
    'no exp at all (would never expire)',
    (m) => withClaims(m.idClaims, { exp: undefined }),
    /the token has no expiration time/,
  ],
  [
    'exp written as a string',
    (m) => withClaims(m.idClaims, { exp: String(m.now + 3600) }),
    /the token is malformed/,
  ],
  [
    'aud of another client beside our client_id (aud wins, as on AWS)',
    (m) => withClaims(m.accessClaims, { aud: m.otherClientId }),
    /valid audience/,
  ],
  [
    'neither aud nor client_id',
    (m) => withClaims(m.accessClaims, { client_id: undefined }),
    /valid audience/,
  ],
  [
    'an embedded jwk header carrying the attacker’s key',
    (m) =>
      bearer(
        signRs256(m.attacker.privateKey, { kid: 'attacker-key', jwk: m.attacker.publicJwk }, m.idClaims),
      ),
    /kid is not in the issuer's JWKS/,
  ],
  [
    'a jku header pointing at the attacker’s JWKS',
    (m) =>
      bearer(
        signRs256(
          m.attacker.privateKey,
          { kid: 'attacker-key', jku: 'http://127.0.0.1:9/jwks.json' },
          m.idClaims,
        ),
      ),
    /kid is not in the issuer's JWKS/,
  ],
  [
    'a validly signed ES256 token (AWS accepts RSA only)',
    (m) => bearer(signEs256('attacker-ec', m.idClaims)),
    /signing method ES256 is invalid/,
  ],
  [
    'Basic credentials instead of a bearer token',
    () => ({ authorization: `Basic ${Buffer.from('demo:secret').toString('base64')}` }),
    /the token is malformed/,
  ],
  [
    'two tokens in one header',
    (m) => ({ authorization: `Bearer ${m.demo.id} ${m.demo.id}` }),
    /the token is malformed/,
  ],
  [
    'the token in the query string only',
    (m) => ({ query: `access_token=${m.demo.id}` }),
    /the token is missing/,
  ],
  ['the token in a cookie only', (m) => ({ cookie: `id_token=${m.demo.id}` }), /the token is missing/],
  // Pinned local choices (SECURITY.md, "Local gateway and AWS").
  [
    'the AWS issuer form of the same pool (locally the issuer is cognito-local’s URL)',
    (m) => withClaims(m.idClaims, { iss: `https://cognito-idp.${m.region}.amazonaws.com/${m.userPoolId}` }),
    /valid issuer/,
  ],
  [
    'token_use "refresh" with a valid audience (stricter than AWS)',
    (m) => withClaims(m.idClaims, { token_use: 'refresh' }),
    /not an id or access token/,
  ],
  [
    'no token_use claim (stricter than AWS)',
    (m) => withClaims(m.idClaims, { token_use: undefined }),
    /not an id or access token/,
  ],
];

const ROUTES = [
  { method: 'POST', path: '/uploads', body: UPLOAD_BODY },
  { method: 'GET', path: '/streams' },
] as const;

describe('tokens against the local stack', () => {
  let s: SecurityStack;
  let m: Material;

  beforeAll(async () => {
    s = await startSecurityStack();
    const { cognito, region, users } = s.stack.config;
    const demo = await signIn(s.stack);
    const otherClientId = await createClient(s, cognito.userPoolId, 'another-app');
    const otherPoolId = await createPool(s, 'another-pool');
    const otherPoolClient = await createClient(s, otherPoolId, 'another-pool-app');
    const eve = await createUser(s, otherPoolId, 'eve@example.com');
    m = {
      demo,
      admin: await signIn(s.stack, 'admin'),
      idClaims: decodeJwt(demo.id),
      accessClaims: decodeJwt(demo.access),
      issuer: cognito.issuer,
      userPoolId: cognito.userPoolId,
      region,
      otherClientId,
      otherClient: await tokensFor(s, otherClientId, users.demo),
      otherPool: await tokensFor(s, otherPoolClient, eve),
      published: await publishedPublicKeyPem(cognito.issuer),
      attacker: rsaKey('attacker-key'),
      now: Math.floor(Date.now() / 1000),
    };
  });

  afterAll(async () => {
    await s?.close();
  });

  it('has at least the fifteen cases of the issue', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
    expect(new Set(CASES.map(([label]) => label)).size).toBe(CASES.length);
  });

  describe.each(ROUTES)('$method $path', (route) => {
    it.each(CASES)(
      'refuses %s: 401 with a reason, no function run, nothing stored or published',
      async (_label, probe, reason) => {
        const p = probe(m);
        const before = await snapshot(s);
        const invocationsBefore = s.invocations.length;
        const res = await s.send({
          method: route.method,
          path: p.query ? `${route.path}?${p.query}` : route.path,
          headers: {
            ...(p.authorization === undefined ? {} : { authorization: p.authorization }),
            ...(p.cookie ? { cookie: p.cookie } : {}),
            ...('body' in route ? { 'content-type': 'application/json' } : {}),
          },
          ...('body' in route ? { body: route.body } : {}),
        });
        expect(res.status).toBe(401);
        expect(res.json()).toEqual({ message: 'Unauthorized' });
        const challenge = String(res.headers['www-authenticate']);
        expect(challenge).toMatch(/^Bearer scope="" error="invalid_token" error_description="[^"]+"$/);
        expect(challenge).toMatch(reason);
        expect(s.invocations.length).toBe(invocationsBefore);
        await expectNothingStoredOrPublished(s, before);
        expect(leaks(`${res.text} ${challenge}`, internalsOf(s))).toEqual([]);
      },
    );
  });

  // After the refusals: an accepted upload starts the processor, which would disturb their counts.
  describe('tokens that are valid in every way', () => {
    it.each([
      ['an ID token', 'id', 'Bearer '],
      ['an access token', 'access', 'Bearer '],
      ['a bare ID token (AWS accepts the token without "Bearer")', 'id', ''],
      ['an access token after a lower-case "bearer"', 'access', 'bearer '],
    ] as const)(
      'pass POST /uploads with %s, and the object lands under the caller’s prefix',
      async (_label, kind, prefix) => {
        const before = s.apiInvocations();
        const res = await s.send({
          method: 'POST',
          path: '/uploads',
          headers: { authorization: `${prefix}${m.demo[kind]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ filename: 'valid.txt', content: 'hello' }),
        });
        expect(res.status).toBe(202);
        const key = (res.json() as { file_key: string }).file_key;
        expect(key).toMatch(new RegExp(`^uploads/${String(m.idClaims.sub)}/[0-9a-f-]{36}/valid\\.txt$`));
        expect(await s.objects()).toContain(`${s.dataBucket}/${key}`);
        expect(s.apiInvocations()).toBe(before + 1);
      },
    );

    it.each([
      ['the administrator’s ID token', 'admin', 'id', 200],
      ['the administrator’s access token', 'admin', 'access', 200],
      // Past the authorizer, the function decides: a signed-in user who is not an administrator.
      ['a user’s ID token (the function answers 403)', 'demo', 'id', 403],
    ] as const)('pass GET /streams with %s', async (_label, user, kind, status) => {
      const before = s.apiInvocations();
      const res = await s.send({
        method: 'GET',
        path: '/streams',
        headers: { authorization: `Bearer ${m[user][kind]}` },
      });
      expect(res.status).toBe(status);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(s.apiInvocations()).toBe(before + 1);
    });

    it('admit a token signed by the pool’s own key when every claim is right: the key is the trust anchor', async () => {
      const forged = signWithCognitoLocalKey({ ...m.idClaims, iat: m.now, exp: m.now + 600 });
      const res = await s.send({
        method: 'GET',
        path: '/streams',
        headers: { authorization: `Bearer ${forged}` },
      });
      expect(res.status).toBe(403);
    });
  });
});
