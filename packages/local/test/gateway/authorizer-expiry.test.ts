/**
 * A token must carry `exp`. The library the authorizer builds on only checks exp when it is
 * present, so a validly signed token without one would be admitted forever; AWS documents exp as a
 * claim that "must be after the current time", which a missing exp cannot be.
 */
import { type Gateway, startGateway } from '../../src/gateway';
import {
  accessClaims,
  fakeInvoker,
  idClaims,
  jwksSource,
  jwtRoute,
  NOW,
  NOW_SECONDS,
  ok,
  recordingLog,
  request,
  type SigningKey,
  signingKey,
  signJwt,
} from './support';

describe('JWT authorizer: expiry is required', () => {
  let key: SigningKey;
  let gateway: Gateway | undefined;
  let invoker: ReturnType<typeof fakeInvoker>;

  beforeAll(() => {
    key = signingKey('key-1');
  });

  beforeEach(async () => {
    invoker = fakeInvoker(ok({ statusCode: 200, body: 'ok' }));
    gateway = await startGateway({
      port: 0,
      routes: [jwtRoute('POST /uploads', { functionName: 'upload' })],
      invoker,
      log: recordingLog(),
      fetchJson: jwksSource([key]).fetchJson,
      now: () => NOW,
    });
  });

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  const post = (token: string) =>
    request(gateway?.url ?? '', {
      method: 'POST',
      path: '/uploads',
      headers: { authorization: `Bearer ${token}` },
    });

  it.each([
    ['an ID token', idClaims({ exp: undefined })],
    ['an access token', accessClaims({ exp: undefined })],
  ])('refuses %s without exp with 401 and does not invoke', async (_label, claims) => {
    const res = await post(signJwt(key, claims));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer scope="" error="invalid_token" error_description="the token has no expiration time"',
    );
    expect(invoker.calls).toHaveLength(0);
  });

  it('still admits the same token once it carries an exp in the future', async () => {
    const res = await post(signJwt(key, idClaims({ exp: NOW_SECONDS + 60 })));
    expect(res.status).toBe(200);
    expect(invoker.calls).toHaveLength(1);
  });

  it('refuses an exp that is exactly now (exp must be after the current time)', async () => {
    const res = await post(signJwt(key, idClaims({ exp: NOW_SECONDS })));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('the token has expired');
  });
});
