import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDemo } from '../sync-server/src/cli/demo-load.ts';
import { fillLogin, OWNER_EMAIL, OWNER_PASSWORD, registerThroughUi, VIEWPORTS } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';

/**
 * Issue 17, as a new user meets it: the demo household — 20,000 transactions over ten years, with its
 * prices and FX rates (since issue 22 a few hundred quotes documents, one per series and year plus a latest
 * price each, whose ids are text such as `fx:GBP/EUR:2026@<owner>`; ~116,000 day documents before) — is on the
 * server, and a new device signs in through the UI at the server's default rate limits. It must reach
 * "Synced" without sending back what it received, then stay quiet (no pull loop), and the dashboard must have
 * the FX rates it needs.
 */

const ARTIFACTS = new URL('./artifacts/demo-household-sync/', import.meta.url).pathname;
const QUIET_MS = 60_000;

const syncState = (page: Page) => page.locator('.sync[data-state]').getAttribute('data-state');

describeBrowser('a new device\'s first sync of the demo household (production build, real server, default limits)', () => {
  let site: AppSite;
  let browser: Browser;
  let device: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const pulls: string[] = [];
  const refused: string[] = [];
  /**
   * Push requests. A new device that has edited nothing sends none of what it received back; the one write of
   * its own it may make is recording a budget alert the demo's spending has crossed (budgets/push).
   */
  const pushes: string[] = [];
  const pushedBack = () => pushes.filter((u) => !u.endsWith('/replication/budgets/push'));
  let generatedQuotes = 0;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    site = await startAppSite();
    browser = await launchChromium();
    const first = await (await browser.newContext()).newPage();
    await registerThroughUi(first, site.url);
    await first.context().close();
    // History up to today, so no recurring rule has an occurrence due for the app to post (and push) meanwhile.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const report = await loadDemo({ url: site.url, email: OWNER_EMAIL, password: OWNER_PASSWORD, seed: 'e2e-demo-household', transactions: 20_000, referenceDate: today });
    expect(report.generated.transactions).toBeGreaterThanOrEqual(20_000);
    expect(report.serverOwnedLoaded).toBe(true);
    generatedQuotes = report.generated.quotes ?? 0;
    // Ten years of 41 assets and two FX pairs: hundreds of documents, not a hundred thousand.
    expect(generatedQuotes).toBeGreaterThan(400);
    expect(generatedQuotes).toBeLessThan(1_000);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('signs in and reaches "Synced" with every quote, without being refused for pulling too often', async () => {
    device = await browser.newContext({ viewport: VIEWPORTS.desktop });
    page = await device.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => {
      if (/\/api\/v1\/replication\/\w+\/pull\?/.test(r.url())) pulls.push(r.url());
      if (/\/api\/v1\/replication\/\w+\/push$/.test(r.url())) pushes.push(r.url());
    });
    page.on('response', (r) => {
      if (r.status() === 429) refused.push(r.url());
    });
    await page.goto(`${site.url}/login`);
    await fillLogin(page, OWNER_EMAIL, OWNER_PASSWORD);
    await page.waitForURL(`${site.url}/`, { timeout: 90_000 });
    const started = Date.now();
    const progress = setInterval(() => {
      void page.locator('.sync .text').first().textContent().then((label) => {
        const quotes = pulls.filter((u) => u.includes('/quotes/')).length;
        console.log(`[demo-household-sync] ${Math.round((Date.now() - started) / 1000)} s: "${label ?? ''}", ${pulls.length} pulls (${quotes} of quotes), ${refused.length} refused`);
      }, () => undefined);
    }, 30_000);
    try {
      await expect.poll(() => syncState(page), { timeout: 540_000, interval: 1_000 }).toBe('synced');
    } finally {
      clearInterval(progress);
    }
    console.log(`[demo-household-sync] synced in ${Math.round((Date.now() - started) / 1000)} s with ${pulls.length} pulls`);
    const quotePulls = pulls.filter((u) => u.includes('/replication/quotes/pull'));
    // Pages of up to 1000 quotes documents: one request each, and a final empty one (plus one per stream hint).
    expect(quotePulls.length).toBeLessThanOrEqual(Math.ceil(generatedQuotes / 1000) + 5);
    expect(refused).toEqual([]);
    expect(pushedBack()).toEqual([]);
  }, 600_000);

  it('stays quiet once synced: a handful of pulls in a minute at most', async () => {
    const before = pulls.length;
    await page.waitForTimeout(QUIET_MS);
    expect(pulls.length - before).toBeLessThanOrEqual(5);
    expect(pushedBack()).toEqual([]);
    expect(await syncState(page)).toBe('synced');
  }, 120_000);

  it('the dashboard has an exchange rate for every currency and a price for every holding, and counts the holdings in net worth', async () => {
    await expect.poll(async () => ((await page.getByTestId('net-worth').textContent()) ?? '').trim(), { timeout: 60_000 }).toMatch(/£/);
    expect(await page.getByTestId('fx-missing').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toMatch(/no exchange rate/i);
    // Every held asset has a close on the device, so the holdings are valued whole and are part of the assets.
    expect(await page.getByTestId('price-missing').count()).toBe(0);
    expect(await page.getByTestId('investments-failed').count()).toBe(0);
    const invested = Number(await page.getByTestId('investments-value').getAttribute('data-amount'));
    const assets = Number(await page.getByTestId('assets').getAttribute('data-amount'));
    expect(invested).toBeGreaterThan(0);
    expect(assets).toBeGreaterThan(invested);
    // Each investment account shows its worth (cash and holdings) in the balances, and they add up to at least the holdings.
    const worths = await page.locator('[data-testid=balances] td[data-worth]').evaluateAll((cells) => cells.map((c) => Number((c as HTMLElement).dataset.worth)));
    expect(worths.length).toBeGreaterThan(0);
    expect(await page.getByTestId('account-investments').count()).toBe(worths.length);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-desktop.png`, fullPage: true });
    await page.setViewportSize(VIEWPORTS.phone);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-phone.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
