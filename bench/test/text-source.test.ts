import { createHash } from 'node:crypto';
import { sha256Of, TEXT_UNIT, textSource, upperCasedSource, wholeUnits } from '../src/stubs/text-source';

const unitBytes = Buffer.byteLength(TEXT_UNIT);

describe('textSource', () => {
  it('produces exactly `size` bytes of the unit repeated, in chunks of the given size', () => {
    const size = wholeUnits(10_000);
    const chunks = [...textSource(size, { chunkBytes: 997 }).chunks()];

    expect(chunks.slice(0, -1).every((c) => c.length === 997)).toBe(true);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(Buffer.byteLength(text)).toBe(size);
    expect(text).toBe(TEXT_UNIT.repeat(size / unitBytes));
  });

  it('cuts multi-byte characters across chunk boundaries (what the transform must survive)', () => {
    const chunks = [...textSource(wholeUnits(50_000), { chunkBytes: 997 }).chunks()];
    const split = chunks.filter((chunk) => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(chunk);
        return false;
      } catch {
        return true;
      }
    });

    expect(split.length).toBeGreaterThan(chunks.length / 4);
  });

  it('keeps whole characters only when sized with wholeUnits', () => {
    expect(wholeUnits(unitBytes * 3 + 5)).toBe(unitBytes * 3);
    expect(wholeUnits(unitBytes - 1)).toBe(0);
  });

  it('has an upper-cased twin of the same byte length, equal to toUpperCase of its text', () => {
    const size = wholeUnits(4_000);
    const source = Buffer.concat([...textSource(size).chunks()]).toString('utf8');
    const upper = Buffer.concat([...upperCasedSource(size).chunks()]);

    expect(upper.length).toBe(size);
    expect(upper.toString('utf8')).toBe(source.toUpperCase());
  });

  it('hashes what it produces', () => {
    const source = textSource(wholeUnits(3_000));
    const expected = createHash('sha256')
      .update(Buffer.concat([...source.chunks()]))
      .digest('hex');
    expect(sha256Of(source)).toBe(expected);
  });

  it('refuses a unit whose upper case changes its byte length', () => {
    expect(() => upperCasedSource(100, { unit: 'dotless ı ' })).toThrow(/UTF-8 length/);
  });
});
