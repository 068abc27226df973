import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDemo } from '../sync-server/src/cli/demo-load.ts';
import { ReplayServer } from '../sync-server/src/feeds/testing/replay-server.ts';
import { describeViolations, fillLogin, nav, OWNER_EMAIL, OWNER_PASSWORD, registerThroughUi, runAxe, VIEWPORTS } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';

/**
 * Issue 22 in the production build against a real server whose providers are the replay server: Settings ›
 * Market data, and adding an asset through the search in the trade editor, at 1440 and 375 px, axe clean.
 * Screenshots in e2e/artifacts/feeds/.
 */
const ARTIFACTS = new URL('./artifacts/feeds/', import.meta.url).pathname;
const syncState = (page: Page) => page.locator('.sync[data-state]').getAttribute('data-state');

describeBrowser('issue 22 market data screens (production build, real server, replayed providers)', () => {
  let replay: ReplayServer;
  let site: AppSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    replay = await ReplayServer.start();
    const config = replay.config();
    const env = { YAHOO_BASE_URL: config.yahooBaseUrl, COINGECKO_BASE_URL: config.coingeckoBaseUrl, ECB_BASE_URL: config.ecbBaseUrl };
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    site = await startAppSite();
    browser = await launchChromium();
    const first = await (await browser.newContext()).newPage();
    await registerThroughUi(first, site.url);
    await first.context().close();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    await loadDemo({ url: site.url, email: OWNER_EMAIL, password: OWNER_PASSWORD, seed: 'e2e-feeds', transactions: 700, years: 1, referenceDate: today });
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.close();
    await replay?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('signs in through the UI and syncs', async () => {
    context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    page = await context.newPage();
    await page.goto(`${site.url}/login`);
    await fillLogin(page, OWNER_EMAIL, OWNER_PASSWORD);
    await page.waitForURL(`${site.url}/`, { timeout: 90_000 });
    await expect.poll(() => syncState(page), { timeout: 300_000, interval: 1_000 }).toBe('synced');
  }, 400_000);

  it('Settings › Market data lists each job with its last success and next run, axe clean at 1440 and 375', async () => {
    await nav(page, 'Settings');
    const section = page.getByTestId('settings-feeds');
    await section.getByText('Latest prices (every 15 minutes)').waitFor({ timeout: 60_000 });
    for (const job of ['Exchange rates (hourly)', 'Price history (daily)', 'Net worth snapshot (daily)']) await expect.poll(() => section.innerText()).toContain(job);
    expect(await section.innerText()).toMatch(/Not run yet|Working/);
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: `${ARTIFACTS}settings-feeds-desktop.png` });
    expect(describeViolations((await runAxe(page)).violations)).toBe('');
    await page.setViewportSize(VIEWPORTS.phone);
    await section.screenshot({ path: `${ARTIFACTS}settings-feeds-phone.png` });
    expect(describeViolations((await runAxe(page)).violations)).toBe('');
    await page.setViewportSize(VIEWPORTS.desktop);
  }, 180_000);

  for (const [size, viewport] of [['desktop', VIEWPORTS.desktop], ['phone', VIEWPORTS.phone]] as const) {
    it(`adding an asset is a search: name → results → currency → added and chosen in the trade editor (${size})`, async () => {
      await page.setViewportSize(viewport);
      await nav(page, 'Investments');
      await page.getByRole('link', { name: 'Holdings', exact: true }).click();
      await page.getByTestId('add-trade').first().click({ timeout: 120_000 });
      const editor = page.getByTestId('trade-editor');
      await editor.waitFor();
      await editor.getByText('Not in the list? Find an asset').click();
      const search = editor.getByTestId('asset-search');
      await search.getByLabel('Find an asset').fill('vanguard all-world');
      const first = search.getByRole('button', { name: /VWRL\.L/ });
      await first.waitFor({ timeout: 30_000 });
      expect(await search.getByRole('listitem').count()).toBe(3);
      await first.click();
      await expect.poll(() => search.getByLabel('Priced in').inputValue()).toBe('GBP');
      await search.scrollIntoViewIfNeeded();
      await search.screenshot({ path: `${ARTIFACTS}asset-search-${size}.png` });
      expect(describeViolations((await runAxe(page)).violations)).toBe('');
      await search.getByRole('button', { name: 'Add VWRL.L' }).click();
      await search.getByRole('status').waitFor();
      const chosen = await editor.getByLabel('Asset', { exact: true }).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');
      expect(chosen).toContain('VWRL.L');
      await page.screenshot({ path: `${ARTIFACTS}asset-added-${size}.png`, fullPage: true });
    }, 180_000);
  }
});
