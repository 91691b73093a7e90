import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, openSync, readSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { escapeControls, printableJson, progressBar, UserError } from '@streamdrop/cli-kit';
import {
  type CreateSessionResponse,
  CreateSessionResponseSchema,
  ListUploadsResponseSchema,
  type SessionPart,
  type UploadStatus,
  UploadStatusSchema,
} from '@streamdrop/events';
import type { Target } from '../targets';
import { token } from './token';

/** Parts sent at once, and tries per part (the first included). */
const PARALLEL_PARTS = 4;
const PART_ATTEMPTS = 4;

interface Caller {
  target: Target;
  user?: string;
  access: boolean;
}

async function call(caller: Caller, method: string, path: string, body?: object) {
  const jwt = await token(caller.target, caller.user, caller.access);
  const response = await fetch(`${caller.target.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${jwt}`, ...(body && { 'content-type': 'application/json' }) },
    ...(body && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: the text as it came
    }
    throw new UserError(`${method} ${path} answered ${response.status}: ${message}`);
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** A content type from the first 64 KiB: UTF-8 text without NUL is text/plain, anything else binary. */
function sniffContentType(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const read = readSync(fd, head, 0, head.length, 0);
    const bytes = head.subarray(0, read);
    // A multi-byte character cut at the end of the sample is still text.
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const clean = !text.slice(0, -4).includes('\uFFFD') && !bytes.includes(0);
    return clean ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  } finally {
    closeSync(fd);
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** PUTs bytes [offset, offset + size) of the file to a presigned URL, streaming from disk. */
function putPart(file: string, part: SessionPart, onBytes: (n: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = new URL(part.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      { method: part.method, headers: { ...part.headers, 'content-length': String(part.size) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 200) resolve();
          else {
            const error = new Error(
              `part ${part.partNumber}: S3 answered ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
            );
            Object.assign(error, { statusCode: res.statusCode });
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    if (part.size === 0) {
      req.end();
      return;
    }
    const body = createReadStream(file, { start: part.offset, end: part.offset + part.size - 1 });
    body.on('data', (c) => onBytes((c as Buffer).length));
    body.on('error', reject);
    body.pipe(req);
  });
}

/** Sends every part, PARALLEL_PARTS at a time; a part that fails (network, 5xx) is sent again. */
async function sendParts(file: string, session: CreateSessionResponse, total: number): Promise<void> {
  const bar = progressBar(`streamdrop ▸ upload`, total);
  const queue = [...session.parts];
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_PARTS, queue.length) }, async () => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        for (let attempt = 1; ; attempt += 1) {
          let sent = 0;
          try {
            await putPart(file, part, (n) => {
              sent += n;
              bar.advance(n);
            });
            break;
          } catch (error) {
            bar.advance(-sent);
            const status = (error as { statusCode?: number }).statusCode;
            // 4xx (a refused signature, an expired URL, BadDigest) will not change by trying again.
            if (attempt >= PART_ATTEMPTS || (status !== undefined && status < 500)) {
              throw new UserError(
                `${(error as Error).message} (after ${attempt} attempt${attempt > 1 ? 's' : ''})`,
              );
            }
            await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
          }
        }
      }
    }),
  );
  bar.done(`${session.parts.length} part${session.parts.length === 1 ? '' : 's'}`);
}

/** Waits for an upload to be processed or to fail, and returns its status. */
export async function waitFor(
  caller: Caller,
  uploadId: string,
  timeoutMs = 15 * 60_000,
): Promise<UploadStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = UploadStatusSchema.parse(await call(caller, 'GET', `/uploads/${uploadId}`));
    if (status.status === 'processed' || status.status === 'failed') return status;
    if (Date.now() > deadline) throw new UserError(`upload ${uploadId} is still ${status.status}.`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * `streamdrop upload <file>` above the inline limit: an upload session. The file's sha256 is
 * declared (S3 checks a single PUT, the processor a multipart upload), its parts go straight to
 * S3 in parallel with retries and a progress bar, then complete; `--wait` waits for the outcome.
 */
export async function uploadDirect(
  caller: Caller,
  args: { file: string; name?: string; wait: boolean },
): Promise<void> {
  const size = statSync(args.file).size;
  const session = CreateSessionResponseSchema.parse(
    await call(caller, 'POST', '/uploads', {
      filename: args.name ?? basename(args.file),
      size,
      contentType: sniffContentType(args.file),
      sha256: await sha256Of(args.file),
    }),
  );
  await sendParts(args.file, session, size);
  const completed = await call(caller, 'POST', `/uploads/${session.uploadId}/complete`);
  process.stdout.write(`${printableJson(completed)}\n`);
  if (!args.wait) return;
  const status = await waitFor(caller, session.uploadId);
  process.stdout.write(`${printableJson(status)}\n`);
  if (status.status === 'failed')
    throw new UserError(`upload ${session.uploadId} failed: ${escapeControls(status.failure?.reason ?? '')}`);
}

/** `streamdrop list`: the caller's uploads, newest first. */
export async function listCommand(
  caller: Caller,
  args: { limit?: number; cursor?: string; json: boolean },
): Promise<void> {
  const query = new URLSearchParams();
  if (args.limit !== undefined) query.set('limit', String(args.limit));
  if (args.cursor !== undefined) query.set('cursor', args.cursor);
  const page = ListUploadsResponseSchema.parse(
    await call(caller, 'GET', `/uploads${query.size > 0 ? `?${query}` : ''}`),
  );
  if (args.json) {
    process.stdout.write(`${printableJson(page)}\n`);
    return;
  }
  for (const u of page.uploads) {
    process.stdout.write(
      `${u.uploadId}  ${u.status.padEnd(15)} ${String(u.size).padStart(12)}  ${u.createdAt}  ${escapeControls(JSON.stringify(u.filename))}\n`,
    );
  }
  if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
}

/** `streamdrop status <id>`: the upload's status as JSON. */
export async function statusCommand(caller: Caller, uploadId: string | undefined): Promise<void> {
  if (!uploadId) throw new UserError('status needs an upload id (see `streamdrop list`).');
  process.stdout.write(
    `${printableJson(await call(caller, 'GET', `/uploads/${encodeURIComponent(uploadId)}`))}\n`,
  );
}

/** `streamdrop download <id> [-o FILE]`: the processed object, through its presigned URL. */
export async function downloadCommand(
  caller: Caller,
  uploadId: string | undefined,
  output?: string,
): Promise<void> {
  if (!uploadId) throw new UserError('download needs an upload id (see `streamdrop list`).');
  const status = UploadStatusSchema.parse(
    await call(caller, 'GET', `/uploads/${encodeURIComponent(uploadId)}`),
  );
  if (status.status !== 'processed' || !status.processed) {
    throw new UserError(`upload ${uploadId} is ${status.status}: nothing to download yet.`);
  }
  const response = await fetch(status.processed.url);
  if (!response.ok || !response.body) throw new UserError(`the download answered ${response.status}.`);
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  await pipeline(body, output === undefined || output === '-' ? process.stdout : createWriteStream(output));
  if (output && output !== '-')
    process.stderr.write(`streamdrop ▸ wrote ${status.processed.size} bytes to ${output}\n`);
}

/** `streamdrop delete <id>`: the upload, its processed object and its status. */
export async function deleteCommand(caller: Caller, uploadId: string | undefined): Promise<void> {
  if (!uploadId) throw new UserError('delete needs an upload id (see `streamdrop list`).');
  await call(caller, 'DELETE', `/uploads/${encodeURIComponent(uploadId)}`);
  process.stderr.write(`streamdrop ▸ deleted ${escapeControls(uploadId)}\n`);
}
