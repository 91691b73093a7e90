import { decodeAwsChunked } from '../src/stubs/aws-chunked';

async function decode(pieces: Array<string | Buffer>): Promise<string> {
  async function* source() {
    for (const piece of pieces) yield Buffer.from(piece);
  }
  const out: Buffer[] = [];
  for await (const chunk of decodeAwsChunked(source())) out.push(chunk);
  return Buffer.concat(out).toString('utf8');
}

describe('decodeAwsChunked', () => {
  const body =
    '5;chunk-signature=aaaa\r\nhello\r\n8;chunk-signature=bbbb\r\n, wörld\r\n0;chunk-signature=cccc\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n';

  it('returns the data of every chunk and drops sizes, signatures and trailers', async () => {
    await expect(decode([body])).resolves.toBe('hello, wörld');
  });

  it('copes with the body arriving in pieces that split headers, data and CRLFs anywhere', async () => {
    const bytes = Buffer.from(body);
    for (const size of [1, 2, 3, 7, 13]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
      await expect(decode(pieces)).resolves.toBe('hello, wörld');
    }
  });

  it('reads unsigned chunks (no extension)', async () => {
    await expect(decode(['3\r\nabc\r\n0\r\n\r\n'])).resolves.toBe('abc');
  });

  it('refuses a body that ends before its last chunk', async () => {
    await expect(decode(['5\r\nhel'])).rejects.toThrow(/ended before the last chunk/);
  });

  it('refuses a chunk header that is not a hex size', async () => {
    await expect(decode(['zz\r\nhello\r\n'])).rejects.toThrow(/bad chunk header/);
  });
});
