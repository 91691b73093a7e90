import { SourceNotTransformableError } from '../../src/errors';
import { isUtf8Text, NOT_UTF8_NOTE, redactEmails, upperCaseText } from '../../src/transforms';

async function* fromChunks(chunks: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function run(chunks: Uint8Array[], contentType: string): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of upperCaseText.transform(fromChunks(chunks), { contentType }))
    out.push(Buffer.from(chunk));
  return Buffer.concat(out);
}

const bytes = (text: string) => Buffer.from(text, 'utf8');
const TEXT = 'text/plain; charset=utf-8';

describe('upperCaseText transform', () => {
  it('upper-cases "hello kinesis"', async () => {
    expect((await run([bytes('hello kinesis')], TEXT)).toString('utf8')).toBe('HELLO KINESIS');
  });

  it('upper-cases a multi-byte character split across chunks', async () => {
    const whole = bytes('café 🚀 straße');
    const e = whole.indexOf(0xc3);
    const rocket = whole.indexOf(0xf0);
    const chunks = [
      whole.subarray(0, e + 1), // ends inside "é"
      whole.subarray(e + 1, rocket + 2), // ends inside the 4-byte rocket
      whole.subarray(rocket + 2, rocket + 3),
      whole.subarray(rocket + 3),
    ];

    expect((await run(chunks, TEXT)).toString('utf8')).toBe('CAFÉ 🚀 STRASSE');
  });

  it('gives the same output for many tiny chunks as for one', async () => {
    const text = 'Grüße aus Köln, ñandú, ΣΊΣΥΦΟΣ σίσυφος, 日本語, 👩‍💻\n'.repeat(200);
    const whole = bytes(text);
    const oneByteEach = [...whole].map((byte) => Uint8Array.of(byte));
    const oddSizes: Uint8Array[] = [];
    for (let start = 0, size = 1; start < whole.length; start += size, size = (size % 7) + 1) {
      oddSizes.push(whole.subarray(start, start + size));
    }

    const expected = text.toUpperCase();
    expect((await run(oneByteEach, TEXT)).toString('utf8')).toBe(expected);
    expect((await run(oddSizes, TEXT)).toString('utf8')).toBe(expected);
  });

  it('emits output before the input has ended', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slowInput(): AsyncGenerator<Uint8Array> {
      yield bytes('first ');
      await gate;
      yield bytes('second');
    }
    const output = upperCaseText
      .transform(slowInput(), { contentType: 'text/plain' })
      [Symbol.asyncIterator]();

    const first = await output.next();
    expect(Buffer.from(first.value ?? []).toString('utf8')).toBe('FIRST ');
    release();
    const second = await output.next();
    expect(Buffer.from(second.value ?? []).toString('utf8')).toBe('SECOND');
    expect((await output.next()).done).toBe(true);
  });

  it('keeps a leading byte order mark', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('abc')]);
    expect(await run([withBom], TEXT)).toEqual(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('ABC')]),
    );
  });

  it('copies a non-text object byte for byte, even bytes that are not UTF-8', async () => {
    const binary = Buffer.from([0x68, 0x69, 0xc3, 0xff, 0x00, 0xfe, 0x80, 0x61]);
    const chunks = [binary.subarray(0, 3), binary.subarray(3)];
    expect(await run(chunks, 'application/octet-stream')).toEqual(binary);
  });

  describe('text declared UTF-8 that is not', () => {
    /** Everything the transform yields before it stops, and how it stops. */
    async function attempt(chunks: Uint8Array[], contentType = TEXT) {
      const out: Buffer[] = [];
      try {
        for await (const chunk of upperCaseText.transform(fromChunks(chunks), { contentType }))
          out.push(Buffer.from(chunk));
        return { output: Buffer.concat(out), error: undefined };
      } catch (error) {
        return { output: Buffer.concat(out), error };
      }
    }

    it.each([
      ['a Latin-1 é', [Buffer.from('café', 'latin1')]],
      ['a stray continuation byte', [Buffer.from([0x61, 0x80, 0x62])]],
      ['an overlong encoding of "/"', [Buffer.from([0xc0, 0xaf])]],
      ['an encoded surrogate (CESU-8)', [Buffer.from([0xed, 0xa0, 0x80])]],
      ['a code point above U+10FFFF', [Buffer.from([0xf4, 0x90, 0x80, 0x80])]],
      ['0xFF', [Buffer.from([0x61, 0xff])]],
      ['a sequence cut off at the end of the input', [bytes('ok '), Buffer.from([0xe6, 0x97])]],
      ['a bad byte in a later chunk', [bytes('first part, '), Buffer.from([0x61, 0xfe])]],
    ])('stops with SourceNotTransformableError on %s and never yields U+FFFD', async (_label, chunks) => {
      for (const transform of [upperCaseText, redactEmails]) {
        const out: Buffer[] = [];
        let error: unknown;
        try {
          for await (const chunk of transform.transform(fromChunks(chunks), { contentType: TEXT }))
            out.push(Buffer.from(chunk));
        } catch (e) {
          error = e;
        }

        expect(error).toBeInstanceOf(SourceNotTransformableError);
        expect((error as SourceNotTransformableError).note).toBe(NOT_UTF8_NOTE);
        expect(Buffer.concat(out).includes(Buffer.from('\ufffd'))).toBe(false);
      }
    });

    it('counts text/* without a charset as UTF-8, so it is checked too', async () => {
      const { error } = await attempt([Buffer.from('café', 'latin1')], 'text/csv');
      expect(error).toBeInstanceOf(SourceNotTransformableError);
    });

    it('takes a literal U+FFFD in valid UTF-8 as text, like any other character', async () => {
      const { output, error } = await attempt([bytes('a\ufffdb')]);
      expect(error).toBeUndefined();
      expect(output.toString('utf8')).toBe('A\ufffdB');
    });
  });

  it('copies text in a charset other than UTF-8 unchanged', async () => {
    const latin1 = Buffer.from('café', 'latin1');
    expect(await run([latin1], 'text/plain; charset=ISO-8859-1')).toEqual(latin1);
  });
});

describe('isUtf8Text', () => {
  it.each([
    ['text/plain', true],
    ['text/plain; charset=utf-8', true],
    ['Text/CSV; Charset="UTF-8"', true],
    ['text/html;charset=us-ascii', true],
    ['text/plain; format=flowed', true],
    ['text/plain; charset=iso-8859-1', false],
    ['application/json', false],
    ['image/png', false],
    ['application/octet-stream', false],
  ])('%s -> %s', (contentType, expected) => {
    expect(isUtf8Text(contentType)).toBe(expected);
  });
});
