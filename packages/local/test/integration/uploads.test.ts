/**
 * Upload sessions on the real local stack, through the very URLs the upload function presigns:
 * bytes sent straight to the local S3 (single PUT and multipart), complete, status, download,
 * list, delete, and what each refuses. The stack runs with URLs valid for 60 s (the least a stage
 * may set), so that one session can be seen to expire within the file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { FUNCTION_ENV } from '@streamdrop/config';
import {
  type CreateSessionResponse,
  CreateSessionResponseSchema,
  ListUploadsResponseSchema,
  type SessionPart,
  type UploadStatus,
  UploadStatusSchema,
} from '@streamdrop/events';
import { localS3Client } from '../../src/clients';
import { defaultStackFile } from '../../src/paths';
import { eventually, signIn, startTestStack, type TestStack } from '../../src/testing';

jest.setTimeout(180_000);

const MIB = 1024 * 1024;
const URL_TTL_SECONDS = 60;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The synthesized stack with the session URLs' lifetime set to 60 s (asset paths made absolute). */
function stackWithShortUrls(): string {
  const file = defaultStackFile();
  const tf = JSON.parse(readFileSync(file, 'utf8'));
  for (const fn of Object.values(tf.resource.aws_lambda_function) as Record<string, unknown>[]) {
    fn.filename = resolve(dirname(file), String(fn.filename));
    const variables = (fn.environment as { variables: Record<string, string> }).variables;
    if (variables[FUNCTION_ENV.uploadUrlTtlSeconds])
      variables[FUNCTION_ENV.uploadUrlTtlSeconds] = String(URL_TTL_SECONDS);
  }
  const copy = join(mkdtempSync(join(tmpdir(), 'streamdrop-stack-')), 'cdk.tf.json');
  writeFileSync(copy, JSON.stringify(tf));
  return copy;
}

let t: TestStack;
let s3: S3Client;
let data: string;
let tokenA: string;
let tokenB: string;
let expiring: { session: CreateSessionResponse; openedAt: number };

