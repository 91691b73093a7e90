import { progressBar } from '../src';

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, columns: 100, write: (text: string) => written.push(text) }, written };
}

describe('progress bar', () => {
  it('redraws one line on a terminal, at most ten times a second, and ends it', () => {
    let clock = 0;
    const { stream, written } = sink(true);
    const bar = progressBar('upload', 200, stream, () => clock);
    bar.advance(50);
    clock = 50;
    bar.advance(50); // within 100 ms of the last draw: not drawn
    clock = 1000;
    bar.advance(100);
    bar.done('3 parts');

    const redraws = written.filter((w) => w.startsWith('\r'));
    expect(redraws).toHaveLength(3);
    expect(redraws[0]).toMatch(/^\rupload \[#+-+\] 25% 50 B of 200 B/);
    expect(redraws.at(-1)).toMatch(/100% 200 B of 200 B 200 B\/s/);
    expect(written.at(-1)).toBe('upload: 200 B in 1.0 s (3 parts)\n');
  });

  it('draws nothing but the last line where output is not a terminal', () => {
    const { stream, written } = sink(false);
    const bar = progressBar('upload', 10, stream, () => 0);
    bar.advance(10);
    bar.done();
    expect(written).toEqual(['upload: 10 B in 0.0 s\n']);
  });
});
