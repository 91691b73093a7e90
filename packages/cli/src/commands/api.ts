import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { escapeControls, UserError, writeData } from '@streamdrop/cli-kit';
import { INLINE_UPLOAD, KEY_PREFIXES } from '@streamdrop/config';
import type { Target } from '../targets';
import { token } from './token';
import { uploadDirect } from './uploads';

async function readObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await result.Body?.transformToByteArray()) ?? []);
}

function looksLikeText(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return !bytes.includes(0);
  } catch {
    return false;
  }
}

/** The processed object's key of an upload's key. */
const processedKeyOf = (key: string) =>
  KEY_PREFIXES.processed + key.slice(key.startsWith(KEY_PREFIXES.uploads) ? KEY_PREFIXES.uploads.length : 0);

/** Uploads a file (text as utf8, anything else as base64), or `content` as `name`; `wait` prints the processed object. */
export async function upload(
  target: Target,
  args: { file?: string; name?: string; content?: string; user?: string; access: boolean; wait: boolean },
): Promise<void> {
  let body: { filename: string; content: string; encoding?: 'base64' };
  // Above what a JSON body can carry, a file goes straight to S3 (an upload session).
  if (args.file && statSync(args.file).size > INLINE_UPLOAD.defaultMaxBytes) {
    await uploadDirect(
      { target, ...(args.user !== undefined && { user: args.user }), access: args.access },
      { file: args.file, ...(args.name !== undefined && { name: args.name }), wait: args.wait },
    );
    return;
  }
  if (args.file) {
    const bytes = readFileSync(args.file);
    body = looksLikeText(bytes)
      ? { filename: args.name ?? basename(args.file), content: bytes.toString('utf8') }
      : { filename: args.name ?? basename(args.file), content: bytes.toString('base64'), encoding: 'base64' };
  } else if (args.name !== undefined && args.content !== undefined) {
    body = { filename: args.name, content: args.content };
  } else {
    throw new UserError('upload needs a file, or --name and --content. See `pnpm streamdrop --help`.');
  }
  const jwt = await token(target, args.user, args.access);
  const response = await fetch(`${target.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  // The API's answer quotes what was sent (the file name): printed escaped, as any stored data.
  process.stdout.write(`${escapeControls(text)}\n`);
  if (!response.ok) throw new UserError(`The API answered ${response.status}.`);
  if (!args.wait) return;
  const { file_key: key } = JSON.parse(text) as { file_key: string };
  const processed = processedKeyOf(key);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const bytes = await readObject(target.s3, target.dataBucket, processed);
      process.stderr.write(`streamdrop ▸ ${escapeControls(processed)}:\n`);
      // Bytes unchanged into a pipe or a file; on a terminal, control characters escaped.
      writeData(process.stdout, looksLikeText(bytes) ? bytes : Buffer.from(`<${bytes.length} bytes>`));
      process.stdout.write('\n');
      return;
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchKey' || Date.now() > deadline) {
        throw new UserError(
          `${processed} did not appear within 30 s. Check the failures: \`pnpm streamdrop failures list\`.`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Prints an object of the data bucket: its bytes unchanged into a pipe or a file, escaped on a terminal. */
export async function get(target: Target, key: string | undefined): Promise<void> {
  if (!key) throw new UserError('get needs a key, e.g. `pnpm streamdrop get processed/<sub>/<id>/demo.txt`.');
  try {
    writeData(process.stdout, await readObject(target.s3, target.dataBucket, key));
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey')
      throw new UserError(`No object ${key} in ${target.dataBucket}.`);
    throw error;
  }
}
