/**
 * Uploads from a real Chromium through the real local stack: the page's own upload sessions
 * straight to S3 (s3rver, with CORS and SigV4-checked presigned URLs), the processor, the status
 * that updates itself, downloads, failures with their reason, cancel, delete, sign-out.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defaultStackFile } from '@streamdrop/local';
import { signIn, startTestStack, type TestStack } from '@streamdrop/local/testing';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { signInThroughHostedUi } from '../support/app';
import { launchChromium, pageProblems } from '../support/browser';

let t: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestStack({ stackFile: defaultStackFile() }), launchChromium()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stack.stop();
});
beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
  problems = pageProblems(page);
  await signInThroughHostedUi(page, t.stack.config, 'demo');
});
afterEach(async () => {
  await context.close();
  expect(problems).toEqual([]);
});

const MIB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The entry of My uploads for `filename` (the newest, when there are several). */
const entry = (filename: string): Locator =>
  page
    .locator('#uploads > li')
    .filter({ has: page.locator('.filename', { hasText: filename }) })
    .first();

/** Waits until the entry's status reads `status` (the page updates it by itself). */
const statusOf = async (filename: string, status: string, timeout = 60_000) =>
  entry(filename)
    .locator('.status')
    .filter({ hasText: new RegExp(`^Status: ${status}`) })
    .waitFor({ timeout });

/** Clicks Download as a person does; the presigned GET answers with Content-Disposition: attachment. */
async function download(filename: string): Promise<Buffer> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    entry(filename)
      .getByRole('link', { name: `Download ${filename}` })
      .click(),
  ]);
  expect(file.suggestedFilename()).toBe(filename);
  return readFileSync(await file.path());
}

/** Every value the progress bar of `filename` takes, recorded in the page as it changes. */
async function recordProgress(): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, number[]> = {};
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        const bar = m.target as HTMLProgressElement;
        if (bar.tagName !== 'PROGRESS') continue;
        const name = bar.getAttribute('aria-label') ?? '';
        seen[name] ??= [];
        seen[name].push(Number(bar.getAttribute('value')) / Number(bar.getAttribute('max')));
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['value'] });
  });
}

