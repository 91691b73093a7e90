import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEB_CSP_PLACEHOLDER, type WebConfig } from '@streamdrop/config';
import { LocalError } from '../../src/errors';
import { silentLog } from '../../src/types';
import { startWebServer, type WebServer } from '../../src/web/server';

const CONFIG: WebConfig = {
  version: 1,
  apiUrl: 'http://127.0.0.1:3001',
  region: 'us-east-1',
  auth: {
    clientId: 'client',
    issuer: 'http://127.0.0.1:9229/local_pool',
    authorizeUrl: 'http://127.0.0.1:9229/oauth2/authorize',
    tokenUrl: 'http://127.0.0.1:9229/oauth2/token',
    scopes: ['openid'],
  },
  adminGroup: 'admins',
};

let dir: string;
let server: WebServer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'streamdrop-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    `<head>${WEB_CSP_PLACEHOLDER}<script src="assets/app-1.js"></script>`,
  );
  writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const start = () =>
  startWebServer({
    port: 0,
    dir,
    config: () => CONFIG,
    csp: () => ({ header: "default-src 'none'; frame-ancestors 'none'", meta: "default-src 'none'" }),
    log: silentLog,
  });

describe('the local web server', () => {
  it('serves the page at / with its policy as a header and as a <meta>, revalidated every time', async () => {
    server = await start();
    expect(server.url).toBe(`http://localhost:${server.port}/`);
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.text()).toBe(
      `<head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><script src="assets/app-1.js"></script>`,
    );
  });

  it('serves config.json for this stack, and the assets, cached for good', async () => {
    server = await start();
    const config = await fetch(`http://127.0.0.1:${server.port}/config.json`);
    expect(config.headers.get('cache-control')).toBe('no-cache');
    expect(await config.json()).toEqual(CONFIG);
    const asset = await fetch(`http://127.0.0.1:${server.port}/assets/app-1.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log(1)');
  });

  it('serves nothing outside the built app, and only GET and HEAD', async () => {
    server = await start();
    const base = `http://127.0.0.1:${server.port}`;
    for (const path of ['/nope', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/%E0%A4%A']) {
      expect((await fetch(`${base}${path}`)).status).toBe(404);
    }
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('refuses to start without a built app, saying how to build it', async () => {
    rmSync(join(dir, 'index.html'));
    await expect(start()).rejects.toThrow(LocalError);
    await expect(start()).rejects.toThrow(/run `pnpm build`/);
  });
});
