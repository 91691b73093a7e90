import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { PortInUseError, StackError } from '../errors';
import type { InvokeResult, Invoker, Log, RouteModel } from '../types';
import { JwtAuthorizers } from './authorizer';
import {
  type CorsModel,
  isPreflight,
  preflightHeaders,
  responseCorsHeaders,
  withoutCorsHeaders,
} from './cors';
import { buildEvent } from './event';
import { type GatewayResponse, mapFunctionResult, messageResponse } from './response';
import { compileRoutes } from './route-match';

export interface GatewayOptions {
  /** Interface to bind; loopback unless told otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  routes: RouteModel[];
  invoker: Invoker;
  log: Log;
  /** Request bodies above this are refused with 413 (HTTP API quota: 10 MB). */
  maxPayloadBytes?: number;
  /** Loads a JWKS; the default allows http: because cognito-local serves its JWKS over http. */
  fetchJson?: (url: string) => Promise<unknown>;
  /** Clock in epoch ms for the event's time and the token's exp/nbf/iat. */
  now?: () => number;
  /** Told of every answer, the gateway's own included (the local runtime's API metrics). */
  onResponse?: (statusCode: number, latencyMs: number) => void;
  /** The API's CORS configuration (the stack's `cors_configuration`); none: no CORS at all. */
  cors?: CorsModel;
}