describe('uploading', () => {
  it('uploads a text file, shows it become processed on its own, and downloads HELLO… back', async () => {
    await page.getByLabel('Choose files to upload').setInputFiles({
      name: 'hello.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hello from the browser\n'),
    });
    await statusOf('hello.txt', 'queued|processed');
    await statusOf('hello.txt', 'processed');
    expect((await download('hello.txt')).toString('utf8')).toBe('HELLO FROM THE BROWSER\n');
  });

  it('uploads a 20 MiB binary in parts with a progress bar that moves before it completes, and gets it back byte for byte', async () => {
    const data = randomBytes(20 * MIB);
    await recordProgress();
    const parts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().startsWith(t.stack.config.s3.endpoint)) parts.push(r.url());
    });
    await page.getByLabel('Choose files to upload').setInputFiles({
      name: 'random.bin',
      mimeType: 'application/octet-stream',
      buffer: data,
    });
    await statusOf('random.bin', 'processed');
    const seen = await page.evaluate(
      () =>
        (window as unknown as { progressSeen: Record<string, number[]> }).progressSeen[
          'Upload of random.bin'
        ] ?? [],
    );
    // Seen part-way (neither nothing nor all of it), before the end.
    expect(seen.some((fraction) => fraction > 0 && fraction < 1)).toBe(true);
    expect(seen.at(-1)).toBe(1);
    expect(parts.filter((url) => url.includes('partNumber='))).toHaveLength(2);
    const back = await download('random.bin');
    expect(back.length).toBe(data.length);
    expect(sha256(back)).toBe(sha256(data));
  });

  it('uploads several files dropped on the page at once', async () => {
    const files = [
      { name: 'one.txt', text: 'one' },
      { name: 'two.txt', text: 'two' },
    ];
    const transfer = await page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'text/plain' }));
      return dt;
    }, files);
    await page.locator('#dropzone').dispatchEvent('drop', { dataTransfer: transfer });
    for (const f of files) await statusOf(f.name, 'processed');
    expect((await download('two.txt')).toString('utf8')).toBe('TWO');
  });

  it('sends a part again when storage answers 503 once, and the upload completes', async () => {
    let refused = 0;
    await page.route(`${t.stack.config.s3.endpoint}/**`, async (route) => {
      if (route.request().method() !== 'PUT' || refused > 0) return route.continue();
      refused++;
      return route.fulfill({
        status: 503,
        headers: { 'access-control-allow-origin': new URL(t.stack.config.webUrl).origin },
        body: '<Error><Code>SlowDown</Code></Error>',
      });
    });
    await page.getByLabel('Choose files to upload').setInputFiles({
      name: 'flaky.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('once more'),
    });
    await statusOf('flaky.txt', 'processed');
    expect(refused).toBe(1);
    expect((await download('flaky.txt')).toString('utf8')).toBe('ONCE MORE');
    // That 503 was the test's own.
    problems.splice(0, problems.length, ...problems.filter((p) => !p.startsWith('503 PUT')));
  });

  it('shows why a file failed processing', async () => {
    // The file is declared with another SHA-256 than its own, as a corrupted upload would be:
    // a multipart upload's checksum is the processor's to verify, and it writes a failure record.
    await page.route(`${t.stack.config.apiUrl}/uploads`, async (route) => {
      const body = route.request().postData();
      if (route.request().method() !== 'POST' || !body) return route.continue();
      return route.continue({ postData: JSON.stringify({ ...JSON.parse(body), sha256: '0'.repeat(64) }) });
    });
    await page.getByLabel('Choose files to upload').setInputFiles({
      name: 'corrupted.bin',
      mimeType: 'application/octet-stream',
      buffer: randomBytes(17 * MIB),
    });
    await statusOf('corrupted.bin', 'failed: .*sha256.*', 90_000);
    expect(
      await entry('corrupted.bin')
        .getByRole('link', { name: /Download/ })
        .count(),
    ).toBe(0);
  });

  it('cancels an upload: its parts stop, its session is deleted and nothing is listed', async () => {
    const cdp = await context.newCDPSession(page);
    // 2 MB/s up: 40 MiB takes long enough to cancel half-way.
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 2 * 1024 * 1024,
    });
    await recordProgress();
    const deleted = page.waitForRequest(
      (r) => r.method() === 'DELETE' && r.url().startsWith(`${t.stack.config.apiUrl}/uploads/`),
    );
    await page.getByLabel('Choose files to upload').setInputFiles({
      name: 'too-big.bin',
      mimeType: 'application/octet-stream',
      buffer: randomBytes(40 * MIB),
    });
    await page.waitForFunction(() =>
      (
        (window as unknown as { progressSeen: Record<string, number[]> }).progressSeen[
          'Upload of too-big.bin'
        ] ?? []
      ).some((f) => f > 0),
    );
    await page.getByRole('button', { name: 'Cancel upload of too-big.bin' }).click();
    await page.locator('.transfer').filter({ hasText: 'too-big.bin' }).getByText('Cancelled').waitFor();
    const uploadId = (await deleted).url().split('/').pop() ?? '';
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    const tokens = await signIn(t.stack, 'demo');
    const status = await fetch(`${t.stack.config.apiUrl}/uploads/${uploadId}`, {
      headers: { authorization: `Bearer ${tokens.access}` },
    });
    expect(status.status).toBe(404);
    expect(await entry('too-big.bin').count()).toBe(0);
    // The parts in flight were aborted: Chromium reports them as failed requests, which is the point.
    problems.splice(0, problems.length);
  });

  it('deletes an upload after a second press, and the API no longer has it', async () => {
    await page.getByLabel('Choose files to upload').setInputFiles({
      name: 'delete-me.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('bye'),
    });
    await statusOf('delete-me.txt', 'processed');
    const uploadId = (await entry('delete-me.txt').getAttribute('data-upload-id')) ?? '';
    await entry('delete-me.txt').getByRole('button', { name: 'Delete delete-me.txt' }).click();
    await entry('delete-me.txt').getByRole('button', { name: 'Confirm delete delete-me.txt' }).click();
    await page.locator(`[data-upload-id="${uploadId}"]`).waitFor({ state: 'detached' });
    const tokens = await signIn(t.stack, 'demo');
    const status = await fetch(`${t.stack.config.apiUrl}/uploads/${uploadId}`, {
      headers: { authorization: `Bearer ${tokens.access}` },
    });
    expect(status.status).toBe(404);
  });

  it('lists My uploads newest first after a reload, and signing out takes the list away', async () => {
    await page.reload();
    await entry('hello.txt').waitFor();
    const shown = await page
      .locator('#uploads > li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-upload-id')));
    // The API's own order, newest first by creation time, and the page shows exactly that.
    const tokens = await signIn(t.stack, 'demo');
    const listed = (await (
      await fetch(`${t.stack.config.apiUrl}/uploads?limit=100`, {
        headers: { authorization: `Bearer ${tokens.access}` },
      })
    ).json()) as { uploads: { uploadId: string; createdAt: string }[] };
    const created = listed.uploads.map((u) => Date.parse(u.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(shown).toEqual(listed.uploads.slice(0, shown.length).map((u) => u.uploadId));
    expect(shown.length).toBeGreaterThanOrEqual(4);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.locator('#uploads').count()).toBe(0);
    expect(await page.getByText('hello.txt').count()).toBe(0);
  });
});

describe('plain and accessible', () => {
  it('is readable at 375 px: nothing wider than the screen, every control reachable with the keyboard', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByLabel('Choose files to upload').setInputFiles({
      name: 'a-file-with-a-rather-long-name-that-must-wrap-on-a-phone.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('narrow'),
    });
    await statusOf('a-file-with-a-rather-long-name-that-must-wrap-on-a-phone.txt', 'processed');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      reached.add(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el) return '';
          const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : undefined;
          return `${el.tagName.toLowerCase()}:${(label ?? el.textContent ?? '').trim()}`;
        }),
      );
    }
    for (const control of ['button:Sign out', 'input:Choose files to upload', 'button:Refresh']) {
      expect(reached).toContain(control);
    }
    expect([...reached].some((r) => r.startsWith('a:Download'))).toBe(true);
    expect([...reached].some((r) => r.startsWith('button:Delete'))).toBe(true);
  });
});
