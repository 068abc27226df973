import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadDemo } from '../../sync-server/src/cli/demo-load.ts';
import { fillLogin, OWNER_EMAIL, OWNER_PASSWORD, registerThroughUi, VIEWPORTS } from './app-flows.ts';
import { startAppSite, type AppSite } from './app-site.ts';
import { launchChromium } from './chromium.ts';

/**
 * The smaller demo household the screen tests run on (6,000 transactions over four years up to today, with its
 * prices and FX rates), loaded into a fresh production app through the replication API after the owner
 * registered through the UI; and the sign-in that syncs it into a new browser context.
 */

export const syncState = (page: Page) => page.locator('.sync[data-state]').getAttribute('data-state');

export async function startDemoHousehold(seed: string): Promise<{ site: AppSite; browser: Browser }> {
  const site = await startAppSite();
  const browser = await launchChromium();
  const first = await (await browser.newContext()).newPage();
  await registerThroughUi(first, site.url);
  await first.context().close();
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const report = await loadDemo({ url: site.url, email: OWNER_EMAIL, password: OWNER_PASSWORD, seed, transactions: 6_000, years: 4, referenceDate: today });
  expect(report.serverOwnedLoaded).toBe(true);
  return { site, browser };
}

/** A desktop-sized context signed in through the UI, waited on until the household is synced; page errors go to `errors`. */
export async function signInAndSync(browser: Browser, site: AppSite, errors: string[], options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site.url}/login`);
  await fillLogin(page, OWNER_EMAIL, OWNER_PASSWORD);
  await page.waitForURL(`${site.url}/`, { timeout: 90_000 });
  await expect.poll(() => syncState(page), { timeout: 540_000, interval: 1_000 }).toBe('synced');
  return { context, page };
}
