import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '../../scripts/chromium';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'streamdrop-chromium-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fakeBrowser = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho Chromium 1.0\n');
  chmodSync(path, 0o755);
  return path;
};

describe('finding a Chromium for the browser tests', () => {
  it('takes STREAMDROP_CHROMIUM as it is, and nothing else when it names no executable', () => {
    const path = fakeBrowser('my-chrome');
    expect(findChromium({ STREAMDROP_CHROMIUM: path, PATH: '' })).toEqual({
      path,
      source: 'STREAMDROP_CHROMIUM',
    });
    fakeBrowser('chromium');
    expect(findChromium({ STREAMDROP_CHROMIUM: join(dir, 'missing'), PATH: dir })).toBeUndefined();
  });

  it('finds chromium, chromium-browser or Chrome on the PATH, in that order', () => {
    const chrome = fakeBrowser('google-chrome');
    expect(findChromium({ PATH: dir })).toEqual({ path: chrome, source: 'PATH' });
    const chromium = fakeBrowser('chromium');
    expect(findChromium({ PATH: dir })).toEqual({ path: chromium, source: 'PATH' });
  });

  it('passes over a file on the PATH that cannot be run', () => {
    writeFileSync(join(dir, 'chromium'), 'not a program');
    const found = findChromium({ PATH: dir });
    expect(found?.path).not.toBe(join(dir, 'chromium'));
  });
});
