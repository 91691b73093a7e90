import { type Gateway, startGateway } from '../../src/gateway';
import type { CorsModel } from '../../src/gateway/cors';
import { localWebEntries } from '../../src/stack/model';
import { fakeInvoker, jwtRoute, NOW, ok, recordingLog, request, route } from './support';

const WEB = 'http://localhost:3000';
const CORS: CorsModel = {
  allowOrigins: [WEB],
  allowMethods: ['POST', 'GET', 'PUT', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
  exposeHeaders: [],
  maxAge: 600,
  allowCredentials: false,
};

describe('HTTP API gateway CORS, as the stack configures it', () => {
  let gateway: Gateway | undefined;
  let invoker: ReturnType<typeof fakeInvoker>;

  async function start(cors: CorsModel | null = CORS) {
    invoker = fakeInvoker(
      ok({ statusCode: 200, headers: { 'access-control-allow-origin': '*' }, body: '{"uploads":[]}' }),
    );
    gateway = await startGateway({
      port: 0,
      routes: [route('GET /uploads', { functionName: 'upload' }), jwtRoute('POST /uploads')],
      invoker,
      log: recordingLog(),
      now: () => NOW,
      ...(cors ? { cors } : {}),
    });
    return gateway;
  }

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  const preflight = (origin: string, method = 'DELETE') => ({
    method: 'OPTIONS',
    path: '/uploads/abc',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization',
    },
  });

  it('answers a preflight from an allowed origin itself, with no route and no function', async () => {
    const gw = await start();
    const res = await request(gw.url, preflight(WEB));
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': WEB,
      'access-control-allow-methods': 'POST,GET,PUT,DELETE,OPTIONS',
      'access-control-allow-headers': 'authorization,content-type,idempotency-key',
      'access-control-max-age': '600',
      vary: 'origin',
    });
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(invoker.calls).toHaveLength(0);
  });

  it('gives a preflight from another origin, or for a method not allowed, nothing a browser accepts', async () => {
    const gw = await start();
    for (const req of [preflight('https://evil.example'), preflight(WEB, 'PATCH')]) {
      const res = await request(gw.url, req);
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
    }
  });

  it("puts the allowed origin on the function's answer in place of the function's own CORS headers", async () => {
    const gw = await start();
    const res = await request(gw.url, { path: '/uploads', headers: { origin: WEB } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(WEB);
    const other = await request(gw.url, { path: '/uploads', headers: { origin: 'https://evil.example' } });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("puts it on the gateway's own refusals too, so that the page can read a 401 or a 404", async () => {
    const gw = await start();
    const unauthorized = await request(gw.url, {
      method: 'POST',
      path: '/uploads',
      headers: { origin: WEB },
    });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['access-control-allow-origin']).toBe(WEB);
    const missing = await request(gw.url, { path: '/nowhere', headers: { origin: WEB } });
    expect(missing.status).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe(WEB);
  });

  it('without a CORS configuration routes OPTIONS like any request and adds nothing', async () => {
    const gw = await start(null);
    const res = await request(gw.url, preflight(WEB));
    expect(res.status).toBe(404);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(gw.url, { path: '/uploads', headers: { origin: WEB } });
    expect(get.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('the stack’s web origins, locally', () => {
  it('are the local web client where the stack names its CloudFront distribution, and always include it', () => {
    expect(
      localWebEntries(
        ['http://localhost:3000', 'https://${aws_cloudfront_distribution.web_cdn_1A2B.domain_name}'],
        'http://localhost:41234',
      ),
    ).toEqual(['http://localhost:3000', 'http://localhost:41234']);
    expect(localWebEntries(['https://app.example.com'], 'http://localhost:3000')).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    expect(localWebEntries(['http://localhost:3000'], 'http://localhost:3000')).toEqual([
      'http://localhost:3000',
    ]);
  });
});
