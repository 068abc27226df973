import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeViolations, registerThroughUi, runAxe, unlockThroughUi, VIEWPORTS } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';

/**
 * Settings → Server backups on the production build and the real server: the section reads
 * GET /api/v1/backups/status (signed in) and says there is no verified backup yet on a fresh server,
 * with the nightly schedule in words; at 375 and 1440 px (screenshots in e2e/artifacts/backups/), axe clean.
 */
const ARTIFACTS = new URL('./artifacts/backups/', import.meta.url).pathname;

describeBrowser('settings: server backups section', () => {
  let site: AppSite;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    site = await startAppSite();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: VIEWPORTS.desktop })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await registerThroughUi(page, site.url);
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('shows the backup state from the server at 1440 and 375 px, axe clean', async () => {
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/backups/status'), { timeout: 120_000 });
    await page.goto(`${site.url}/settings`);
    // A page load locks the replica (its key lives in memory only).
    await unlockThroughUi(page);
    expect((await answer).status()).toBe(200);
    const section = page.getByRole('region', { name: 'Server backups' });
    await section.getByText('No verified backup yet.').waitFor({ timeout: 60_000 });
    await expect(section.getByText(/Every night at 03:00/).count()).resolves.toBe(1);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}settings-backups-1440.png`, fullPage: true });
    await page.setViewportSize(VIEWPORTS.phone);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}settings-backups-375.png`, fullPage: true });
    const { violations } = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
