// What the tests of the patched s3rver share: the real emulator child, started the way the local
// stack starts it, and small helpers to read S3's answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type ClientRequest, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';

const CHILD = join(__dirname, '..', '..', 'src', 'emulators', 's3rver-child.mjs');

export interface S3rverProcess {
  endpoint: string;
  child: ChildProcess;
  /** Stops the emulator gracefully (or kills it, if requests left open keep it from closing). */
  stop(): Promise<void>;
  /** SIGKILL, as when the local stack is killed. */
  kill(): Promise<void>;
}

/** s3rver in its own process (src/emulators/s3rver-child.mjs), keeping its state in `dir`. */
export async function startS3rver(dir: string): Promise<S3rverProcess> {
  const child = spawn(process.execPath, [CHILD], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, S3RVER_PORT: '0', S3RVER_DIR: dir },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${stderr}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      const killLater = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killLater);
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * A maker of state folders for one test file: each folder it made is removed by the returned
 * `cleanUp` (call it in `afterAll`), even when an assertion failed.
 */
export function tempDirs(): { tempDir(name: string): string; cleanUp(): void } {
  const made: string[] = [];
  return {
    tempDir: (name) => {
      const dir = mkdtempSync(join(tmpdir(), `streamdrop-s3rver-${name}-`));
      made.push(dir);
      return dir;
    },
    cleanUp: () => {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The S3 error a call fails with (status, code), or an exception if it succeeds. */
export async function s3Error(
  call: Promise<unknown>,
): Promise<{ status?: number; code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof S3ServiceException) {
      return { status: error.$metadata.httpStatusCode, code: error.name, message: error.message };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

export const xmlCode = (body: string) => /<Code>(.*?)<\/Code>/.exec(body)?.[1];
export const xmlMessage = (body: string) => /<Message>(.*?)<\/Message>/.exec(body)?.[1];

/** The body of an object, as text. */
export async function body(s3: S3Client, Bucket: string, Key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return (await object.Body?.transformToString()) ?? '';
}

/**
 * An anonymous PUT (s3rver accepts unsigned requests) whose body is sent in two halves: the
 * second only when `finish` is called, or never if the test kills or aborts the request.
 */
export function slowPut(
  url: string,
  data: Buffer,
  headers: Record<string, string> = {},
): { request: ClientRequest; response: Promise<{ status: number; body: string }>; finish(): void } {
  const req = request(new URL(url), {
    method: 'PUT',
    headers: { 'content-length': String(data.length), ...headers },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  req.write(data.subarray(0, data.length / 2));
  return { request: req, response, finish: () => req.end(data.subarray(data.length / 2)) };
}

/** Time for a request in flight to reach s3rver. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
