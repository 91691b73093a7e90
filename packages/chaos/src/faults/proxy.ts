import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_ACCOUNT_ID, type Log } from '@streamdrop/local';
import type { Random } from './random';
import type { VersionLog } from './version-log';

/** What a proxy reads before each request, so that faults can be changed while the stack runs. */
export interface ProxyFaults {
  /** Share (0..1) of eligible requests answered with an injected error. */
  errorRate: number;
  /** Added latency, uniform in [min, max] ms (S3 only). */
  latencyMs?: { min: number; max: number };
}

export interface FaultProxyOptions {
  /** `s3` answers like S3 (XML errors), `kinesis` like Kinesis (JSON 1.1 errors). */
  kind: 's3' | 'kinesis';
  /** The emulator behind the proxy, e.g. `http://127.0.0.1:4568`. */
  upstream: string;
  faults: () => ProxyFaults;
  /** Decides which requests fail (and, for S3, with which error). */
  random: Random;
  /** Draws the added latency. */
  latencyRandom?: Random;
  /** S3 only: every object version the emulator accepted is appended here. */
  versionLog?: VersionLog;
  /** Kinesis only: to name the shard in the throttling message, as Kinesis does (even split of the hash space). */
  shardCount?: number;
  accountId?: string;
  log: Log;
}

export interface ProxyStats {
  requests: number;
  forwarded: number;
  /** Injected errors by code (SlowDown, InternalError, ProvisionedThroughputExceededException). */
  injected: Record<string, number>;
  addedLatencyMs: number;
  /**
   * Forwarded requests by the HTTP status the emulator answered: e.g. how many conditional writes
   * S3 refused (412) rather than carried out.
   */
  answered: Record<string, number>;
}

export interface FaultProxy {
  url: string;
  port: number;
  stats(): ProxyStats;
  /** The next `count` eligible requests fail, whatever the rate (tests: "throttled for a few requests"); 0 ends that. */
  failNext(count: number): void;
  close(): Promise<void>;
}

/** Kinesis operations that Kinesis itself throttles per shard with ProvisionedThroughputExceededException. */
const THROTTLED_KINESIS_OPERATIONS = new Set(['PutRecord', 'PutRecords', 'GetRecords']);

