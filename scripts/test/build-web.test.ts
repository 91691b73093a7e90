import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEB_CSP_PLACEHOLDER } from '@streamdrop/config';
import { buildWeb } from '../src/build-web';
import { findRepoRoot } from '../src/lib/paths';

const root = findRepoRoot(__dirname);
let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'streamdrop-web-build-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

describe('buildWeb', () => {
  it('writes the page and its content-hashed script and stylesheet, which the page names', async () => {
    const info = await buildWeb({ root, outDir: out, quiet: true });
    expect(info.files.slice(0, 2)).toEqual(['index.html', 'favicon.svg']);
    const assets = info.files.slice(2);
    expect(assets).toEqual([
      expect.stringMatching(/^assets\/app-[A-Z0-9]{8}\.js$/),
      expect.stringMatching(/^assets\/app-[A-Z0-9]{8}\.css$/),
    ]);
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    for (const asset of assets) {
      expect(existsSync(join(out, asset))).toBe(true);
      expect(page).toContain(`"${asset}"`);
    }
    // Its policy is filled in where it is served; the placeholder comes before any script or style.
    expect(page.indexOf(WEB_CSP_PLACEHOLDER)).toBeGreaterThan(0);
    expect(page.indexOf(WEB_CSP_PLACEHOLDER)).toBeLessThan(page.indexOf('<script'));
    expect(page.indexOf(WEB_CSP_PLACEHOLDER)).toBeLessThan(page.indexOf('<link'));
    expect(page).not.toMatch(/[$%]\{|\{\{/);
    expect(info.gzipBytes).toBeGreaterThan(info.scriptGzipBytes);
  });

  it('wipes the output folder first, so that the stack never uploads a stale asset', async () => {
    await buildWeb({ root, outDir: out, quiet: true });
    const stale = join(out, 'assets', 'app-OLD00000.js');
    writeFileSync(stale, 'old');
    await buildWeb({ root, outDir: out, quiet: true });
    expect(existsSync(stale)).toBe(false);
  });
});
