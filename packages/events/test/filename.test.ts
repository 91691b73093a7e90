import { filenameProblem, isValidFilename, LOOK_ALIKE_SEPARATORS, MAX_FILENAME_BYTES } from '../src';

const hex = (name: string) =>
  [...name].map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`).join(' ');

describe('filename rules', () => {
  describe('accept names in every script', () => {
    it.each([
      ['plain ASCII', 'demo.txt'],
      ['accents and a space', 'résumé final.pdf'],
      ['decomposed accents (NFD)', 're\u0301sume\u0301.pdf'],
      ['Vietnamese', 'Tiếng Việt.docx'],
      ['Japanese', '日本語のファイル.txt'],
      ['Japanese with an ideographic space inside', '会議\u3000議事録.txt'],
      ['Chinese', '年度报告.xlsx'],
      ['Korean', '한국어 문서.hwp'],
      ['Arabic', 'تقرير سنوي.pdf'],
      ['Persian with a zero width non-joiner (U+200C)', 'می\u200cخواهم.txt'],
      ['Hebrew', 'דוח שנתי.pdf'],
      ['Devanagari', 'हिन्दी फ़ाइल.txt'],
      ['Thai', 'ภาษาไทย.txt'],
      ['Greek and Cyrillic', 'Ελληνικά и русский.txt'],
      ['Mongolian with a free variation selector', 'ᠮᠣᠩ\u180bᠭᠣᠯ.txt'],
      ['an emoji', '🚀 launch.txt'],
      ['an emoji with a skin tone', '👍🏽.png'],
      ['an emoji presentation selector (U+FE0F)', '❤\ufe0f.txt'],
      ['an emoji ZWJ sequence', '👩\u200d💻 notes.md'],
      ['a ZWJ sequence with a skin tone and a selector', '🧑🏽\u200d💻 and 🏳\ufe0f\u200d🌈.txt'],
      ['a flag', '🇯🇵.txt'],
      ['a keycap', '1\ufe0f\u20e3.txt'],
      ['a CJK ideographic variation selector', '葛\u{e0100}.txt'],
      ['braille with a blank cell between words', '⠓⠑⠇⠇⠕\u2800⠺⠕⠗⠇⠙.txt'],
      ['punctuation and symbols', "it's (v2) [final] {#1} 50% & more!.txt"],
      ['a name that starts with a dot', '.hidden'],
      ['three dots', '...'],
      ['a name that starts with two dots', '..hidden.txt'],
      ['a percent-encoded traversal, which is text', '..%2F..%2Fx.txt'],
      ['the longest name', 'a'.repeat(MAX_FILENAME_BYTES)],
      ['252 bytes of emoji', '😀'.repeat(63)],
    ])('%s', (_label, name) => {
      expect(filenameProblem(name)).toBeUndefined();
      expect(isValidFilename(name)).toBe(true);
    });
  });

  describe('refuse', () => {
    it.each([
      ['an empty name', '', /^must not be empty$/],
      ['256 bytes', 'a'.repeat(MAX_FILENAME_BYTES + 1), /^must be at most 255 bytes of UTF-8 \(got 256\)$/],
      ['128 characters of 256 bytes', 'é'.repeat(128), /at most 255 bytes/],
      ['a lone high surrogate (Cs)', 'lone\ud800surrogate', /well-formed/],
      ['a lone low surrogate (Cs)', '\udc00.txt', /well-formed/],
    ])('%s', (_label, name, reason) => {
      expect(filenameProblem(name)).toMatch(reason);
      expect(isValidFilename(name)).toBe(false);
    });

    it.each([['../etc/passwd'], ['a/b.txt'], ['/abs.txt'], ['..\\windows.ini'], ['C:\\x']])(
      'a path separator: %j',
      (name) => {
        expect(filenameProblem(name)).toBe("must not contain '/' or '\\'");
      },
    );

    it.each([['.'], ['..']])('the dot name %j', (name) => {
      expect(filenameProblem(name)).toBe("must not be the dot name '.' or '..'");
    });

    it.each([
      ['NUL', 'nul\u0000.txt'],
      ['a line feed', 'new\nline.txt'],
      ['a carriage return', 'a\rb.txt'],
      ['a tab', 'tab\t.txt'],
      ['an escape', '\u001b[31mred.txt'],
      ['DEL', 'del\u007f.txt'],
      ['a C1 control (NEL)', 'c1\u0085.txt'],
      ['a C1 control (CSI)', 'c1\u009b.txt'],
    ])('a control character (Cc): %s', (_label, name) => {
      expect(filenameProblem(name)).toBe('must not contain control characters');
    });

    it.each([
      ['a line separator (Zl)', 'a\u2028b.txt', 'U+2028'],
      ['a paragraph separator (Zp)', 'a\u2029b.txt', 'U+2029'],
    ])('%s', (_label, name, code) => {
      expect(filenameProblem(name)).toBe(`must not contain line or paragraph separators (${code})`);
    });

    const tags = (text: string) =>
      [...text].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
    it.each([
      ['a soft hyphen', 'in\u00advoice.pdf'],
      ['a left-to-right mark', 'a\u200eb.txt'],
      ['a right-to-left mark', 'a\u200fb.txt'],
      ['an Arabic letter mark', 'a\u061cb.txt'],
      ['a right-to-left embedding', 'a\u202bb.txt'],
      ['a pop directional formatting', 'a\u202cb.txt'],
      ['a right-to-left override', 'invoice\u202efdp.exe'],
      ['a left-to-right isolate', 'a\u2066b.txt'],
      ['a first-strong isolate', 'a\u2068b.txt'],
      ['a pop directional isolate', 'a\u2069b.txt'],
      ['a zero width space', 'zero\u200bwidth.txt'],
      ['a zero width joiner between letters', 'de\u200dmo.txt'],
      ['a zero width non-joiner between Latin letters', 'de\u200cmo.txt'],
      ['a word joiner', 'a\u2060b.txt'],
      ['an invisible times', 'a\u2062b.txt'],
      ['a byte order mark', '\ufeffdemo.txt'],
      ['an interlinear annotation anchor', 'a\ufff9b.txt'],
      ['a language tag', 'a\u{e0001}b.txt'],
      ['tag characters spelling "ignore"', `note${tags('ignore')}.txt`],
      ['a cancel tag', 'a\u{e007f}.txt'],
      ['an emoji tag sequence (subdivision flag)', `🏴${tags('gbeng')}\u{e007f}.txt`],
      ['a Hangul filler inside a name', 'a\u3164b.txt'],
      ['only a Hangul filler (U+3164)', '\u3164'],
      ['only a Hangul choseong filler (U+115F)', '\u115f'],
      ['only a Hangul jungseong filler (U+1160)', '\u1160'],
      ['only a halfwidth Hangul filler (U+FFA0)', '\uffa0'],
      ['a combining grapheme joiner', 'a\u034fb.txt'],
      ['a Mongolian vowel separator', 'a\u180eb.txt'],
      ['a Mongolian variation selector after a Latin letter', 'a\u180bb.txt'],
      ['a ZWJ after an emoji but before a letter', '👩\u200dx.txt'],
      ['a ZWNJ after an Arabic letter but before a Latin one', 'م\u200cx.txt'],
      ['an Arabic number sign (a visible format character)', '\u0600.txt'],
      ['a variation selector with nothing before it', '\ufe0f.txt'],
    ])('an invisible or format character (Cf, Default_Ignorable_Code_Point): %s', (_label, name) => {
      expect(filenameProblem(name)).toMatch(
        /^must not contain invisible or bidirectional formatting characters \(U\+[0-9A-F]{4,5}\)$/,
      );
    });

    it('names the first invisible character it found', () => {
      expect(filenameProblem('invoice\u202efdp.exe')).toMatch(/\(U\+202E\)$/);
      expect(filenameProblem('a\u{e0041}.txt')).toMatch(/\(U\+E0041\)$/);
    });

    it.each([
      ['a private-use character', 'a\ue000b.txt', 'U+E000'],
      ['the Apple logo (private use)', '\uf8ff.txt', 'U+F8FF'],
      ['a supplementary private-use character', 'a\u{f0000}.txt', 'U+F0000'],
      ['an unassigned code point', 'a\u0378b.txt', 'U+0378'],
      ['a noncharacter', 'a\ufffeb.txt', 'U+FFFE'],
      ['a noncharacter from the FDD0 block', 'a\ufdd0b.txt', 'U+FDD0'],
      ['a plane-end noncharacter', 'a\u{1ffff}.txt', 'U+1FFFF'],
      ['the replacement character', 'caf\ufffd.txt', 'U+FFFD'],
    ])('%s (Cn, Co, U+FFFD)', (_label, name, code) => {
      expect(filenameProblem(name)).toBe(
        `must not contain unassigned, private-use or replacement characters (${code})`,
      );
    });

    it.each([...LOOK_ALIKE_SEPARATORS.keys()].map((char) => [hex(char), char]))(
      'a look-alike of a path separator, %s, alone or in a traversal',
      (_code, char) => {
        for (const name of [`..${char}..${char}etc`, `a${char}b.txt`]) {
          expect(filenameProblem(name)).toMatch(
            /^must not contain characters that look like or normalise to a path separator or dot name \(U\+/,
          );
        }
      },
    );

    it('lists every look-alike issue 16 names', () => {
      for (const code of [0x2215, 0x2044, 0x29f8, 0xff0f, 0xff3c, 0x29f5, 0x2216, 0xfe68]) {
        expect(LOOK_ALIKE_SEPARATORS.has(String.fromCodePoint(code))).toBe(true);
      }
    });

    it.each([
      ['one dot leader (NFKC ".")', '\u2024'],
      ['two dot leader (NFKC "..")', '\u2025'],
      ['two one-dot leaders', '\u2024\u2024'],
      ['a fullwidth full stop', '\uff0e'],
      ['two fullwidth full stops', '\uff0e\uff0e'],
      ['a small full stop and a dot', '\ufe52.'],
      ['two Lisu tone marks drawn as dots', '\ua4f8\ua4f8'],
      ['two halfwidth ideographic full stops', '\uff61\uff61'],
    ])('a dot-name look-alike: %s', (_label, name) => {
      expect(filenameProblem(name)).toBe(
        'must not contain characters that look like or normalise to a path separator or dot name',
      );
    });

    it.each([
      ['only a braille blank', '\u2800'],
      ['only braille blanks and an ideographic space', '\u2800\u3000\u2800'],
      ['only spaces', '   '],
      ['only no-break spaces', '\u00a0\u00a0'],
      ['only an ideographic space', '\u3000'],
      ['only an em space', '\u2003'],
    ])('a name without a visible character: %s', (_label, name) => {
      expect(filenameProblem(name)).toBe('must contain a visible character');
    });

    it.each([
      ['a leading space', ' report.pdf'],
      ['a trailing space', 'report.pdf '],
      ['a trailing no-break space', 'report.pdf\u00a0'],
      ['a leading ideographic space', '\u3000report.pdf'],
      ['a trailing Ogham space mark', 'report\u1680'],
    ])('white space at either end: %s', (_label, name) => {
      expect(filenameProblem(name)).toBe('must not begin or end with white space');
    });

    it.each([
      ['a combining acute accent', '\u0301report.pdf', 'U+0301'],
      ['a combining enclosing circle', '\u20dd.txt', 'U+20DD'],
    ])('a leading combining mark: %s', (_label, name, code) => {
      expect(filenameProblem(name)).toBe(`must not begin with a combining mark (${code})`);
    });
  });
});
