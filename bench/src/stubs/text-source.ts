import { createHash } from 'node:crypto';

/**
 * Bench-only: a large UTF-8 text object generated on the fly, so that a 1 GiB body needs no
 * 1 GiB buffer. The unit mixes 1-, 2-, 3- and 4-byte characters, and chunks have an odd size
 * (a prime), so characters straddle chunk boundaries all along the object.
 */
export const TEXT_UNIT = 'hello wörld, été café — ✓ naïve façade 😀 жизнь δέλτα. ';

/** A prime, so that chunk boundaries walk through every position of the unit. */
export const DEFAULT_CHUNK_BYTES = 65_521;

export interface TextSource {
  readonly size: number;
  readonly contentType: string;
  /** The bytes, in chunks of `chunkBytes` (the last may be shorter). */
  chunks(): Generator<Buffer>;
}

/** The largest size of at most `bytes` made of whole units: no character is cut at the end. */
export function wholeUnits(bytes: number, unit = TEXT_UNIT): number {
  const unitBytes = Buffer.byteLength(unit, 'utf8');
  return Math.floor(bytes / unitBytes) * unitBytes;
}

/** A buffer holding `unit` repeated until it is at least `minBytes + unit length` long. */
function repeated(unit: Buffer, minBytes: number): Buffer {
  const copies = Math.ceil(minBytes / unit.length) + 1;
  return Buffer.concat(Array.from({ length: copies }, () => unit));
}

/** `size` bytes of `unit` repeated (UTF-8), cut into `chunkBytes` chunks. */
export function textSource(
  size: number,
  { unit = TEXT_UNIT, chunkBytes = DEFAULT_CHUNK_BYTES } = {},
): TextSource {
  const unitBytes = Buffer.from(unit, 'utf8');
  const ring = repeated(unitBytes, chunkBytes);
  return {
    size,
    contentType: 'text/plain; charset=utf-8',
    *chunks() {
      for (let offset = 0; offset < size; offset += chunkBytes) {
        const start = offset % unitBytes.length;
        const length = Math.min(chunkBytes, size - offset);
        // A copy: consumers (sockets, hashes) may hold on to it after the next chunk.
        yield Buffer.from(ring.subarray(start, start + length));
      }
    },
  };
}

/** The source's upper-cased twin, as the reference transform must produce it. */
export function upperCasedSource(
  size: number,
  { unit = TEXT_UNIT, chunkBytes = DEFAULT_CHUNK_BYTES } = {},
): TextSource {
  const upper = unit.toUpperCase();
  if (Buffer.byteLength(upper) !== Buffer.byteLength(unit)) {
    throw new Error('the unit must keep its UTF-8 length when upper-cased');
  }
  return textSource(size, { unit: upper, chunkBytes });
}

/** sha256 (hex) of every chunk of a source. */
export function sha256Of(source: TextSource): string {
  const hash = createHash('sha256');
  for (const chunk of source.chunks()) hash.update(chunk);
  return hash.digest('hex');
}
