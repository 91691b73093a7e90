import 'aws-sdk-client-mock-jest';
import { createHash } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { processedKeyFor } from '@streamdrop/events';
import {
  makeKinesisRecord,
  makeLambdaContext,
  makeUploadEvent,
  TEST_BUCKET,
} from '@streamdrop/events/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { handleRecord, type ProcessDeps } from '../../src/process-record';
import {
  EMAIL_MASK,
  EmailRedactor,
  MAX_ADDRESS_RUN,
  redactComplete,
  redactEmails,
  upperCaseText,
} from '../../src/transforms';
import { FakeS3, testS3Client } from '../support/fake-s3';

const TEXT = 'text/plain; charset=utf-8';
const M = EMAIL_MASK;
const bytes = (text: string) => Buffer.from(text, 'utf8');

async function* fromChunks(chunks: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function run(chunks: Uint8Array[], contentType = TEXT): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of redactEmails.transform(fromChunks(chunks), { contentType })) {
    out.push(Buffer.from(chunk));
  }
  return Buffer.concat(out);
}

/** The text cut into pieces at `cuts` (character offsets), pushed one by one. */
function redactInPieces(text: string, cuts: number[]): string {
  const redactor = new EmailRedactor();
  let out = '';
  let start = 0;
  for (const cut of [...cuts, text.length]) {
    out += redactor.push(text.slice(start, cut));
    start = cut;
  }
  return out + redactor.end();
}

/** A valid address of exactly `length` characters (64-character local part, labels of at most 63). */
function addressOfLength(length: number): string {
  const local = 'a'.repeat(64);
  let domain = 'com';
  while (local.length + 1 + domain.length < length) {
    const room = length - (local.length + 1 + domain.length) - 1;
    domain = `${'b'.repeat(Math.min(63, room))}.${domain}`;
  }
  return `${local}@${domain}`;
}

describe('redactComplete (a whole text)', () => {
  it.each([
    ['write to ada@example.com', `write to ${M}`],
    ['ada@example.com', M],
    ['Mail ada@example.com.', `Mail ${M}.`],
    ['end of sentence: first.last+tag@mail.example.co.uk...', `end of sentence: ${M}...`],
    ['<ada@example.com>, (bob_1@sub-domain.example.org); "c%d@x.io"', `<${M}>, (${M}); "${M}"`],
    ['two: a@b.de,b@c.fr', `two: ${M},${M}`],
    ['line one\nada@example.com\tline two', `line one\n${M}\tline two`],
  ])('masks the addresses in %j', (text, expected) => {
    expect(redactComplete(text)).toBe(expected);
  });

  it.each([
    'no address here',
    '@example.com',
    'ada@',
    'ada@localhost',
    'ada@example.c',
    'ada@example.123',
    'ada@-example.com',
    'a@b.com@c.com',
    `${'a'.repeat(65)}@example.com`,
    'ada(at)example.com',
  ])('leaves %j alone: it is not an address', (text) => {
    expect(redactComplete(text)).toBe(text);
  });

  it(`masks an address of ${MAX_ADDRESS_RUN} characters and leaves a longer run alone`, () => {
    const longest = addressOfLength(MAX_ADDRESS_RUN);
    const tooLong = addressOfLength(MAX_ADDRESS_RUN + 1);

    expect(longest).toHaveLength(MAX_ADDRESS_RUN);
    expect(tooLong).toHaveLength(MAX_ADDRESS_RUN + 1);
    expect(redactComplete(`to ${longest} now`)).toBe(`to ${M} now`);
    expect(redactComplete(`to ${tooLong} now`)).toBe(`to ${tooLong} now`);
  });
});

describe('EmailRedactor (text in pieces)', () => {
  const text =
    'Hi ada@example.com, cc bob.smith+news@mail.example.org and <c@x.io>. ' +
    `A long run ${'z'.repeat(300)}@example.com is no address; d-e@f.example.net.`;
  const expected =
    `Hi ${M}, cc ${M} and <${M}>. ` + `A long run ${'z'.repeat(300)}@example.com is no address; ${M}.`;

  it('gives the same output as the whole text, wherever a single cut falls', () => {
    expect(redactComplete(text)).toBe(expected);
    for (let cut = 0; cut <= text.length; cut++) expect(redactInPieces(text, [cut])).toBe(expected);
  });

  it('gives the same output for one character at a time and for pieces of odd sizes', () => {
    const everyCharacter = Array.from({ length: text.length }, (_, i) => i);
    const oddSizes: number[] = [];
    for (let at = 1, size = 1; at < text.length; size = (size % 13) + 1, at += size) oddSizes.push(at);

    expect(redactInPieces(text, everyCharacter)).toBe(expected);
    expect(redactInPieces(text, oddSizes)).toBe(expected);
  });

  it(`holds back at most ${MAX_ADDRESS_RUN} characters, however long a run of address characters`, () => {
    const redactor = new EmailRedactor();
    let written = 0;
    for (let pushed = 10; pushed <= 100_000; pushed += 10) {
      written += redactor.push('a'.repeat(10)).length;
      expect(pushed - written).toBeLessThanOrEqual(MAX_ADDRESS_RUN);
    }
    expect(written + redactor.end().length).toBe(100_000);
  });

  it('masks an address that is split between two pieces', () => {
    const redactor = new EmailRedactor();

    expect(redactor.push('write to ada@exa')).toBe('write to ');
    expect(redactor.push('mple.com today')).toBe(`${M} `);
    expect(redactor.end()).toBe('today');
  });
});

