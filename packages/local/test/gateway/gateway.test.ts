import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { StackError } from '../../src/errors';
import { type Gateway, type GatewayOptions, startGateway } from '../../src/gateway';
import { formatRequestTime } from '../../src/gateway/event';
import type { RouteModel } from '../../src/types';
import { fakeInvoker, NOW, ok, recordingLog, request, route } from './support';

const ROUTES: RouteModel[] = [
  route('POST /uploads', { functionName: 'upload' }),
  route('GET /streams/{name}', { functionName: 'streams' }),
  route('ANY /files/{key+}', { functionName: 'files' }),
];

describe('HTTP API gateway', () => {
  let gateway: Gateway | undefined;
  let invoker: ReturnType<typeof fakeInvoker>;
  let log: ReturnType<typeof recordingLog>;

  async function start(overrides: Partial<GatewayOptions> = {}) {
    gateway = await startGateway({ port: 0, routes: ROUTES, invoker, log, now: () => NOW, ...overrides });
    return gateway;
  }

  beforeEach(() => {
    invoker = fakeInvoker(ok({ statusCode: 202, body: '' }));
    log = recordingLog();
  });

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  describe('routing', () => {
    it('invokes the function of the matching route with its path parameters', async () => {
      const gw = await start();
      const res = await request(gw.url, { path: '/streams/main%2Dstream' });
      expect(res.status).toBe(202);
      expect(invoker.calls).toHaveLength(1);
      expect(invoker.calls[0]?.functionName).toBe('streams');
      expect(invoker.calls[0]?.event.routeKey).toBe('GET /streams/{name}');
      expect(invoker.calls[0]?.event.pathParameters).toEqual({ name: 'main-stream' });
    });

    it('answers 404 {"message":"Not Found"} when no route matches, without invoking anything', async () => {
      const gw = await start();
      const res = await request(gw.url, { method: 'GET', path: '/uploads' });
      expect(res.status).toBe(404);
      expect(res.json()).toEqual({ message: 'Not Found' });
      expect(res.headers['content-type']).toBe('application/json');
      expect(invoker.calls).toHaveLength(0);
    });

    it('sends unmatched requests to $default with its route key and no path parameters', async () => {
      const gw = await start({ routes: [...ROUTES, route('$default', { functionName: 'fallback' })] });
      const res = await request(gw.url, { method: 'DELETE', path: '/anything/else?x=1' });
      expect(res.status).toBe(202);
      const call = invoker.calls[0];
      expect(call?.functionName).toBe('fallback');
      expect(call?.event.routeKey).toBe('$default');
      expect(call?.event.requestContext.routeKey).toBe('$default');
      expect(call?.event.rawPath).toBe('/anything/else');
      expect(call?.event).not.toHaveProperty('pathParameters');
    });

    it('refuses at start a route that is not payload format 2.0', async () => {
      await expect(start({ routes: [route('GET /x', { payloadFormatVersion: '1.0' })] })).rejects.toThrow(
        StackError,
      );
    });
  });

  describe('event', () => {
    it('builds the payload format 2.0 event of a JSON POST exactly as API Gateway does', async () => {
      const gw = await start();
      const body = JSON.stringify({ filename: 'a.txt', size: 3 });
      const res = await request(gw.url, {
        method: 'POST',
        path: '/uploads?tag=a&tag=b&empty=&q=a%20b',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'jest/1',
          'X-Dup': ['one', 'two'],
          Cookie: ['session=abc; theme=dark', 'lang=en'],
        },
        body,
      });
      expect(res.status).toBe(202);
      const event = invoker.calls[0]?.event;
      expect(event).toEqual({
        version: '2.0',
        routeKey: 'POST /uploads',
        rawPath: '/uploads',
        rawQueryString: 'tag=a&tag=b&empty=&q=a%20b',
        cookies: ['session=abc', 'theme=dark', 'lang=en'],
        headers: {
          'content-type': 'application/json',
          'user-agent': 'jest/1',
          'x-dup': 'one,two',
          'content-length': String(body.length),
          host: `127.0.0.1:${gw.port}`,
          'x-forwarded-for': '127.0.0.1',
          'x-forwarded-port': String(gw.port),
          'x-forwarded-proto': 'http',
          'x-amzn-trace-id': expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
        },
        queryStringParameters: { tag: 'a,b', empty: '', q: 'a b' },
        requestContext: {
          accountId: '123456789012',
          apiId: 'local',
          domainName: `127.0.0.1:${gw.port}`,
          domainPrefix: '127',
          http: {
            method: 'POST',
            path: '/uploads',
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: 'jest/1',
          },
          requestId: res.headers['apigw-requestid'],
          routeKey: 'POST /uploads',
          stage: '$default',
          time: '15/Jan/2030:08:30:05 +0000',
          timeEpoch: NOW,
        },
        body,
        isBase64Encoded: false,
      });
    });

    it('passes a binary body base64-encoded with isBase64Encoded true', async () => {
      const gw = await start();
      const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
      await request(gw.url, {
        method: 'POST',
        path: '/uploads',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      const event = invoker.calls[0]?.event;
      expect(event?.isBase64Encoded).toBe(true);
      expect(Buffer.from(event?.body ?? '', 'base64')).toEqual(bytes);
    });

    it.each([
      ['text/plain; charset=utf-8', false],
      ['application/json', false],
      ['application/vnd.api+json', false],
      ['application/xml', false],
      ['image/svg+xml', false],
      ['application/javascript', false],
      ['application/x-www-form-urlencoded', true],
      ['image/png', true],
      [undefined, true],
    ])('passes a %s body base64-encoded: %s', async (contentType, base64) => {
      const gw = await start();
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      await request(gw.url, { method: 'POST', path: '/uploads', headers, body: 'a=1' });
      const event = invoker.calls[0]?.event;
      expect(event?.isBase64Encoded).toBe(base64);
      expect(event?.body).toBe(base64 ? Buffer.from('a=1').toString('base64') : 'a=1');
    });

    it('omits body, cookies, queryStringParameters and pathParameters when the request has none', async () => {
      const gw = await start();
      await request(gw.url, { method: 'POST', path: '/uploads' });
      const event = invoker.calls[0]?.event;
      expect(event?.rawQueryString).toBe('');
      expect(event?.isBase64Encoded).toBe(false);
      for (const key of ['body', 'cookies', 'queryStringParameters', 'pathParameters', 'stageVariables']) {
        expect(event).not.toHaveProperty(key);
      }
      expect(event?.requestContext).not.toHaveProperty('authorizer');
    });

    it('passes a greedy path variable with its slashes', async () => {
      const gw = await start();
      await request(gw.url, { method: 'PUT', path: '/files/2026/11/report.pdf' });
      expect(invoker.calls[0]?.event.pathParameters).toEqual({ key: '2026/11/report.pdf' });
      expect(invoker.calls[0]?.event.requestContext.http.method).toBe('PUT');
    });

    it('gives every request its own AWS-like request id, also in apigw-requestid', async () => {
      const gw = await start();
      const a = await request(gw.url, { method: 'POST', path: '/uploads' });
      const b = await request(gw.url, { method: 'GET', path: '/nowhere' });
      expect(a.headers['apigw-requestid']).toMatch(/^[A-Za-z0-9+/]{15}=$/);
      expect(b.headers['apigw-requestid']).toMatch(/^[A-Za-z0-9+/]{15}=$/);
      expect(a.headers['apigw-requestid']).not.toBe(b.headers['apigw-requestid']);
      expect(invoker.calls[0]?.event.requestContext.requestId).toBe(a.headers['apigw-requestid']);
    });

    it('formats requestContext.time like AWS', () => {
      expect(formatRequestTime(Date.UTC(2026, 10, 21, 10, 0, 0))).toBe('21/Nov/2026:10:00:00 +0000');
      expect(formatRequestTime(Date.UTC(2027, 0, 2, 3, 4, 5, 678))).toBe('02/Jan/2027:03:04:05 +0000');
    });
  });

  describe('payload limit', () => {
    const big = Buffer.alloc(2048, 'x');

    it('answers 413 to a declared body over the cap without invoking', async () => {
      const gw = await start({ maxPayloadBytes: 1024 });
      const res = await request(gw.url, { method: 'POST', path: '/uploads', body: big });
      expect(res.status).toBe(413);
      expect(res.json()).toEqual({ message: 'Request Entity Too Large' });
      expect(invoker.calls).toHaveLength(0);
    });

    it('answers 413 to a chunked body that grows past the cap without invoking', async () => {
      const gw = await start({ maxPayloadBytes: 1024 });
      const res = await request(gw.url, { method: 'POST', path: '/uploads', body: big, chunked: true });
      expect(res.status).toBe(413);
      expect(invoker.calls).toHaveLength(0);
    });

    it('answers 413 at once to a declared length over the cap, without waiting for the body', async () => {
      const gw = await start({ maxPayloadBytes: 1024 });
      const res = await request(gw.url, {
        method: 'POST',
        path: '/uploads',
        headers: { 'content-length': String(100 * 1024 * 1024) },
        body: 'only the start of it',
      });
      expect(res.status).toBe(413);
      expect(res.headers.connection).toBe('close');
      expect(invoker.calls).toHaveLength(0);
    });

    it('drops a request whose client goes away mid-upload, quietly, and keeps serving', async () => {
      const gw = await start();
      await new Promise<void>((resolve) => {
        const r = httpRequest({
          host: '127.0.0.1',
          port: gw.port,
          method: 'POST',
          path: '/uploads',
          agent: false,
        });
        r.setHeader('content-length', '1000');
        r.on('error', () => resolve());
        r.write('only ten b', () => setTimeout(() => r.destroy(), 20));
      });
      const res = await request(gw.url, { method: 'POST', path: '/uploads' });
      expect(res.status).toBe(202);
      expect(invoker.calls).toHaveLength(1);
      expect(log.lines.filter((l) => l.level !== 'info')).toEqual([]);
      expect(log.infoLines()).toHaveLength(1);
    });

    it('accepts a body of exactly the cap', async () => {
      const gw = await start({ maxPayloadBytes: 2048 });
      const res = await request(gw.url, { method: 'POST', path: '/uploads', body: big, chunked: true });
      expect(res.status).toBe(202);
      expect(invoker.calls[0]?.event.body).toBe(big.toString('base64'));
    });
  });

  describe('integration errors', () => {
    it('answers 503 when the invoker reports a function timeout', async () => {
      invoker.respond = () => ({
        ok: false,
        kind: 'timeout',
        error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds' },
        durationMs: 3000,
      });
      const gw = await start();
      const res = await request(gw.url, { method: 'POST', path: '/uploads' });
      expect(res.status).toBe(503);
      expect(res.json()).toEqual({ message: 'Service Unavailable' });
    });

    it('answers 503 when the integration timeout passes before the function answers', async () => {
      invoker.respond = () => new Promise((resolve) => setTimeout(() => resolve(ok({})()), 500));
      const gw = await start({ routes: [route('POST /uploads', { timeoutMs: 50 })] });
      const started = Date.now();
      const res = await request(gw.url, { method: 'POST', path: '/uploads' });
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(400);
      expect(log.infoLines()[0]).toMatch(/ 503 \d+ms req=\S+ fn=fn gateway-timeout: no answer within 50ms$/);
    });

    it('answers 500 {"message":"Internal Server Error"} when the function throws, hiding its message', async () => {
      invoker.respond = () => ({
        ok: false,
        kind: 'error',
        error: { errorType: 'TypeError', errorMessage: 'secret bucket name in here' },
        durationMs: 4,
      });
      const gw = await start();
      const res = await request(gw.url, { method: 'POST', path: '/uploads' });
      expect(res.status).toBe(500);
      expect(res.text).toBe('{"message":"Internal Server Error"}');
    });

    it('answers 500 when the invoker itself fails, and logs it', async () => {
      invoker.respond = () => Promise.reject(new Error('worker crashed'));
      const gw = await start();
      const res = await request(gw.url, { method: 'POST', path: '/uploads' });
      expect(res.status).toBe(500);
      expect(log.lines.some((l) => l.level === 'error' && l.message.includes('worker crashed'))).toBe(true);
      expect(log.infoLines()).toEqual([
        expect.stringMatching(
          /^POST \/uploads 500 \d+ms req=\S+ fn=upload error: InvokerError: worker crashed$/,
        ),
      ]);
    });
  });

  describe('response mapping', () => {
    it('maps statusCode, headers, cookies and a base64 body of a structured response', async () => {
      const png = Buffer.from([137, 80, 78, 71, 0, 255]);
      invoker.respond = ok({
        statusCode: 201,
        headers: { 'Content-Type': 'image/png', 'X-Count': 3, 'X-Flag': true },
        cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
        body: png.toString('base64'),
        isBase64Encoded: true,
      });
      const gw = await start();
      const res = await request(gw.url, { method: 'POST', path: '/uploads' });
      expect(res.status).toBe(201);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['x-count']).toBe('3');
      expect(res.headers['x-flag']).toBe('true');
      expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
      expect(res.headers['apigw-requestid']).toBeDefined();
      expect(res.body).toEqual(png);
    });

    it('defaults a structured response without content-type to text/plain', async () => {
      invoker.respond = ok({ statusCode: 200, body: 'hello' });
      const gw = await start();
      const res = await request(gw.url, { method: 'POST', path: '/uploads' });
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.text).toBe('hello');
    });

    it.each([
      [{ message: 'Hello from Lambda!' }, '{"message":"Hello from Lambda!"}'],
      ['Hello from Lambda!', 'Hello from Lambda!'],
      [[1, 2], '[1,2]'],
      [42, '42'],
      [undefined, 'null'],
    ])('infers 200 application/json for a result without statusCode: %j', async (result, body) => {
      invoker.respond = ok(result);
      const gw = await start();
      const res = await request(gw.url, { method: 'POST', path: '/uploads' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.text).toBe(body);
    });

    it.each([
      [{ statusCode: '200', body: '' }, 'statusCode must be an integer'],
      [{ statusCode: 99 }, 'statusCode must be an integer'],
      [{ statusCode: 200, body: { a: 1 } }, 'body must be a string'],
      [{ statusCode: 200, headers: { a: { b: 1 } } }, 'headers must be an object'],
      [{ statusCode: 200, cookies: 'a=1' }, 'cookies must be an array'],
      [{ statusCode: 200, headers: { 'x-bad': 'line\nbreak' } }, 'Invalid character'],
    ])('answers 500 to a structured response AWS could not use: %j', async (result, reason) => {
      invoker.respond = ok(result);
      const gw = await start();
      const res = await request(gw.url, { method: 'POST', path: '/uploads' });
      expect(res.status).toBe(500);
      expect(res.json()).toEqual({ message: 'Internal Server Error' });
      expect(log.infoLines()[0]).toContain(reason);
    });
  });

  describe('access log', () => {
    it('writes one line per request with method, path, status, duration and request id', async () => {
      const gw = await start();
      const a = await request(gw.url, { method: 'POST', path: '/uploads?x=1' });
      await request(gw.url, { method: 'GET', path: '/missing' });
      expect(log.infoLines()).toEqual([
        expect.stringMatching(
          new RegExp(`^POST /uploads 202 \\d+ms req=${escapeRegExp(a.headers['apigw-requestid'])}$`),
        ),
        expect.stringMatching(/^GET \/missing 404 \d+ms req=\S+$/),
      ]);
    });
  });

  describe('close', () => {
    it('frees the port, idle keep-alive connections included', async () => {
      const gw = await start();
      const agent = new Agent({ keepAlive: true });
      const res = await request(gw.url, { method: 'POST', path: '/uploads', agent });
      expect(res.status).toBe(202);
      expect(Object.keys(agent.freeSockets)).toHaveLength(1);
      await gw.close();
      gateway = undefined;
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(gw.port, '127.0.0.1', resolve);
      });
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    });

    it('does not wait for a request still in flight', async () => {
      invoker.respond = () => new Promise((resolve) => setTimeout(() => resolve(ok({})()), 300));
      const gw = await start({ routes: [route('POST /uploads', { timeoutMs: 1000 })] });
      const pending = request(gw.url, { method: 'POST', path: '/uploads' }).then(
        (res) => `answered ${res.status}`,
        (err: Error) => err.message,
      );
      while (invoker.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const started = Date.now();
      await gw.close();
      gateway = undefined;
      expect(Date.now() - started).toBeLessThan(200);
      expect(await pending).toMatch(/socket hang up|ECONNRESET/);
    });

    it('reports a taken port as PortInUseError', async () => {
      const gw = await start();
      await expect(startGateway({ port: gw.port, routes: ROUTES, invoker, log })).rejects.toThrow(
        /Port \d+ \(HTTP API gateway\) is already in use/,
      );
    });
  });
});

function escapeRegExp(value: unknown): string {
  return String(value).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