const S3_ERRORS = [
  { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
] as const;

function readAll(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

const escapeXml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

/** `/bucket/key…?query` (path style, as the functions address s3rver) split into its parts. */
export function parseS3Path(url: string): { bucket: string; key: string; query: URLSearchParams } {
  const parsed = new URL(url, 'http://localhost');
  const [, bucket = '', ...rest] = parsed.pathname.split('/');
  return {
    bucket: decodeURIComponent(bucket),
    key: rest.map((segment) => decodeURIComponent(segment)).join('/'),
    query: parsed.searchParams,
  };
}

/** The shard a partition key maps to when the hash key space is split evenly (kinesalite's layout). */
export function shardIdFor(partitionKey: string, shardCount: number): string {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey).digest('hex')}`);
  const index = Number((hash * BigInt(Math.max(1, shardCount))) >> 128n);
  return `shardId-${String(index).padStart(12, '0')}`;
}

/**
 * A small HTTP proxy in front of an emulator for the functions' traffic only. With the configured
 * probability it answers a request itself with exactly what AWS sends when it sheds load (so the
 * SDK's own retry logic is what gets exercised); otherwise it forwards the request unchanged (the
 * Host header included, so SigV4 signatures still verify) once its body has fully arrived — S3
 * stores a PUT atomically, whereas s3rver would keep a truncated object from a request that was
 * cut off by a crashing function.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const stats: ProxyStats = { requests: 0, forwarded: 0, injected: {}, addedLatencyMs: 0, answered: {} };
  let forced = 0;
  const account = options.accountId ?? LOCAL_ACCOUNT_ID;

  const injected = (code: string) => {
    stats.injected[code] = (stats.injected[code] ?? 0) + 1;
  };

  const shouldFail = (rate: number): boolean => {
    if (forced > 0) {
      forced -= 1;
      return true;
    }
    // Always draw, so that the sequence of decisions does not depend on the rate being 0.
    return options.random() < rate;
  };

  function answerS3Error(req: IncomingMessage, res: ServerResponse): void {
    const error = S3_ERRORS[options.random() < 0.5 ? 0 : 1];
    injected(error.code);
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const hostId = randomBytes(48).toString('base64');
    const resource = new URL(req.url ?? '/', 'http://localhost').pathname;
    const body =
      req.method === 'HEAD'
        ? ''
        : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${error.message}</Message>` +
          `<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
    res.writeHead(error.status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId,
      server: 'AmazonS3',
      date: new Date().toUTCString(),
    });
    res.end(body);
  }

  function answerKinesisThrottle(res: ServerResponse, body: Buffer): void {
    const type = 'ProvisionedThroughputExceededException';
    injected(type);
    let stream = 'unknown';
    let shard = 'shardId-000000000000';
    try {
      const input = JSON.parse(body.toString('utf8')) as {
        StreamName?: string;
        StreamARN?: string;
        PartitionKey?: string;
        Records?: Array<{ PartitionKey?: string }>;
      };
      stream = input.StreamName ?? input.StreamARN?.split('/').pop() ?? stream;
      const key = input.PartitionKey ?? input.Records?.[0]?.PartitionKey;
      if (key !== undefined) shard = shardIdFor(key, options.shardCount ?? 1);
    } catch {
      // A body that is not JSON is throttled all the same; the message is only for people.
    }
    const payload = JSON.stringify({
      __type: type,
      message: `Rate exceeded for shard ${shard} in stream ${stream} under account ${account}.`,
    });
    res.writeHead(400, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': `${type}:`,
      'x-amz-id-2': randomBytes(48).toString('base64'),
      date: new Date().toUTCString(),
    });
    res.end(payload);
  }

  /** Which object version a successful S3 request created, if any. */
  function versionOf(
    req: IncomingMessage,
    status: number,
  ): { bucket: string; key: string; op: 'put' | 'copy' | 'complete' | 'delete' } | undefined {
    const { bucket, key, query } = parseS3Path(req.url ?? '/');
    if (!key || status < 200 || status >= 300) return undefined;
    if (req.method === 'PUT' && !query.has('partNumber') && !query.has('uploadId') && !query.has('tagging')) {
      return { bucket, key, op: req.headers['x-amz-copy-source'] ? 'copy' : 'put' };
    }
    if (req.method === 'POST' && query.has('uploadId')) return { bucket, key, op: 'complete' };
    if (req.method === 'DELETE' && !query.has('uploadId')) return { bucket, key, op: 'delete' };
    return undefined;
  }

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    stats.forwarded += 1;
    const headers = { ...req.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const upstreamReq = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (upstreamRes) => {
        const status = upstreamRes.statusCode ?? 502;
        stats.answered[status] = (stats.answered[status] ?? 0) + 1;
        if (options.versionLog) {
          const version = versionOf(req, status);
          if (version) {
            const etag = upstreamRes.headers.etag;
            // Logged before the client hears of it, so the log is never behind what a client saw.
            options.versionLog.append({
              at: new Date().toISOString(),
              ...version,
              ...(typeof etag === 'string' && { etag }),
            });
          }
        }
        if (res.destroyed) {
          // The caller is gone (its environment crashed); S3 did the work all the same.
          upstreamRes.resume();
          return;
        }
        res.writeHead(status, upstreamRes.rawHeaders);
        upstreamRes.pipe(res);
        upstreamRes.on('error', () => res.destroy());
        res.on('close', () => upstreamRes.resume());
      },
    );
    upstreamReq.on('error', (error) => {
      options.log.warn(`${options.kind} fault proxy: ${req.method} ${req.url}: ${error.message}`);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`${options.kind} emulator unreachable`);
      } else res.destroy();
    });
    // A request that arrived whole is carried out even if its caller dies meanwhile, as S3 and
    // Kinesis would: the caller's retry may then race the first attempt, exactly as on AWS.
    upstreamReq.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests += 1;
    const body = await readAll(req);
    if (body === undefined) return; // cut off mid-request: like S3, nothing of it is stored
    const faults = options.faults();
    if (options.kind === 's3') {
      const latency = faults.latencyMs;
      if (latency && latency.max > 0) {
        const ms = Math.round(
          latency.min + (options.latencyRandom ?? options.random)() * (latency.max - latency.min),
        );
        stats.addedLatencyMs += ms;
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
      if (shouldFail(faults.errorRate)) return answerS3Error(req, res);
      return forward(req, res, body);
    }
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (THROTTLED_KINESIS_OPERATIONS.has(operation) && shouldFail(faults.errorRate)) {
      return answerKinesisThrottle(res, body);
    }
    return forward(req, res, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log.error(
        `${options.kind} fault proxy: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // Functions keep connections alive across invocations, like the SDK does on Lambda.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ ...stats, injected: { ...stats.injected }, answered: { ...stats.answered } }),
    failNext(count) {
      forced = Math.max(0, Math.floor(count));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