export interface Gateway {
  url: string;
  port: number;
  /** Stops listening and drops every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

const DEFAULT_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const JWKS_TIMEOUT_MS = 5_000;

async function fetchJsonOverHttp(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

/** AWS request ids look like `Mc7UVioPPHcEKPA=`: 11 random bytes in base64. */
function newRequestId(): string {
  return randomBytes(11).toString('base64');
}

/** Reads the body up to `max` bytes; beyond that the rest is discarded, never held in memory. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    if (Number(req.headers['content-length']) > max) {
      req.resume();
      return resolve('too-large');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
      else if (chunks.length > 0) chunks.length = 0;
    });
    req.on('end', () => resolve(size > max ? 'too-large' : Buffer.concat(chunks)));
    // A client that gives up mid-upload (a cancelled browser upload) gets no answer and no log noise;
    // node reports it as an 'aborted' error, or only as a close before the body completed.
    req.on('error', () => resolve('aborted'));
    req.on('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

type Outcome = InvokeResult | { ok: false; kind: 'gateway-timeout' };

/** The invoker enforces the function's timeout; this enforces the integration's (HTTP API max 30 s). */
async function invokeWithin(invoker: Invoker, route: RouteModel, event: unknown): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, kind: 'gateway-timeout' }), route.timeoutMs);
    // A request cut off by close() must not keep the process alive until its timeout.
    timer.unref();
  });
  const invocation = invoker.invoke(route.functionName, event);
  // A late failure after the timeout already answered must not surface as an unhandled rejection.
  invocation.catch(() => undefined);
  try {
    return await Promise.race([invocation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, response: GatewayResponse): void {
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': response.body.length });
  res.end(response.body);
}

/**
 * Starts the local HTTP API: CORS as the API's configuration says (preflights answered by the
 * gateway itself, headers on every answer), route selection, JWT authorizer, payload format 2.0
 * events, response mapping and AWS's error answers. Without a CORS configuration an OPTIONS
 * request is routed like any other.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { invoker, log } = options;
  const host = options.host ?? '127.0.0.1';
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const now = options.now ?? Date.now;
  for (const route of options.routes) {
    if (route.payloadFormatVersion !== '2.0') {
      throw new StackError(`Route "${route.routeKey}": only payload format 2.0 integrations run locally.`);
    }
  }
  const table = compileRoutes(options.routes);
  const authorizers = new JwtAuthorizers({ fetchJson: options.fetchJson ?? fetchJsonOverHttp, now, log });
  for (const route of options.routes) authorizers.validate(route);

  async function handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
    const started = performance.now();
    const requestId = newRequestId();
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawPath = q === -1 ? target : target.slice(0, q);
    let note = '';
    const cors = options.cors;
    const reply = (response: GatewayResponse) => {
      const headers = cors
        ? { ...withoutCorsHeaders(response.headers), ...responseCorsHeaders(cors, req.headers) }
        : response.headers;
      send(res, { ...response, headers: { ...headers, 'apigw-requestid': requestId } });
      const ms = Math.round(performance.now() - started);
      options.onResponse?.(response.statusCode, ms);
      log.info(`${method} ${rawPath} ${response.statusCode} ${ms}ms req=${requestId}${note}`);
    };

    if (options.cors && isPreflight(method, req.headers)) {
      req.resume();
      const ms = Math.round(performance.now() - started);
      send(res, {
        statusCode: 204,
        headers: { ...preflightHeaders(options.cors, req.headers), 'apigw-requestid': requestId },
        body: Buffer.alloc(0),
      });
      options.onResponse?.(204, ms);
      log.info(`${method} ${rawPath} 204 ${ms}ms req=${requestId} (CORS preflight)`);
      return;
    }
    const body = await readBody(req, maxPayloadBytes);
    if (body === 'aborted') return;
    if (body === 'too-large') {
      // Close the connection: the rest of the upload is not worth reading.
      return reply(messageResponse(413, 'Request Entity Too Large', { connection: 'close' }));
    }
    const match = table.match(method, rawPath);
    if (!match) return reply(messageResponse(404, 'Not Found'));
    const { route } = match;

    let authorizer: Awaited<ReturnType<JwtAuthorizers['authorize']>> | undefined;
    if (route.authorizationType === 'JWT') {
      authorizer = await authorizers.authorize(route, req.headers);
      if (!authorizer.ok) {
        note = ` auth="${authorizer.reason}"`;
        const message = authorizer.statusCode === 403 ? 'Forbidden' : 'Unauthorized';
        return reply(
          messageResponse(authorizer.statusCode, message, { 'www-authenticate': authorizer.wwwAuthenticate }),
        );
      }
    }

    const timeEpoch = now();
    const event = buildEvent(
      {
        method,
        rawPath,
        rawQueryString: q === -1 ? '' : target.slice(q + 1),
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        protocol: `HTTP/${req.httpVersion}`,
        localPort: port,
        requestId,
        timeEpoch,
      },
      match,
      authorizer?.ok ? authorizer.context : undefined,
    );

    const outcome = await invokeWithin(invoker, route, event).catch((err: unknown): Outcome => {
      // The runner failing is our bug, not the function's: say so loudly, answer like AWS would.
      log.error(
        `gateway: invoking ${route.functionName} failed: ${err instanceof Error ? err.stack : String(err)}`,
      );
      const errorMessage = err instanceof Error ? err.message : String(err);
      return { ok: false, kind: 'error', error: { errorType: 'InvokerError', errorMessage }, durationMs: 0 };
    });
    if (!outcome.ok) {
      const what =
        outcome.kind === 'gateway-timeout'
          ? `no answer within ${route.timeoutMs}ms`
          : `${outcome.error.errorType}: ${outcome.error.errorMessage}`;
      note = ` fn=${route.functionName} ${outcome.kind}: ${what}`;
      // AWS answers a timed-out integration with 503 and a failed function with 500, never with details.
      return outcome.kind === 'error'
        ? reply(messageResponse(500, 'Internal Server Error'))
        : reply(messageResponse(503, 'Service Unavailable'));
    }
    const mapped = mapFunctionResult(outcome.result);
    if (!mapped.ok) {
      note = ` fn=${route.functionName} invalid response: ${mapped.reason}`;
      return reply(messageResponse(500, 'Internal Server Error'));
    }
    try {
      reply(mapped.response);
    } catch (err) {
      // writeHead validates names and values before writing anything, so a 500 can still go out.
      note = ` fn=${route.functionName} invalid response: ${err instanceof Error ? err.message : String(err)}`;
      reply(messageResponse(500, 'Internal Server Error'));
    }
  }

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError('HTTP API gateway', options.port) : err),
    );
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, port).catch((err: unknown) => {
      log.error(
        `gateway: ${req.method} ${req.url} failed: ${err instanceof Error ? err.stack : String(err)}`,
      );
      if (!res.headersSent) send(res, messageResponse(500, 'Internal Server Error'));
      else res.destroy();
    });
  });

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Shutdown must not wait for idle keep-alive sockets, nor for a function that may run 30 s.
        server.closeAllConnections();
      }),
  };
}
