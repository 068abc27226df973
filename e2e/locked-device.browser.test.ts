import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OWNER_PASSWORD, registerThroughUi, unlockThroughUi, VIEWPORTS } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';

/**
 * Issue 19, item 1, end to end on the production build and the real server, from the attacker's side:
 * someone at a locked tab can run script in it and the browser still sends the HttpOnly refresh cookie,
 * but the device secret that renewing needs is sealed under the data key, which a locked tab does not
 * hold. And an erase done offline ends the session on the server once the device is back online.
 */

/** What page script at a locked tab can get: a CSRF token, then a refresh and a pull with the cookie. */
async function tryFromPage(page: Page): Promise<{ refresh: number; refreshType: string; token: boolean; pull: number }> {
  return page.evaluate(async () => {
    const csrf = ((await (await fetch('/api/v1/auth/csrf')).json()) as { csrfToken: string }).csrfToken;
    const refresh = await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' }, body: '{}' });
    const body = (await refresh.json()) as { type?: string; accessToken?: string };
    const pull = await fetch('/api/v1/replication/transactions/pull');
    return { refresh: refresh.status, refreshType: body.type ?? '', token: typeof body.accessToken === 'string', pull: pull.status };
  });
}

describeBrowser('a locked or erased device cannot read through the server (production build, real server)', () => {
  let site: AppSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    site = await startAppSite();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    page = await context.newPage();
    await registerThroughUi(page, site.url);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('a locked tab cannot obtain a token (cookie and CSRF are not enough) or pull; unlocking renews the session', async () => {
    await expect.poll(() => page.locator('.sync').getAttribute('data-state'), { timeout: 60_000 }).toBe('synced');
    await page.getByRole('button', { name: 'Lock this device' }).click();
    await page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 30_000 });
    const attempt = await tryFromPage(page);
    expect(attempt).toMatchObject({ refresh: 403, token: false, pull: 401 });
    expect(attempt.refreshType).toMatch(/device-locked$/);
    // What the tab keeps is ciphertext: the secret is not in any storage script can read in clear.
    const stored = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
    expect(Object.keys(stored)).toContain('mymidas.session-secret');
    // A full reload is locked too (the key lives in memory only): still nothing.
    await page.reload();
    await page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 30_000 });
    expect(await tryFromPage(page)).toMatchObject({ refresh: 403, token: false, pull: 401 });

    await unlockThroughUi(page, OWNER_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/unlock'), { timeout: 60_000 });
    await expect.poll(() => page.locator('.sync').getAttribute('data-state'), { timeout: 60_000 }).toBe('synced');
  });

  it('an erase done offline revokes the session when the device is next online, and leaves no Cache Storage', async () => {
    const cookie = (await context.cookies()).find((c) => c.name === 'mymidas_refresh')?.value;
    expect(cookie).toBeTruthy();
    await context.setOffline(true);
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Erase this device…' }).click();
    await page.getByRole('button', { name: 'Yes, erase everything here' }).click();
    await page.waitForURL(/\/login/, { timeout: 60_000 });
    const left = await page.evaluate(async () => ({
      databases: (await indexedDB.databases()).map((d) => d.name),
      caches: await caches.keys(),
      storage: Object.keys(localStorage),
    }));
    expect(left).toEqual({ databases: [], caches: [], storage: ['mymidas.pending-sign-out'] });

    // Offline, the server has not heard of it: the old cookie still names a live session.
    await context.setOffline(false);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('mymidas.pending-sign-out')), { timeout: 90_000, interval: 1_000 }).toBeNull();

    // Back online, the queued sign-out went through: the old cookie is refused as an ended session.
    const csrfRes = await fetch(`${site.url}/api/v1/auth/csrf`);
    const csrf = ((await csrfRes.json()) as { csrfToken: string }).csrfToken;
    const res = await fetch(`${site.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { Cookie: `mymidas_refresh=${cookie}; mymidas_csrf=${csrf}`, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { type: string }).type).toMatch(/session-ended$/);
  });
});