async function api(token: string, method: string, path: string, body?: object) {
  const response = await fetch(`${t.stack.config.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }) },
    ...(body && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function open(token: string, request: object): Promise<CreateSessionResponse> {
  const { status, body } = await api(token, 'POST', '/uploads', request);
  expect(status).toBe(201);
  return CreateSessionResponseSchema.parse(body);
}

function put(part: SessionPart, bytes: Uint8Array): Promise<Response> {
  return fetch(part.url, { method: part.method, headers: part.headers, body: bytes });
}

/** Sends every part (4 at a time, in reverse order: any order works), each its own bytes. */
async function sendParts(session: CreateSessionResponse, file: Buffer): Promise<void> {
  const queue = [...session.parts].reverse();
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        const response = await put(part, file.subarray(part.offset, part.offset + part.size));
        expect(response.status).toBe(200);
      }
    }),
  );
}

async function processedStatus(token: string, uploadId: string): Promise<UploadStatus> {
  return eventually(async () => {
    const { body } = await api(token, 'GET', `/uploads/${uploadId}`);
    const status = UploadStatusSchema.parse(body);
    return status.status === 'processed' || status.status === 'failed' ? status : undefined;
  }, 90_000);
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** Sends a whole file through a session, completes it, and waits for its outcome. */
async function roundTrip(request: { filename: string; contentType?: string; sha256?: string }, file: Buffer) {
  const session = await open(tokenA, { ...request, size: file.length });
  await sendParts(session, file);
  const completed = await api(tokenA, 'POST', `/uploads/${session.uploadId}/complete`);
  expect(completed.status).toBe(202);
  expect(completed.body).toMatchObject({ uploadId: session.uploadId, status: 'queued' });
  return { session, status: await processedStatus(tokenA, session.uploadId) };
}

beforeAll(async () => {
  t = await startTestStack({ stackFile: stackWithShortUrls() });
  s3 = localS3Client(t.stack.config.s3.endpoint, t.stack.config.region);
  data = t.stack.config.s3.buckets.data ?? '';
  tokenA = (await signIn(t.stack, 'demo')).id;
  tokenB = (await signIn(t.stack, 'admin')).access;
  expiring = { session: await open(tokenA, { filename: 'late.txt', size: 4 }), openedAt: Date.now() };
});
afterAll(async () => {
  s3?.destroy();
  await t?.stack.stop();
});

describe('upload sessions on the local stack, through presigned URLs', () => {
  it.each([
    ['a 0-byte file', 'empty.txt', Buffer.alloc(0)],
    ['a 1-byte file', 'one.txt', Buffer.from('a')],
  ])(
    'takes %s: queued, then processed, downloadable through processed.url',
    async (_label, filename, file) => {
      const { session, status } = await roundTrip({ filename, contentType: 'text/plain' }, file);

      expect(session.parts).toHaveLength(1);
      const expected = Buffer.from(file.toString('utf8').toUpperCase());
      expect(status).toMatchObject({ status: 'processed', size: file.length, sha256: sha256(file) });
      expect(status.processed).toMatchObject({ size: expected.length, sha256: sha256(expected) });
      expect(await download(status.processed?.url ?? '')).toEqual(expected);
    },
  );

  it('takes a text file of three parts with an odd-sized last one, its declared sha256 checked, and upper-cases it', async () => {
    const file = Buffer.alloc(2 * 16 * MIB + 7, 'stream drop ');
    const { session, status } = await roundTrip(
      { filename: 'three-parts.txt', contentType: 'text/plain; charset=utf-8', sha256: sha256(file) },
      file,
    );

    expect(session.parts.map((p) => p.size)).toEqual([16 * MIB, 16 * MIB, 7]);
    const expected = Buffer.from(file.toString('utf8').toUpperCase());
    expect(status.processed).toMatchObject({ size: expected.length, sha256: sha256(expected) });
    expect(sha256(await download(status.processed?.url ?? ''))).toBe(sha256(expected));
  });

  it('copies 100 MiB of binary byte for byte', async () => {
    const file = randomBytes(100 * MIB);
    const { status } = await roundTrip({ filename: 'random.bin' }, file);

    expect(status).toMatchObject({ status: 'processed', size: file.length, sha256: sha256(file) });
    expect(status.processed).toMatchObject({ size: file.length, sha256: sha256(file) });
    expect(sha256(await download(status.processed?.url ?? ''))).toBe(sha256(file));
  });

  it('refuses at S3 the bytes of a single PUT that do not match the declared sha256', async () => {
    const session = await open(tokenA, {
      filename: 'liar.txt',
      size: 5,
      sha256: sha256(Buffer.from('other')),
    });
    const [part] = session.parts;
    const response = await put(part as SessionPart, Buffer.from('hello'));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('BadDigest');
    expect((await api(tokenA, 'POST', `/uploads/${session.uploadId}/complete`)).status).toBe(409);
  });

  it('records a failure with its reason for a multipart upload whose bytes do not match the declared sha256', async () => {
    const file = Buffer.alloc(16 * MIB + 1, 'x');
    const { status } = await roundTrip(
      {
        filename: 'liar-parts.txt',
        contentType: 'text/plain',
        sha256: sha256(Buffer.from('something else')),
      },
      file,
    );
    expect(status.status).toBe('failed');
    expect(status.failure?.reason).toMatch(/sha256/);
    expect(status).not.toHaveProperty('processed');
  });

  it('answers 409 naming the parts missing when complete comes too early, then completes once they arrive', async () => {
    const file = Buffer.alloc(2 * 16 * MIB + 1, 'y');
    const session = await open(tokenA, {
      filename: 'early.txt',
      size: file.length,
      contentType: 'text/plain',
    });
    const [first, second, third] = session.parts as [SessionPart, SessionPart, SessionPart];
    expect((await put(second, file.subarray(second.offset, second.offset + second.size))).status).toBe(200);

    const early = await api(tokenA, 'POST', `/uploads/${session.uploadId}/complete`);
    expect(early).toEqual({
      status: 409,
      body: expect.objectContaining({ message: expect.stringMatching(/1, 3 \(of 3\)/) }),
    });

    for (const part of [first, third]) await put(part, file.subarray(part.offset, part.offset + part.size));
    expect((await api(tokenA, 'POST', `/uploads/${session.uploadId}/complete`)).status).toBe(202);
    // Completing again answers the same, and publishes nothing new.
    expect((await api(tokenA, 'POST', `/uploads/${session.uploadId}/complete`)).body).toMatchObject({
      status: expect.any(String),
    });
  });

  it('refuses a URL used for another key, and a URL used again once its bytes arrived', async () => {
    const session = await open(tokenA, { filename: 'mine.txt', size: 3 });
    const part = session.parts[0] as SessionPart;
    const elsewhere = new URL(part.url);
    elsewhere.pathname = elsewhere.pathname.replace(/mine\.txt$/, 'other.txt');
    expect((await fetch(elsewhere, { method: 'PUT', headers: part.headers, body: 'abc' })).status).toBe(403);
    expect((await put(part, Buffer.from('abc'))).status).toBe(200);
    // If-None-Match: * is signed: nothing is ever replaced.
    expect((await put(part, Buffer.from('xyz'))).status).toBe(412);
    // Other bytes than the signed length: refused too.
    const longer = await open(tokenA, { filename: 'longer.txt', size: 3 });
    expect((await put(longer.parts[0] as SessionPart, Buffer.from('abcd'))).status).toBe(403);
  });

  it("answers 404 to another user on every route for someone's upload, and lists it only for its owner", async () => {
    const session = await open(tokenA, { filename: 'private.txt', size: 1 });
    await put(session.parts[0] as SessionPart, Buffer.from('p'));
    for (const [method, path] of [
      ['GET', `/uploads/${session.uploadId}`],
      ['POST', `/uploads/${session.uploadId}/complete`],
      ['DELETE', `/uploads/${session.uploadId}`],
    ] as const) {
      const response = await api(tokenB, method, path);
      expect(response.status).toBe(404);
      expect(response.body.message).toBe(`upload ${session.uploadId} not found`);
    }
    const listed = ListUploadsResponseSchema.parse((await api(tokenB, 'GET', '/uploads?limit=100')).body);
    expect(listed.uploads.map((u) => u.uploadId)).not.toContain(session.uploadId);
    expect((await api(tokenA, 'GET', `/uploads/${session.uploadId}`)).status).toBe(200);
  });

  it('lists the caller’s uploads newest first, a page at a time with a cursor, inline uploads included', async () => {
    const inline = await api(tokenB, 'POST', '/uploads', {
      filename: 'inline.txt',
      content: 'hello kinesis',
    });
    expect(inline.status).toBe(202);
    const sessions = [];
    for (const name of ['p1.txt', 'p2.txt', 'p3.txt'])
      sessions.push(await open(tokenB, { filename: name, size: 1 }));

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = `/uploads?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = ListUploadsResponseSchema.parse((await api(tokenB, 'GET', query)).body);
      expect(page.uploads.length).toBeLessThanOrEqual(2);
      seen.push(...page.uploads.map((u) => u.uploadId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);

    expect(seen.slice(0, 4)).toEqual([...sessions.map((s) => s.uploadId).reverse(), inline.body.uploadId]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(2);
  });

  it('deletes everything of an upload: the source, its processed twin, its status', async () => {
    const { session } = await roundTrip(
      { filename: 'gone.txt', contentType: 'text/plain' },
      Buffer.from('bye'),
    );
    expect((await api(tokenA, 'DELETE', `/uploads/${session.uploadId}`)).status).toBe(204);

    expect((await api(tokenA, 'GET', `/uploads/${session.uploadId}`)).status).toBe(404);
    for (const prefix of ['uploads/', 'processed/']) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: data, Prefix: prefix }));
      expect((listed.Contents ?? []).filter((o) => o.Key?.includes(session.uploadId))).toEqual([]);
    }
  });

  it('lets the configured web origin send bytes straight to S3 (CORS), and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${t.stack.config.s3.endpoint}/${data}/uploads/x`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type,if-none-match,x-amz-tagging',
        },
      });
    const allowed = await preflight('http://localhost:3000');
    expect(allowed.status).toBe(200);
    // S3 echoes the origin; s3rver answers "*" once the origin matched one of the bucket's rules.
    expect(['http://localhost:3000', '*']).toContain(allowed.headers.get('access-control-allow-origin'));
    expect(allowed.headers.get('access-control-allow-methods')).toBe('PUT, GET, HEAD');
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a URL used after it expired', async () => {
    const wait = expiring.openedAt + (URL_TTL_SECONDS + 2) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const response = await put(expiring.session.parts[0] as SessionPart, Buffer.from('late'));
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/expired/i);
  });
});
