import { type Browser, chromium, type Page } from 'playwright-core';
import { findChromium, MISSING_CHROMIUM } from '../../scripts/chromium';

/**
 * A real headless Chromium for the browser tests: the one `npm test` made sure of
 * (scripts/ensure-chromium.ts). Without one the tests fail with the line saying what to
 * install: they are never skipped.
 */
export async function launchChromium(): Promise<Browser> {
  const found = findChromium();
  if (!found) throw new Error(MISSING_CHROMIUM);
  return chromium.launch({
    executablePath: found.path,
    headless: true,
    args: [
      // Chromium's sandbox refuses to run as root (CI here is root).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
}

/**
 * What went wrong in the page: uncaught errors, console errors (CSP violations among them) and
 * answers of 400 or more, by URL (Chromium's own "Failed to load resource" line says less).
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) {
      problems.push(`${response.status()} ${response.request().method()} ${response.url().split('?')[0]}`);
    }
  });
  return problems;
}
