import type { TransformName } from '@streamdrop/config';
import { SourceNotTransformableError } from '../errors';

/** What the processed object's `transform-note` says when text declared UTF-8 was not. */
export const NOT_UTF8_NOTE = 'source is not valid UTF-8; copied unchanged';

export interface TransformMeta {
  /** Content type of the source object, as the upload event carries it. */
  readonly contentType: string;
}

/**
 * The workload: turns the source bytes into the processed bytes. It must stream (objects can
 * be far larger than memory): read the input chunk by chunk and yield output as it goes,
 * holding back only what a later chunk may still change. `name` is stored with the output,
 * so that a new transform (or a new version of one, under a new name) re-processes an upload.
 */
export interface Transform {
  readonly name: TransformName;
  transform(input: AsyncIterable<Uint8Array>, meta: TransformMeta): AsyncIterable<Uint8Array>;
}

/** True for text/* whose charset is UTF-8 or unstated (US-ASCII is a subset of UTF-8). */
export function isUtf8Text(contentType: string): boolean {
  const [type = '', ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (!type.startsWith('text/')) return false;
  const charset = params.find((param) => param.startsWith('charset='))?.slice('charset='.length);
  return charset === undefined || ['utf-8', 'utf8', 'us-ascii', '"utf-8"'].includes(charset);
}

/**
 * A transform that rewrites UTF-8 text a piece at a time and copies everything else byte for
 * byte. `rewriter()` gives a fresh rewriter per object: `push` takes the next piece of text and
 * returns what can be written now, `end` returns the rest once the input is over.
 *
 * Text that claims to be UTF-8 but holds a byte sequence that is not (a Latin-1 file sent as
 * text/plain, say) is never decoded into U+FFFD: the transform stops with
 * SourceNotTransformableError, and the processor stores the source unchanged, with a note.
 */
export function textTransform(
  name: TransformName,
  rewriter: () => { push(text: string): string; end(): string },
): Transform {
  return {
    name,
    async *transform(input, meta) {
      if (!isUtf8Text(meta.contentType)) {
        yield* input;
        return;
      }
      const rewrite = rewriter();
      // stream: true keeps a character split across chunks for the next call; ignoreBOM keeps
      // a leading BOM in the output instead of silently dropping it; fatal: true throws on a
      // malformed sequence (or one cut off at the end) instead of decoding it as U+FFFD.
      const decoder = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
      const decode = (chunk?: Uint8Array) => {
        try {
          return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
        } catch (error) {
          throw new SourceNotTransformableError(NOT_UTF8_NOTE, { cause: error });
        }
      };
      const encoder = new TextEncoder();
      for await (const chunk of input) {
        const text = rewrite.push(decode(chunk));
        if (text) yield encoder.encode(text);
      }
      const rest = rewrite.push(decode()) + rewrite.end();
      if (rest) yield encoder.encode(rest);
    },
  };
}

/** Every byte as it came: what the processor stores when a transform cannot transform its source. */
export async function* copyUnchanged(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* input;
}
