import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeAwsChunked } from './aws-chunked';
import type { TextSource } from './text-source';

/**
 * BENCH-ONLY S3 stub. An S3-compatible HTTP server on loopback (path-style) that answers the
 * calls the functions make — HeadObject, GetObject, PutObject, DeleteObject and multipart
 * upload, with S3's conditional writes (412 for a failed If-None-Match or If-Match) — after a fixed latency, so that a benchmark measures the client's behaviour under
 * S3-like round trips rather than an emulator's speed. It keeps what was written as size,
 * sha256, metadata (and the bytes of small objects); it checks no signature. Never used by the
 * product: the local stack runs s3rver.
 */

export interface StubObject {
  readonly size: number;
  /** Hex sha256 of the object's bytes, in order. */
  readonly sha256: string;
  readonly contentType: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly etag: string;
  /** The bytes, for objects of at most `keepBodiesUpTo`. */
  readonly body?: Buffer;
  /** A generated object, served chunk by chunk. */
  readonly source?: TextSource;
}

export type S3Operation =
  | 'HeadObject'
  | 'GetObject'
  | 'PutObject'
  | 'PutObjectTagging'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload';

export interface S3StubOptions {
  /** Added to every call before it is answered (default 20). */
  readonly latencyMs?: number;
  /** Objects written up to this size keep their bytes (default 1 MiB). */
  readonly keepBodiesUpTo?: number;
}

export interface S3Stub {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_S3. */
  readonly url: string;
  /** Calls answered so far, per operation. */
  readonly calls: Readonly<Partial<Record<S3Operation, number>>>;
  latencyMs: number;
  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    options?: { contentType?: string; metadata?: Record<string, string> },
  ): StubObject;
  /** A generated object: its bytes are produced again on every GetObject. */
  putSource(bucket: string, key: string, source: TextSource, sha256: string): StubObject;
  object(bucket: string, key: string): StubObject | undefined;
  /** Objects in `bucket` whose key starts with `prefix`. */
  objectCount(bucket: string, prefix?: string): number;
  close(): Promise<void>;
}

interface MultipartUpload {
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string>;
  readonly hash: Hash;
  /** Parts are hashed in order; a part that finishes early waits here for its predecessors. */
  readonly waiting: Map<number, Buffer>;
  nextPart: number;
  size: number;
  kept: Buffer[] | undefined;
}

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function metadataOf(request: IncomingMessage): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice(11)] = value;
  }
  return metadata;
}

/** The request body, decoded when the SDK sent it aws-chunked. */
function bodyOf(request: IncomingMessage): AsyncIterable<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? '');
  const sha = String(request.headers['x-amz-content-sha256'] ?? '');
  return encoding.includes('aws-chunked') || sha.startsWith('STREAMING-')
    ? decodeAwsChunked(request)
    : (request as AsyncIterable<Buffer>);
}

/**
 * S3's conditional writes on PutObject and CompleteMultipartUpload: `If-None-Match: *` only when
 * the key is absent, `If-Match: <etag>` only when the current object has that ETag.
 */
function preconditionHolds(request: IncomingMessage, existing: StubObject | undefined): boolean {
  if (request.headers['if-none-match'] === '*' && existing) return false;
  const ifMatch = request.headers['if-match'];
  if (ifMatch !== undefined && ifMatch !== existing?.etag) return false;
  return true;
}

function operationOf(method: string, query: URLSearchParams, hasKey: boolean): S3Operation | undefined {
  if (!hasKey) return undefined;
  switch (method) {
    case 'HEAD':
      return 'HeadObject';
    case 'GET':
      return 'GetObject';
    case 'PUT':
      // The upload function re-tags each stored object `complete` (PUT ?tagging) before its 202.
      if (query.has('tagging')) return 'PutObjectTagging';
      return query.has('uploadId') ? 'UploadPart' : 'PutObject';
    case 'DELETE':
      return query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      return undefined;
    default:
      return undefined;
  }
}

