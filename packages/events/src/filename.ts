/** The longest filename we accept, in UTF-8 bytes (the usual filesystem limit). */
export const MAX_FILENAME_BYTES = 255;

/*
 * The filename rule, by Unicode properties. A name is refused, never rewritten, when it:
 *
 *  1. is empty, or longer than MAX_FILENAME_BYTES bytes of UTF-8;
 *  2. is not well-formed Unicode (a lone surrogate, general category Cs);
 *  3. holds a control character (Cc: U+0000–U+001F, U+007F–U+009F);
 *  4. holds `/` or `\`;
 *  5. holds a line or paragraph separator (Zl, Zp: U+2028, U+2029);
 *  6. holds an invisible character: a format character (Cf: soft hyphen, bidi marks, embeddings,
 *     overrides and isolates, zero-width space and joiners, word joiner, BOM, tag characters
 *     U+E0000–U+E007F...) or any other Default_Ignorable_Code_Point (Hangul fillers U+115F,
 *     U+1160, U+3164, U+FFA0, the combining grapheme joiner U+034F...), except where a script
 *     needs one: a variation selector after its base (U+FE00–U+FE0F, U+E0100–U+E01EF: ❤️, CJK
 *     variants), U+200D ZERO WIDTH JOINER between two emoji (an emoji ZWJ sequence, UTS #51),
 *     U+200C ZERO WIDTH NON-JOINER between two letters of the Arabic script (Persian), and a
 *     Mongolian free variation selector after a Mongolian character;
 *  7. holds an unassigned code point (Cn, noncharacters included), a private-use one (Co), or
 *     U+FFFD REPLACEMENT CHARACTER (the trace of a name already damaged by a lossy decoding);
 *  8. holds a character drawn like a slash or a backslash (LOOK_ALIKE_SEPARATORS), or one that
 *     NFKC normalisation turns into `/` or `\`;
 *  9. is a dot name: `.` or `..`; NFKC-normalises to one; or is one or two dot look-alikes;
 * 10. begins or ends with white space (White_Space), or begins with a combining mark (M), which
 *     would draw itself over whatever is shown before the name;
 * 11. has no visible character: only white space, invisible characters and U+2800 BRAILLE
 *     PATTERN BLANK.
 *
 * Everything else is a name: letters, marks, digits, punctuation, symbols and spaces of every
 * script (accents, CJK, Arabic, Devanagari, emoji with skin tones, flags and ZWJ sequences).
 * docs/api.md lists the same rule for callers.
 */

/** Characters drawn like `/` or `\` that NFKC leaves alone or folds into them (from Unicode's confusables). */
export const LOOK_ALIKE_SEPARATORS: ReadonlyMap<string, string> = new Map([
  ['\u2044', 'FRACTION SLASH'],
  ['\u2215', 'DIVISION SLASH'],
  ['\u2571', 'BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT'],
  ['\u27cb', 'MATHEMATICAL RISING DIAGONAL'],
  ['\u29f8', 'BIG SOLIDUS'],
  ['\u2f03', 'KANGXI RADICAL SLASH'],
  ['\u31d3', 'CJK STROKE SP'],
  ['\uff0f', 'FULLWIDTH SOLIDUS'],
  ['\u0337', 'COMBINING SHORT SOLIDUS OVERLAY'],
  ['\u0338', 'COMBINING LONG SOLIDUS OVERLAY'],
  ['\u20eb', 'COMBINING LONG DOUBLE SOLIDUS OVERLAY'],
  ['\u2216', 'SET MINUS'],
  ['\u2572', 'BOX DRAWINGS LIGHT DIAGONAL UPPER LEFT TO LOWER RIGHT'],
  ['\u27cd', 'MATHEMATICAL FALLING DIAGONAL'],
  ['\u29f5', 'REVERSE SOLIDUS OPERATOR'],
  ['\u29f9', 'BIG REVERSE SOLIDUS'],
  ['\ufe68', 'SMALL REVERSE SOLIDUS'],
  ['\uff3c', 'FULLWIDTH REVERSE SOLIDUS'],
  ['\u20e5', 'COMBINING REVERSE SOLIDUS OVERLAY'],
]);

/** Characters drawn like a full stop: a name of one or two of them passes for `.` or `..`. */
const DOT_LIKE = /^[.\u0701\u0702\u2024\u2027\u2e31\u3002\ua4f8\ufe52\uff0e\uff61]$/u;

