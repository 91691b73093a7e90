import { escapeControls, printableJson, reportOf, UserError, writeData } from '../src';

/** Every character a terminal acts on, as a forged record could carry them. */
const HOSTILE = [
  '\u001b[2J\u001b[H', // clear the screen, cursor home
  '\u001b]0;pwned\u0007', // set the window title (OSC … BEL)
  '\u009b31m', // C1 CSI: red on terminals that read 8-bit controls
  '\u0085', // C1 NEL
  '\u007f', // DEL
  '\r', // back to the start of the line: overwrite what was printed
  '\b',
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u2028', // line separator
];
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

describe('escapeControls', () => {
  it('writes every control, bidi override and separator as a visible escape', () => {
    const text = `failure ${HOSTILE.join('x')} end`;
    const shown = escapeControls(text);
    expect(shown).not.toMatch(RAW);
    expect(shown).toBe(
      'failure \\x1b[2J\\x1b[Hx\\x1b]0;pwned\\x07x\\x9b31mx\\x85x\\x7fx\\x0dx\\x08x\\u202ex\\u2066x\\u2028 end',
    );
  });

  it('escapes line feeds and tabs unless asked to keep them', () => {
    expect(escapeControls('a\nb\tc')).toBe('a\\x0ab\\x09c');
    expect(escapeControls('a\nb\tc\u001b', { keepLines: true })).toBe('a\nb\tc\\x1b');
  });

  it('keeps every script, emoji sequences and their joiners', () => {
    const text = 'résumé 日本語 مرحبا می‌خواهم 👩🏽‍💻 ❤️ 🇫🇷 Ελληνικά';
    expect(escapeControls(text)).toBe(text);
  });

  it('escapes a lone surrogate and keeps a pair', () => {
    expect(escapeControls('a\ud800b\udc00c😀')).toBe('a\\ud800b\\udc00c😀');
  });
});

describe('printableJson', () => {
  it('is JSON of the same value, with nothing a terminal acts on', () => {
    const value = { reason: HOSTILE.join(''), key: 'uploads/ok/日本.txt', n: [1, 2] };
    const text = printableJson(value);
    expect(text).not.toMatch(RAW);
    expect(JSON.parse(text)).toEqual(value);
    expect(text.split('\n').length).toBeGreaterThan(3); // still indented
  });
});

describe('writeData', () => {
  const sink = (isTTY: boolean) => {
    const written: Array<string | Uint8Array> = [];
    return { isTTY, written, write: (chunk: string | Uint8Array) => written.push(chunk) > 0 };
  };

  it('writes bytes unchanged into a pipe or a file', () => {
    const out = sink(false);
    const bytes = Buffer.from('a\u001b[31mb\n');
    writeData(out, bytes);
    expect(Buffer.from(out.written[0] as Uint8Array).equals(bytes)).toBe(true);
  });

  it('escapes controls on a terminal, keeping lines', () => {
    const out = sink(true);
    writeData(out, Buffer.from('a\u001b[31mb\nc'));
    expect(out.written).toEqual(['a\\x1b[31mb\nc']);
  });
});

describe('reportOf with data in the message', () => {
  it('escapes the controls a message quotes, and keeps its lines', () => {
    const { line } = reportOf(new UserError('No failure \u001b[2Jx in bucket.\nSee the list.'));
    expect(line).toBe('error: No failure \\x1b[2Jx in bucket.\nSee the list.');
  });
});
