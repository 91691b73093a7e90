/** The longest filename we accept, in UTF-8 bytes (the usual filesystem limit). */
export const MAX_FILENAME_BYTES = 255;

// C0 controls, DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Characters that are invisible or reorder text: they make a name look like another one.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/**
 * Why `name` is not an acceptable filename, or `undefined` when it is.
 * Names are never rewritten: anything we would have to change is refused.
 */
export function filenameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_FILENAME_BYTES)
    return `must be at most ${MAX_FILENAME_BYTES} bytes of UTF-8 (got ${bytes})`;
  if (!name.isWellFormed()) return 'must be well-formed Unicode (no lone surrogates)';
  if (CONTROL.test(name)) return 'must not contain control characters';
  if (INVISIBLE.test(name)) return 'must not contain invisible or bidirectional formatting characters';
  if (name.includes('/') || name.includes('\\')) return "must not contain '/' or '\\'";
  if (name === '.' || name === '..') return "must not be the dot name '.' or '..'";
  // Compatibility forms such as U+FF0F (fullwidth solidus) or U+2024 (one dot leader) turn
  // into separators or dot names once some other tool normalises them.
  const folded = name.normalize('NFKC');
  if (folded.includes('/') || folded.includes('\\') || folded === '.' || folded === '..') {
    return 'must not contain characters that normalise to a path separator or dot name';
  }
  return undefined;
}

export function isValidFilename(name: string): boolean {
  return filenameProblem(name) === undefined;
}
