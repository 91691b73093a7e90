/**
 * The web client in a real Chromium against the real local stack: signing in through the hosted
 * UI, the tokens (kept in this tab only, refreshed before they expire), signing out, and the
 * administrators' streams panel.
 */

import { defaultStackFile } from '@streamdrop/local';
import { decodeJwt, startTestStack, type TestStack } from '@streamdrop/local/testing';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { REFRESH_AHEAD_SECONDS } from '../../src/auth';
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
});
afterEach(async () => {
  await context.close();
  // No CSP violation, no uncaught error, no failed request the page did not expect.
  expect(problems).toEqual([]);
});

describe('signing in and out', () => {
  it('signs the demo user in through the hosted UI page and shows who is signed in', async () => {
    await signInThroughHostedUi(page, t.stack.config, 'demo');
    // The code is gone from the address bar; the page is the app's own.
    expect(page.url()).toBe(t.stack.config.webUrl);
    await page.getByRole('heading', { name: 'My uploads' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByLabel('Choose files to upload').waitFor();
  });

  it('keeps the tokens in this tab only: sessionStorage, never localStorage or cookies', async () => {
    await signInThroughHostedUi(page, t.stack.config, 'demo');
    const stored = await page.evaluate(() => ({
      session: Object.keys(sessionStorage),
      local: Object.keys(localStorage),
      cookies: document.cookie,
    }));
    expect(stored.session.some((key) => key.startsWith('oidc.user:'))).toBe(true);
    expect(stored.local).toEqual([]);
    expect(stored.cookies).toBe('');
    expect((await context.cookies()).filter((c) => c.domain === 'localhost')).toEqual([]);
    // Another tab of the same browser is signed out.
    const other = await context.newPage();
    await other.goto(t.stack.config.webUrl);
    await other.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('sends the access token to the API and gets the demo user’s own answers', async () => {
    const calls: Request[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(t.stack.config.apiUrl)) calls.push(request);
    });
    await signInThroughHostedUi(page, t.stack.config, 'demo');
    await page.getByRole('heading', { name: 'My uploads' }).waitFor();
    await page.waitForFunction(
      () => !document.querySelector('.list-message')?.textContent?.startsWith('Loading'),
    );
    const authorization = (await calls.find((r) => r.method() === 'GET')?.allHeaders())?.authorization ?? '';
    const claims = decodeJwt(authorization.replace(/^Bearer /, ''));
    expect(claims).toMatchObject({ token_use: 'access', client_id: t.stack.config.cognito.clientId });
  });

  it('refreshes the tokens before they expire, with the refresh token, and stays signed in', async () => {
    await page.clock.install();
    await signInThroughHostedUi(page, t.stack.config, 'demo');
    const before = await page.evaluate(() => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')) ?? '';
      return JSON.parse(sessionStorage.getItem(key) ?? '{}') as { access_token: string; expires_at: number };
    });
    const refresh = page.waitForRequest(
      (request) =>
        request.url().endsWith('/oauth2/token') && /grant_type=refresh_token/.test(request.postData() ?? ''),
    );
    // The page's clock, not the test's: an hour's token, moved to just inside the refresh window.
    const untilWindow = before.expires_at * 1000 - Date.now() - (REFRESH_AHEAD_SECONDS - 30) * 1000;
    await page.clock.fastForward(untilWindow);
    await refresh;
    await page.waitForFunction((old) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')) ?? '';
      const user = JSON.parse(sessionStorage.getItem(key) ?? '{}') as { access_token?: string };
      return user.access_token !== undefined && user.access_token !== old;
    }, before.access_token);
    await page.getByText(`Signed in as ${t.stack.config.users.demo.username}`).waitFor();
  });

  it('signs out: the list is gone, the tokens are forgotten, and a reload stays signed out', async () => {
    await signInThroughHostedUi(page, t.stack.config, 'demo');
    await page.getByRole('heading', { name: 'My uploads' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('heading', { name: 'My uploads' }).count()).toBe(0);
    expect(
      await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('oidc.user:'))),
    ).toEqual([]);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.locator('#uploads').count()).toBe(0);
  });

  it('shows why when the hosted UI sends the person back with an error', async () => {
    await page.goto(
      `${t.stack.config.webUrl}?error=access_denied&error_description=The+user+cancelled&state=x`,
    );
    await page.getByRole('alert').getByText('Sign-in did not complete: The user cancelled.').waitFor();
    expect(page.url()).toBe(t.stack.config.webUrl);
  });
});

describe('the streams panel', () => {
  it('is not there for the demo user, and the API refuses them anyway', async () => {
    await signInThroughHostedUi(page, t.stack.config, 'demo');
    await page.getByRole('heading', { name: 'My uploads' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Streams' }).count()).toBe(0);
    const status = await page.evaluate(async (apiUrl) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')) ?? '';
      const { access_token } = JSON.parse(sessionStorage.getItem(key) ?? '{}') as { access_token: string };
      return (await fetch(`${apiUrl}/streams`, { headers: { authorization: `Bearer ${access_token}` } }))
        .status;
    }, t.stack.config.apiUrl);
    expect(status).toBe(403);
    // That refusal was asked for.
    problems.splice(0, problems.length, ...problems.filter((p) => !p.startsWith('403 GET')));
  });

  it('lists the streams, shows one stream’s shards and puts a test record, for the admin user', async () => {
    await signInThroughHostedUi(page, t.stack.config, 'admin');
    const panel = page.getByRole('region', { name: 'Streams' });
    await panel.getByRole('button', { name: 'List streams' }).click();
    const stream = t.stack.config.kinesis.streamName;
    await panel.getByText('1 stream.').waitFor();
    await panel.getByRole('button', { name: `Show shards of ${stream}` }).click();
    const table = panel.getByRole('table', { name: new RegExp(`^Shards of ${stream}`) });
    await table.getByRole('rowheader', { name: 'shardId-000000000000' }).waitFor();

    await panel.getByLabel('Data').fill('hello from the streams panel');
    await panel.getByLabel('Partition key').fill('web-test');
    await panel.getByRole('button', { name: 'Put record' }).click();
    await panel
      .getByText(new RegExp(`^Stored in shardId-000000000000 of ${stream} as sequence number \\d+\\.$`))
      .waitFor();
    // Not an upload event: the processor writes a failure record for it, as for any such record.
    await t.stack.idle();
  });
});