describe('redactEmails transform', () => {
  it('is named redact-emails-v1, so that switching to it re-processes uploads', () => {
    expect(redactEmails.name).toBe('redact-emails-v1');
  });

  it('masks an address whose bytes are split across chunks, next to multi-byte characters', async () => {
    const whole = bytes('Café 🚀 ada@example.com — ñandú');
    const oneByteEach = [...whole].map((byte) => Uint8Array.of(byte));

    expect((await run(oneByteEach)).toString('utf8')).toBe(`Café 🚀 ${M} — ñandú`);
  });

  it('emits output before the input has ended', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slowInput(): AsyncGenerator<Uint8Array> {
      yield bytes('first line\nto ada@exam');
      await gate;
      yield bytes('ple.com\n');
    }
    const output = redactEmails.transform(slowInput(), { contentType: TEXT })[Symbol.asyncIterator]();

    const first = await output.next();
    expect(Buffer.from(first.value ?? []).toString('utf8')).toBe('first line\nto ');
    release();
    const second = await output.next();
    expect(Buffer.from(second.value ?? []).toString('utf8')).toBe(`${M}\n`);
    expect((await output.next()).done).toBe(true);
  });

  it('keeps a leading byte order mark', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(await run([Buffer.concat([bom, bytes('a@b.io')])])).toEqual(Buffer.concat([bom, bytes(M)]));
  });

  it('copies a non-text object byte for byte, addresses included', async () => {
    const binary = Buffer.concat([bytes('ada@example.com'), Buffer.from([0xc3, 0xff, 0x00, 0xfe])]);
    expect(await run([binary.subarray(0, 5), binary.subarray(5)], 'application/octet-stream')).toEqual(
      binary,
    );
  });

  it('copies text in a charset other than UTF-8 unchanged', async () => {
    const latin1 = Buffer.from('café ada@example.com', 'latin1');
    expect(await run([latin1], 'text/plain; charset=ISO-8859-1')).toEqual(latin1);
  });
});

describe('redactEmails through the processor (handleRecord, S3 in memory)', () => {
  const FAILURES_BUCKET = 'streamdrop-test-failures';
  const s3Mock = mockClient(S3Client);
  const context = makeLambdaContext();
  const invocation = { functionName: context.functionName, awsRequestId: context.awsRequestId };
  let fake: FakeS3;
  const depsWith = (transform: ProcessDeps['transform']): ProcessDeps => ({
    s3: testS3Client(),
    config: { dataBucket: TEST_BUCKET, failuresBucket: FAILURES_BUCKET },
    transform,
    now: () => new Date('2026-11-21T10:05:00.000Z'),
  });

  beforeEach(() => {
    s3Mock.reset();
    // 5-byte chunks from GetObject: every address arrives in pieces.
    fake = new FakeS3(s3Mock, 5);
  });

  function givenUpload(content: string) {
    const event = makeUploadEvent({ content });
    fake.put(TEST_BUCKET, event.key, content, event.contentType);
    return { event, record: makeKinesisRecord(event) };
  }

  it('writes the processed twin with every address masked and the transform in its metadata', async () => {
    const { event, record } = givenUpload('From: ada@example.com\nTo: bob@example.org\n\nHello Bob!\n');

    await expect(handleRecord(record, invocation, depsWith(redactEmails))).resolves.toBe('processed');

    const processed = fake.get(TEST_BUCKET, processedKeyFor(event.key));
    expect(processed?.body.toString('utf8')).toBe(`From: ${M}\nTo: ${M}\n\nHello Bob!\n`);
    expect(processed?.contentType).toBe(event.contentType);
    expect(processed?.metadata).toMatchObject({ 'upload-id': event.uploadId, transform: 'redact-emails-v1' });
  });

  it('re-processes an upload processed by another transform, and skips it the second time', async () => {
    const { event, record } = givenUpload('ping ada@example.com');
    await handleRecord(record, invocation, depsWith(upperCaseText));
    expect(fake.get(TEST_BUCKET, processedKeyFor(event.key))?.body.toString('utf8')).toBe(
      'PING ADA@EXAMPLE.COM',
    );

    await expect(handleRecord(record, invocation, depsWith(redactEmails))).resolves.toBe('processed');
    await expect(handleRecord(record, invocation, depsWith(redactEmails))).resolves.toBe('skipped');

    const processed = fake.get(TEST_BUCKET, processedKeyFor(event.key));
    expect(processed?.body.toString('utf8')).toBe(`ping ${M}`);
    expect(processed?.versions).toBe(2);
  });

  it('streams a text larger than one part, masking the addresses on both sides of the part boundary', async () => {
    const line = 'note for ada@example.com and bob@example.org\n';
    const content = line.repeat(Math.ceil((6 * 1024 * 1024) / line.length));
    const { event, record } = givenUpload(content);
    fake = new FakeS3(s3Mock.reset(), 64 * 1024);
    fake.put(TEST_BUCKET, event.key, content, event.contentType);

    await expect(handleRecord(record, invocation, depsWith(redactEmails))).resolves.toBe('processed');

    const text = fake.get(TEST_BUCKET, processedKeyFor(event.key))?.body.toString('utf8') ?? '';
    const expected = `note for ${M} and ${M}\n`.repeat(content.length / line.length);
    expect(text.length).toBe(expected.length);
    expect(createHash('sha256').update(text).digest('hex')).toBe(
      createHash('sha256').update(expected).digest('hex'),
    );
  });
});