export async function startS3Stub(options: S3StubOptions = {}): Promise<S3Stub> {
  const keepBodiesUpTo = options.keepBodiesUpTo ?? 1024 * 1024;
  const objects = new Map<string, StubObject>();
  const uploads = new Map<string, MultipartUpload>();
  const calls: Partial<Record<S3Operation, number>> = {};
  const id = (bucket: string, key: string) => `${bucket}/${key}`;

  function store(bucket: string, key: string, object: Omit<StubObject, 'etag'>): StubObject {
    const stored = { ...object, etag: `"${object.sha256.slice(0, 32)}"` };
    objects.set(id(bucket, key), stored);
    return stored;
  }

  function error(response: ServerResponse, status: number, code: string, message: string): void {
    const body =
      status === 404 && response.req.method === 'HEAD'
        ? ''
        : `${XML_HEADER}<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
    response.writeHead(status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  }

  function xml(response: ServerResponse, body: string): void {
    const text = `${XML_HEADER}${body}`;
    response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  }

  function objectHeaders(object: StubObject): Record<string, string | number> {
    const headers: Record<string, string | number> = {
      'content-length': object.size,
      etag: object.etag,
      'last-modified': new Date(0).toUTCString(),
      'accept-ranges': 'bytes',
    };
    if (object.contentType) headers['content-type'] = object.contentType;
    for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
    return headers;
  }

  /** Reads a whole (small or part-sized) body; hashes it as it goes. */
  async function readBody(request: IncomingMessage): Promise<Buffer> {
    const pieces: Buffer[] = [];
    for await (const piece of bodyOf(request)) pieces.push(piece);
    return Buffer.concat(pieces);
  }

  function drainParts(upload: MultipartUpload): void {
    for (let part = upload.waiting.get(upload.nextPart); part; part = upload.waiting.get(upload.nextPart)) {
      upload.waiting.delete(upload.nextPart);
      upload.hash.update(part);
      upload.size += part.length;
      if (upload.kept) {
        upload.kept.push(part);
        if (upload.size > keepBodiesUpTo) upload.kept = undefined;
      }
      upload.nextPart += 1;
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stub');
    const [bucketPart = '', ...keyParts] = url.pathname.slice(1).split('/');
    const bucket = decodeURIComponent(bucketPart);
    const key = keyParts.map(decodeURIComponent).join('/');
    const operation = operationOf(request.method ?? '', url.searchParams, key !== '');
    if (operation) calls[operation] = (calls[operation] ?? 0) + 1;

    // Consume the request body first: latency is added to the whole call, as a round trip.
    let body: Buffer | undefined;
    let streamed: { size: number; sha256: string; kept: Buffer | undefined } | undefined;
    if (operation === 'PutObject') {
      const hash = createHash('sha256');
      let size = 0;
      let kept: Buffer[] | undefined = [];
      for await (const piece of bodyOf(request)) {
        hash.update(piece);
        size += piece.length;
        if (kept) {
          kept.push(piece);
          if (size > keepBodiesUpTo) kept = undefined;
        }
      }
      streamed = { size, sha256: hash.digest('hex'), kept: kept && Buffer.concat(kept) };
    } else if (operation === 'UploadPart' || operation === 'CompleteMultipartUpload') {
      body = await readBody(request);
    } else {
      for await (const _ of request) {
        // no body expected; drain whatever came
      }
    }
    const latency = stub.latencyMs;
    if (latency > 0) await sleep(latency);

    const existing = objects.get(id(bucket, key));
    switch (operation) {
      case 'HeadObject':
      case 'GetObject': {
        if (!existing) return error(response, 404, 'NoSuchKey', 'The specified key does not exist.');
        response.writeHead(200, objectHeaders(existing));
        if (operation === 'HeadObject') return void response.end();
        if (existing.body) return void response.end(existing.body);
        if (existing.source) return void Readable.from(existing.source.chunks()).pipe(response);
        return void response.end();
      }
      case 'PutObject': {
        if (!preconditionHolds(request, existing)) {
          return error(response, 412, 'PreconditionFailed', 'At least one of the pre-conditions failed.');
        }
        const written = streamed ?? { size: 0, sha256: '', kept: undefined };
        const stored = store(bucket, key, {
          size: written.size,
          sha256: written.sha256,
          contentType: request.headers['content-type'],
          metadata: metadataOf(request),
          ...(written.kept && { body: written.kept }),
        });
        response.writeHead(200, { etag: stored.etag, 'content-length': 0 });
        return void response.end();
      }
      case 'PutObjectTagging':
        // Tags are not kept: nothing the bench measures reads them back.
        if (!existing) return error(response, 404, 'NoSuchKey', 'The specified key does not exist.');
        response.writeHead(200, { 'content-length': 0 });
        return void response.end();
      case 'DeleteObject':
        objects.delete(id(bucket, key));
        response.writeHead(204);
        return void response.end();
      case 'CreateMultipartUpload': {
        const uploadId = randomUUID();
        uploads.set(uploadId, {
          bucket,
          key,
          contentType: request.headers['content-type'],
          metadata: metadataOf(request),
          hash: createHash('sha256'),
          waiting: new Map(),
          nextPart: 1,
          size: 0,
          kept: [],
        });
        return xml(
          response,
          `<InitiateMultipartUploadResult xmlns="${NS}"><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
        );
      }
      case 'UploadPart': {
        const upload = uploads.get(url.searchParams.get('uploadId') ?? '');
        const partNumber = Number(url.searchParams.get('partNumber'));
        if (!upload) return error(response, 404, 'NoSuchUpload', 'The specified upload does not exist.');
        if (!Number.isInteger(partNumber) || partNumber < upload.nextPart || upload.waiting.has(partNumber)) {
          return error(response, 400, 'InvalidPart', `part ${partNumber} was already received`);
        }
        upload.waiting.set(partNumber, body ?? Buffer.alloc(0));
        drainParts(upload);
        response.writeHead(200, { etag: `"part-${partNumber}"`, 'content-length': 0 });
        return void response.end();
      }
      case 'CompleteMultipartUpload': {
        const uploadId = url.searchParams.get('uploadId') ?? '';
        const upload = uploads.get(uploadId);
        if (!upload) return error(response, 404, 'NoSuchUpload', 'The specified upload does not exist.');
        if (upload.waiting.size > 0) {
          return error(response, 400, 'InvalidPartOrder', 'a part is missing before the last one received');
        }
        // As S3 does, a failed precondition leaves the upload open: the caller aborts it.
        if (!preconditionHolds(request, objects.get(id(upload.bucket, upload.key)))) {
          return error(response, 412, 'PreconditionFailed', 'At least one of the pre-conditions failed.');
        }
        uploads.delete(uploadId);
        const stored = store(upload.bucket, upload.key, {
          size: upload.size,
          sha256: upload.hash.digest('hex'),
          contentType: upload.contentType,
          metadata: upload.metadata,
          ...(upload.kept && { body: Buffer.concat(upload.kept) }),
        });
        return xml(
          response,
          `<CompleteMultipartUploadResult xmlns="${NS}"><Bucket>${escapeXml(upload.bucket)}</Bucket><Key>${escapeXml(upload.key)}</Key><ETag>${escapeXml(stored.etag)}</ETag></CompleteMultipartUploadResult>`,
        );
      }
      case 'AbortMultipartUpload':
        uploads.delete(url.searchParams.get('uploadId') ?? '');
        response.writeHead(204);
        return void response.end();
      default:
        return error(
          response,
          501,
          'NotImplemented',
          `the bench S3 stub does not answer ${request.method} ${url.pathname}${url.search}`,
        );
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((cause: unknown) => {
      if (!response.headersSent) error(response, 500, 'InternalError', String(cause));
      else response.destroy();
    });
  });
  // Longer than the SDK keeps idle sockets: the client, not the stub, closes them.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const stub: S3Stub = {
    url: `http://127.0.0.1:${port}`,
    calls,
    latencyMs: options.latencyMs ?? 20,
    putObject(bucket, key, body, { contentType, metadata = {} } = {}) {
      return store(bucket, key, {
        size: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        contentType,
        metadata,
        body,
      });
    },
    putSource(bucket, key, source, sha256) {
      return store(bucket, key, {
        size: source.size,
        sha256,
        contentType: source.contentType,
        metadata: {},
        source,
      });
    },
    object: (bucket, key) => objects.get(id(bucket, key)),
    objectCount: (bucket, prefix = '') =>
      [...objects.keys()].filter((k) => k.startsWith(id(bucket, prefix))).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return stub;
}
