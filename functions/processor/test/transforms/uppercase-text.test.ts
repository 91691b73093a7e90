import { isUtf8Text, upperCaseText } from '../../src/transforms';

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
