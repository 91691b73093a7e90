import { filenameProblem, isValidFilename, MAX_FILENAME_BYTES } from '../src';

describe('filename rules', () => {
  it.each([
    ['demo.txt'],
    ['résumé final.pdf'],
    ['日本語.txt'],
    ['.hidden'],
    ['...'],
    ['a'.repeat(MAX_FILENAME_BYTES)],
    ['😀'.repeat(63)], // 252 bytes
  ])('accepts %j', (name) => {
    expect(filenameProblem(name)).toBeUndefined();
    expect(isValidFilename(name)).toBe(true);
  });

  it.each([
    ['', /empty/],
    ['a'.repeat(MAX_FILENAME_BYTES + 1), /at most 255 bytes/],
    ['é'.repeat(128), /at most 255 bytes/], // 256 bytes, 128 characters
    ['../etc/passwd', /'\/'/],
    ['a/b.txt', /'\/'/],
    ['/abs.txt', /'\/'/],
    ['..\\windows.ini', /'\/' or '\\'/],
    ['.', /dot/],
    ['..', /dot/],
    ['nul\u0000.txt', /control/],
    ['new\nline.txt', /control/],
    ['tab\t.txt', /control/],
    ['del\u007f.txt', /control/],
    ['c1\u0085.txt', /control/],
    ['evil\u202etxt.exe', /invisible|bidirectional/],
    ['zero\u200bwidth.txt', /invisible/],
    ['full\uff0fwidth.txt', /normalise/],
    ['full\uff3cwidth.txt', /normalise/],
    ['\u2025', /normalise/], // two dot leader: NFKC ".."
    ['lone\ud800surrogate', /well-formed/],
  ])('rejects %j', (name, reason) => {
    expect(filenameProblem(name)).toMatch(reason);
    expect(isValidFilename(name)).toBe(false);
  });
});
