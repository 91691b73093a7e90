export interface TransformMeta {
  /** Content type of the source object, as the upload event carries it. */
  readonly contentType: string;
}

/**
 * The workload: turns the source bytes into the processed bytes. It must stream (objects can
 * be far larger than memory). `name` is stored with the output, so a new transform re-processes.
 */
export interface Transform {
  readonly name: string;
  transform(input: AsyncIterable<Uint8Array>, meta: TransformMeta): AsyncIterable<Uint8Array>;
}

/** True for text/* whose charset is UTF-8 or unstated (US-ASCII is a subset of UTF-8). */
export function isUtf8Text(contentType: string): boolean {
  const [type = '', ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (!type.startsWith('text/')) return false;
  const charset = params.find((param) => param.startsWith('charset='))?.slice('charset='.length);
  return charset === undefined || ['utf-8', 'utf8', 'us-ascii', '"utf-8"'].includes(charset);
}

/** Reference transform: upper-cases UTF-8 text, copies everything else byte for byte. */
export const upperCaseText: Transform = {
  name: 'uppercase-text-v1',
  async *transform(input, meta) {
    if (!isUtf8Text(meta.contentType)) {
      yield* input;
      return;
    }
    // stream: true keeps a character split across chunks for the next call; ignoreBOM keeps
    // a leading BOM in the output instead of silently dropping it.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const encoder = new TextEncoder();
    for await (const chunk of input) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield encoder.encode(text.toUpperCase());
    }
    const rest = decoder.decode();
    if (rest) yield encoder.encode(rest.toUpperCase());
  },
};
