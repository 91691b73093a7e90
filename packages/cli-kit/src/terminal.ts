/**
 * Text that came from stored data (object keys, failure reasons, record data, an API's answer) is
 * written for a person only through these helpers: a control character in it (ESC, a C1 CSI,
 * BEL…) would otherwise drive the terminal — recolour, move the cursor, rewrite earlier lines,
 * set the window title — and a bidirectional override would reorder what is shown.
 */

/**
 * What is escaped: control characters (C0 and C1, DEL), the bidirectional formatting characters
 * (marks, embeddings, overrides, isolates), the line and paragraph separators, and lone
 * surrogates. Everything else — accents, CJK, Arabic, emoji with their joiners — is kept.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// The same without C0: JSON.stringify escapes every C0 character inside a string, and the only
// raw ones it writes are the line feeds of its indentation.
const UNSAFE_IN_JSON =
  /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const escapeOne = (char: string) => {
  const code = char.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

export interface EscapeOptions {
  /** Keep line feeds and tabs as they are (multi-line text); default: escape them too. */
  readonly keepLines?: boolean;
}

/**
 * `text` with every character that could act on a terminal written as a visible escape
 * (`\x1b`, `\x9b`, `\u202e`); the rest unchanged.
 */
export function escapeControls(text: string, options: EscapeOptions = {}): string {
  return text.replace(UNSAFE, (char) =>
    options.keepLines && (char === '\n' || char === '\t') ? char : escapeOne(char),
  );
}

/**
 * `JSON.stringify(value, null, 2)` with the characters JSON leaves raw but a terminal acts on
 * (C1 controls, DEL, bidirectional formatting, U+2028/U+2029, lone surrogates) written as
 * `\uXXXX` escapes too: still valid JSON, parsing to the same value.
 */
export function printableJson(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'undefined').replace(
    UNSAFE_IN_JSON,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Writes stored bytes: unchanged into a pipe or a file, escaped (as UTF-8 text) on a terminal. */
export function writeData(stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>, data: Uint8Array): void {
  if (!stream.isTTY) {
    stream.write(data);
    return;
  }
  stream.write(escapeControls(Buffer.from(data).toString('utf8'), { keepLines: true }));
}
