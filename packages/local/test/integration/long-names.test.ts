/**
 * Filenames up to the 255-byte rule, in any script, on the real local stack: each is accepted,
 * processed and downloadable; the stack keeps listing, answering and starting (s3rver, patched,
 * stores a key segment too long for a file name under a hashed name). Before the patch a name of
 * 241+ bytes killed s3rver and one of 234–240 bricked every later listing.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { processedKeyFor } from '@streamdrop/events';
import { localS3Client } from '../../src/clients';
import { freePorts } from '../../src/emulators';
import { startLocalStack } from '../../src/local-stack';
import { defaultStackFile } from '../../src/paths';
import { eventually, signIn, startTestStack, type TestStack } from '../../src/testing';
import { type Log, silentLog } from '../../src/types';

jest.setTimeout(120_000);

const bytes = (name: string) => Buffer.byteLength(name, 'utf8');
/** `unit` repeated, then `tail`, padded with `a` to exactly `target` bytes. */
const nameOf = (unit: string, target: number, tail = '.txt') => {
  const count = Math.floor((target - bytes(tail)) / bytes(unit));
  const body = unit.repeat(count);
  return `${body}${'a'.repeat(target - bytes(body) - bytes(tail))}${tail}`;
};

const NAMES: Array<[string, string]> = [
  ['ASCII, 233 bytes (the longest plain file name)', nameOf('a', 233)],
  ['ASCII, 234 bytes (once: a half-written object, every listing 500)', nameOf('a', 234)],
  ['ASCII, 240 bytes', nameOf('a', 240)],
  ['ASCII, 241 bytes (once: s3rver died)', nameOf('a', 241)],
  ['ASCII, 255 bytes', nameOf('a', 255)],
  ['Latin with accents, 255 bytes', nameOf('é', 255)],
  ['CJK, 255 bytes', nameOf('文件', 255)],
  ['Hangul, 255 bytes', nameOf('파일', 255)],
  ['Arabic, 255 bytes', nameOf('ملف', 255)],
  ['Persian with ZWNJ, 254 bytes', nameOf('می‌خواهم ', 254)],
  ['Devanagari, 255 bytes', nameOf('फ़ाइल', 255)],
  ['emoji, 255 bytes', nameOf('🙂', 255)],
  ['emoji ZWJ sequences, 255 bytes', nameOf('👩🏽‍💻', 255)],
  ['Greek and Cyrillic, 255 bytes', nameOf('αρχείοфайл', 255)],
];

let t: TestStack;
let s3: S3Client;
let data: string;

beforeAll(async () => {
  t = await startTestStack({ stackFile: defaultStackFile() });
  s3 = localS3Client(t.stack.config.s3.endpoint, t.stack.config.region);
  data = t.stack.config.s3.buckets.data ?? '';
});
afterAll(async () => {
  s3?.destroy();
  await t?.stack.stop();
});

async function read(key: string): Promise<string | undefined> {
  try {
    return await (await s3.send(new GetObjectCommand({ Bucket: data, Key: key }))).Body?.transformToString();
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function allKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: data, Prefix: prefix, ContinuationToken }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return keys;
}

async function upload(token: string, filename: string, content: string) {
  const response = await fetch(`${t.stack.config.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ filename, content }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { file_key?: string; message?: string },
  };
}

/** Upload → processed object, in ms. */
async function roundTrip(token: string, filename: string, content: string): Promise<number> {
  const started = Date.now();
  const { status, body } = await upload(token, filename, content);
  expect({ filename, status, body }).toEqual({ filename, status: 202, body: expect.anything() });
  const processed = processedKeyFor(body.file_key ?? '');
  expect(await eventually(() => read(processed))).toBe(content.toUpperCase());
  return Date.now() - started;
}

describe('filenames up to 255 bytes, in any script', () => {
  it('has names of the lengths and scripts it claims', () => {
    for (const [label, name] of NAMES) {
      const claimed = Number(/(\d+) bytes/.exec(label)?.[1]);
      expect({ label, bytes: bytes(name) }).toEqual({ label, bytes: claimed });
    }
  });

  it('are each accepted, processed and downloadable, and the stack stays as quick as before', async () => {
    const { id } = await signIn(t.stack);
    const before = await roundTrip(id, 'before.txt', 'a short name first');
    const keys: string[] = [];
    for (const [i, [label, name]] of NAMES.entries()) {
      const content = `${label} #${i}`;
      const { status, body } = await upload(id, name, content);
      expect({ label, status }).toEqual({ label, status: 202 });
      const key = body.file_key ?? '';
      expect(key.endsWith(`/${name}`)).toBe(true);
      keys.push(key);
      expect(await read(key)).toBe(content);
      expect(await eventually(() => read(processedKeyFor(key)))).toBe(content.toUpperCase());
    }
    // Listed, under their exact keys, and in S3's order (UTF-8 bytes).
    const listed = await allKeys('uploads/');
    for (const key of keys) expect(listed).toContain(key);
    const processedListed = await allKeys('processed/');
    for (const key of keys) expect(processedListed).toContain(processedKeyFor(key));
    const sorted = [...listed].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(listed).toEqual(sorted);
    // Not wedged, not slowed: a short name still makes it through about as quickly.
    const after = await roundTrip(id, 'after.txt', 'and a short name last');
    expect(after).toBeLessThan(Math.max(5_000, before * 5));
    // s3rver never died.
    for (const child of t.stack.children) expect(() => process.kill(child.pid, 0)).not.toThrow();
  });

  it('are all still there after a restart on the same state', async () => {
    const before = await allKeys('');
    await t.stack.stop();
    s3.destroy();
    t = await startTestStack({ stackFile: defaultStackFile(), stateDir: t.stateDir });
    s3 = localS3Client(t.stack.config.s3.endpoint, t.stack.config.region);
    expect(await allKeys('')).toEqual(before);
    for (const key of before.filter((k) => k.startsWith('processed/'))) expect(await read(key)).toBeDefined();
  });
});

describe('a state folder an unpatched s3rver left half-written objects in', () => {
  it('starts, removes them, and lists the bucket', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'streamdrop-old-store-'));
    const folder = join(stateDir, 's3', data, 'uploads', 'old-user', 'old-upload');
    mkdirSync(folder, { recursive: true });
    // What s3rver 3.7.1 left for a 240-byte name: the object file, and no .md5 or metadata
    // (their names are over 255 bytes); then a write cut off by a SIGKILL.
    writeFileSync(join(folder, `${nameOf('a', 240)}._S3rver_object`), 'half');
    writeFileSync(join(folder, 'cut.txt._S3rver_object'), 'cut');
    writeFileSync(join(folder, 'cut.txt._S3rver_metadata.json'), '{"content-ty');
    writeFileSync(join(folder, 'whole.txt._S3rver_object'), 'whole');
    writeFileSync(join(folder, 'whole.txt._S3rver_metadata.json'), '{"content-type":"text/plain"}');
    const warnings: string[] = [];
    const log: Log = { ...silentLog, warn: (m) => warnings.push(m) };
    const stack = await startLocalStack({
      stackFile: defaultStackFile(),
      stateDir,
      ports: await freePorts(),
      log,
    });
    const client = localS3Client(stack.config.s3.endpoint, stack.config.region);
    try {
      const listed = await client.send(
        new ListObjectsV2Command({ Bucket: data, Prefix: 'uploads/old-user/' }),
      );
      expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(['uploads/old-user/old-upload/whole.txt']);
      expect(warnings.filter((w) => w.startsWith('s3rver: removed'))).toHaveLength(2);
    } finally {
      client.destroy();
      await stack.stop();
    }
  });
});
