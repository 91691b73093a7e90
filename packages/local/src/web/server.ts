import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import {
  renderIndexHtml,
  WEB_CONFIG_FILE,
  WEB_INDEX_FILE,
  WEB_SECURITY_HEADERS,
  type WebConfig,
  webCacheControl,
  webContentType,
} from '@streamdrop/config';
import { LocalError, PortInUseError } from '../errors';
import type { Log } from '../types';

export interface WebServerOptions {
  /** Interface to bind; loopback unless told otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** The built app (dist/web). */
  dir: string;
  /** What the app reads as /config.json; given the server's own URL once it listens. */
  config: (webUrl: string) => WebConfig;
  /** The Content-Security-Policy: the header, and the page's <meta> (see renderIndexHtml). */
  csp: (webUrl: string) => { header: string; meta: string };
  log: Log;
}

export interface WebServer {
  /** `localWebUrl(port)`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The web client's address: the stack's callback URLs name localhost, and so does the app's origin. */
export const localWebUrl = (port: number) => `http://localhost:${port}/`;

/** Fails, saying how to build it, when `dir` holds no built web client. */
export function assertWebBuilt(dir: string): void {
  if (!existsSync(join(dir, WEB_INDEX_FILE))) {
    throw new LocalError(`${dir} holds no built web client: run \`pnpm build\` (npm start builds it too).`);
  }
}

/** Every file of the built app, by its URL path: a few files, held in memory, so no path leads outside. */
function readApp(dir: string): Map<string, Buffer> {
  assertWebBuilt(dir);
  const files = new Map<string, Buffer>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(`/${relative(dir, path).split('\\').join('/')}`, readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

/**
 * Serves the web client as CloudFront serves it on AWS: the built files, `/config.json` for
 * this stack, the same security headers (a CSP naming exactly the local API, Cognito and S3),
 * the same caching rules. GET and HEAD only.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const files = readApp(options.dir);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError('web client', options.port) : err),
    );
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = localWebUrl(port);
  const csp = options.csp(url);
  const template = files.get(`/${WEB_INDEX_FILE}`)?.toString('utf8') ?? '';
  files.set(`/${WEB_INDEX_FILE}`, Buffer.from(renderIndexHtml(template, csp.meta)));
  files.set(`/${WEB_CONFIG_FILE}`, Buffer.from(`${JSON.stringify(options.config(url), null, 2)}\n`));

  const headers = {
    'content-security-policy': csp.header,
    'x-content-type-options': 'nosniff',
    'x-frame-options': WEB_SECURITY_HEADERS.frameOptions,
    'referrer-policy': WEB_SECURITY_HEADERS.referrerPolicy,
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      path = '/\u0000';
    }
    const file = path === '/' ? `/${WEB_INDEX_FILE}` : path;
    const body = files.get(file);
    let status = 200;
    if (method !== 'GET' && method !== 'HEAD') {
      status = 405;
      res.writeHead(status, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method Not Allowed\n');
    } else if (!body) {
      status = 404;
      res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end(method === 'HEAD' ? undefined : 'Not Found\n');
    } else {
      const name = file.slice(1);
      res.writeHead(status, {
        ...headers,
        'content-type': webContentType(name),
        'cache-control': webCacheControl(name),
        'content-length': body.length,
      });
      res.end(method === 'HEAD' ? undefined : body);
    }
    if (status !== 200) options.log.info(`web: ${method} ${path} ${status}`);
  });
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
