import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WEB_FIRST_LOAD_GZIP_TARGET, webBundle } from '../src/suites/web-bundle';

let dir: string;
const before = process.env.STREAMDROP_WEB_DIR;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'streamdrop-bench-web-'));
  process.env.STREAMDROP_WEB_DIR = dir;
});
afterEach(() => {
  if (before === undefined) delete process.env.STREAMDROP_WEB_DIR;
  else process.env.STREAMDROP_WEB_DIR = before;
  rmSync(dir, { recursive: true, force: true });
});

const options = { quick: true, latencyMs: 0, processorConcurrency: undefined, largeObjectMiB: 1 };

describe('the web bundle suite', () => {
  it('counts the page, the script and the stylesheet of a first visit, gzipped, against 50 KiB', async () => {
    mkdirSync(join(dir, 'assets'));
    const files = {
      'index.html': '<!doctype html><title>x</title>',
      'assets/app-A.js': 'console.log("a".repeat(100))',
      'assets/app-A.css': 'body{margin:0}',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const [firstLoad, script] = await webBundle.run(options, () => undefined);
    const gz = (text: string) => gzipSync(text, { level: 9 }).length;
    expect(firstLoad).toMatchObject({
      name: 'web.first_load_gzip_bytes',
      value: Object.values(files).reduce((sum, text) => sum + gz(text), 0),
      target: `<= ${WEB_FIRST_LOAD_GZIP_TARGET}`,
      met: true,
    });
    expect(script).toMatchObject({ name: 'web.script_gzip_bytes', value: gz(files['assets/app-A.js']) });
  });

  it('says to build first when there is no build', async () => {
    await expect(webBundle.run(options, () => undefined)).rejects.toThrow(/run `pnpm build` first/);
  });
});
