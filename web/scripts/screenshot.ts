// Takes docs/images/web-main.png, the main screen in docs/web.md: the demo user signed in through
// the hosted UI of a throwaway local stack, with a processed text file, a processed binary and a
// file whose processing failed. `pnpm --filter @streamdrop/web screenshot` (after `pnpm synth`).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultStackFile, repoRoot } from '@streamdrop/local';
import { startTestStack } from '@streamdrop/local/testing';
import { signInThroughHostedUi } from '../test/support/app';
import { launchChromium } from '../test/support/browser';

const out = join(repoRoot(), 'docs', 'images');
mkdirSync(out, { recursive: true });
const t = await startTestStack({ stackFile: defaultStackFile() });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 860 }, deviceScaleFactor: 1 });
  await signInThroughHostedUi(page, t.stack.config, 'demo');
  const input = page.getByLabel('Choose files to upload');
  const settle = (name: string, status: string) =>
    page
      .locator('#uploads > li')
      .filter({ hasText: name })
      .locator('.status')
      .filter({ hasText: status })
      .waitFor({ timeout: 60_000 });
  // A declared SHA-256 that is not the file's: the processor refuses it, with its reason.
  await page.route(`${t.stack.config.apiUrl}/uploads`, async (route) => {
    const body = route.request().postData();
    if (route.request().method() !== 'POST' || !body || !body.includes('scan-2026-12.pdf'))
      return route.continue();
    return route.continue({ postData: JSON.stringify({ ...JSON.parse(body), sha256: '0'.repeat(64) }) });
  });
  await input.setInputFiles({
    name: 'scan-2026-12.pdf',
    mimeType: 'application/pdf',
    buffer: randomBytes(17 * 1024 * 1024),
  });
  await settle('scan-2026-12.pdf', 'failed');
  await input.setInputFiles({
    name: 'holiday-photos.zip',
    mimeType: 'application/zip',
    buffer: randomBytes(20 * 1024 * 1024),
  });
  await settle('holiday-photos.zip', 'processed');
  await input.setInputFiles({
    name: 'meeting-notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('agenda\n'),
  });
  await settle('meeting-notes.txt', 'processed');
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'web-main.png'), fullPage: true });
  await page.setViewportSize({ width: 375, height: 812 });
  await page.screenshot({ path: join(out, 'web-main-375.png'), fullPage: false });
  console.log(`wrote ${join(out, 'web-main.png')} and web-main-375.png`);
} finally {
  await browser.close();
  await t.stack.stop();
}
