/**
 * Bench-only: decodes an `aws-chunked` request body (what the SDK sends for a streamed body
 * with a trailing checksum): `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailers>\r\n`.
 */
export async function* decodeAwsChunked(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  let remaining = -1; // data bytes left in the current chunk; -1 while reading a size line
  let done = false;
  for await (const piece of source) {
    if (done) continue; // trailers after the last chunk: drain them
    pending = pending.length === 0 ? piece : Buffer.concat([pending, piece]);
    for (;;) {
      if (remaining < 0) {
        const eol = pending.indexOf('\r\n');
        if (eol < 0) break;
        const line = pending.subarray(0, eol).toString('latin1');
        const size = Number.parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isInteger(size) || size < 0) throw new Error(`aws-chunked: bad chunk header "${line}"`);
        pending = pending.subarray(eol + 2);
        if (size === 0) {
          done = true;
          break;
        }
        remaining = size;
      }
      if (remaining > 0) {
        if (pending.length === 0) break;
        const take = Math.min(remaining, pending.length);
        yield pending.subarray(0, take);
        pending = pending.subarray(take);
        remaining -= take;
      }
      if (remaining === 0) {
        if (pending.length < 2) break;
        pending = pending.subarray(2); // the CRLF after the data
        remaining = -1;
      }
    }
  }
  if (!done) throw new Error('aws-chunked: body ended before the last chunk');
}