const CONTROL = /\p{Cc}/u;
const SEPARATOR = /[\p{Zl}\p{Zp}]/u;
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const UNASSIGNED_OR_PRIVATE = /[\p{Cn}\p{Co}\ufffd]/u;
const VARIATION_SELECTOR = /^[\ufe00-\ufe0f\u{e0100}-\u{e01ef}]$/u;
const MONGOLIAN_FVS = /^[\u180b-\u180d\u180f]$/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const EMOJI_MODIFIER_OR_VS16 = /^(?:\p{Emoji_Modifier}|\ufe0f)$/u;
const ARABIC_LETTER = /^(?=\p{L})\p{Script=Arabic}$/u;
const MARK = /^\p{M}$/u;
const MONGOLIAN = /^\p{Script=Mongolian}$/u;
const WHITE_SPACE = /^\p{White_Space}$/u;
const BLANK = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]+$/u;

const ZWNJ = '\u200c';
const ZWJ = '\u200d';

/** `U+202E` for a character. */
export function codePointLabel(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Whether the invisible character at `i` is one its neighbours need (rule 6's exceptions). */
function isNeededJoiner(chars: readonly string[], i: number): boolean {
  const char = chars[i] ?? '';
  const before = chars[i - 1];
  const after = chars[i + 1];
  if (VARIATION_SELECTOR.test(char)) return before !== undefined;
  if (MONGOLIAN_FVS.test(char)) return before !== undefined && MONGOLIAN.test(before);
  if (char === ZWJ) {
    // emoji ZWJ element: a pictograph, optionally with a skin tone or emoji presentation selector
    let j = i - 1;
    if (EMOJI_MODIFIER_OR_VS16.test(chars[j] ?? '')) j -= 1;
    return PICTOGRAPH.test(chars[j] ?? '') && PICTOGRAPH.test(after ?? '');
  }
  if (char === ZWNJ) {
    let j = i - 1;
    while (MARK.test(chars[j] ?? '')) j -= 1;
    return ARABIC_LETTER.test(chars[j] ?? '') && ARABIC_LETTER.test(after ?? '');
  }
  return false;
}

function firstInvisible(chars: readonly string[]): string | undefined {
  return chars.find((char, i) => INVISIBLE.test(char) && !isNeededJoiner(chars, i));
}

function hasSeparatorOrDotName(name: string): boolean {
  return name.includes('/') || name.includes('\\') || name === '.' || name === '..';
}

/**
 * Why `name` is not an acceptable filename, or `undefined` when it is (the rule above).
 * Names are never rewritten: anything we would have to change is refused.
 */
export function filenameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_FILENAME_BYTES)
    return `must be at most ${MAX_FILENAME_BYTES} bytes of UTF-8 (got ${bytes})`;
  if (!name.isWellFormed()) return 'must be well-formed Unicode (no lone surrogates)';
  if (CONTROL.test(name)) return 'must not contain control characters';
  if (name.includes('/') || name.includes('\\')) return "must not contain '/' or '\\'";
  if (name === '.' || name === '..') return "must not be the dot name '.' or '..'";

  const chars = [...name];
  const separator = chars.find((char) => SEPARATOR.test(char));
  if (separator) return `must not contain line or paragraph separators (${codePointLabel(separator)})`;
  const invisible = firstInvisible(chars);
  if (invisible) {
    return `must not contain invisible or bidirectional formatting characters (${codePointLabel(invisible)})`;
  }
  const unassigned = chars.find((char) => UNASSIGNED_OR_PRIVATE.test(char));
  if (unassigned) {
    return `must not contain unassigned, private-use or replacement characters (${codePointLabel(unassigned)})`;
  }

  // Look-alikes and compatibility forms such as U+FF0F (fullwidth solidus) or U+2024 (one dot
  // leader) pass for separators or dot names, on screen or once some other tool normalises them.
  const lookAlike = chars.find((char) => LOOK_ALIKE_SEPARATORS.has(char));
  if (lookAlike) {
    return `must not contain characters that look like or normalise to a path separator or dot name (${codePointLabel(lookAlike)} ${LOOK_ALIKE_SEPARATORS.get(lookAlike)})`;
  }
  if (
    hasSeparatorOrDotName(name.normalize('NFKC')) ||
    (chars.length <= 2 && chars.every((c) => DOT_LIKE.test(c)))
  ) {
    return 'must not contain characters that look like or normalise to a path separator or dot name';
  }

  if (BLANK.test(name)) return 'must contain a visible character';
  const first = chars[0] ?? '';
  const last = chars[chars.length - 1] ?? '';
  if (WHITE_SPACE.test(first) || WHITE_SPACE.test(last)) return 'must not begin or end with white space';
  if (MARK.test(first)) return `must not begin with a combining mark (${codePointLabel(first)})`;
  return undefined;
}

export function isValidFilename(name: string): boolean {
  return filenameProblem(name) === undefined;
}
