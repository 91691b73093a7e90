import type { LocalConfig } from '@streamdrop/local';
import type { Page } from 'playwright-core';

/**
 * Signs `user` in as a person does: the page's Sign in button, the hosted UI's form (cognito-local's
 * locally), and back to the page with a code that the page exchanges for tokens.
 */
export async function signInThroughHostedUi(
  page: Page,
  config: LocalConfig,
  user: 'demo' | 'admin',
): Promise<void> {
  const { username, password } = config.users[user];
  await page.goto(config.webUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${config.cognito.endpoint}/oauth2/authorize`));
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === new URL(config.webUrl).origin);
  await page.getByText(`Signed in as ${username}`).waitFor();
}

/** Polls `check` in the test until it holds (Playwright's locators wait; plain values do not). */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
