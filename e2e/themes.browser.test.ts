import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeViolations, registerThroughUi, runAxe, THEME_IDS, VIEWPORTS, waitForServiceWorker } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { CHROMIUM_ARGS, describeBrowser, findChromium } from './lib/chromium.ts';

/**
 * Issue 7 acceptance, themes and installability: the production build served by the real server; the
 * dashboard in each of the seven themes at 375×812 and 1440×900, saved as artifacts
 * (e2e/artifacts/themes/, git-ignored) and checked by axe-core (colour contrast and every WCAG 2.x
 * A/AA rule); and Chromium's own installability check reports no error.
 */

const ARTIFACTS = new URL('./artifacts/themes/', import.meta.url).pathname;

describeBrowser('themes and installability (production build, real server)', () => {
  let site: AppSite;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    site = await startAppSite();
    // A persistent profile: Chromium judges installability as for a normal window, not incognito.
    profile = mkdtempSync(join(tmpdir(), 'mymidas-themes-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: findChromium() ?? undefined,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: VIEWPORTS.desktop,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    mkdirSync(ARTIFACTS, { recursive: true });
    await registerThroughUi(page, site.url);
    await waitForServiceWorker(page);
    // Some data, so the dashboard shows figures rather than its empty state.
    await page.getByRole('navigation').getByRole('link', { name: 'Accounts' }).first().click();
    const form = page.locator('#add-account');
    await form.getByLabel('Name').fill('Everyday current');
    await form.getByLabel('Opening balance').fill('2450.75');
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.locator('[data-account-id]').filter({ hasText: 'Everyday current' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).first().click();
    await page.waitForURL(`${site.url}/`);
    await page.getByText('£2,450.75').first().waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await site?.close();
  });

  it('is installable: Page.getInstallabilityErrors reports none', async () => {
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
    const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
    expect(manifest.url).toMatch(/manifest\.webmanifest$/);
    expect(manifest.errors).toEqual([]);
    await cdp.detach();
  });

  it('control: the same axe run does flag low-contrast text when there is some', async () => {
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.id = 'axe-control';
      p.textContent = 'Grey on grey is hard to read';
      p.style.cssText = 'color:#777;background:#888;font-size:14px';
      document.querySelector('#main')?.append(p);
    });
    const axe = await runAxe(page);
    await page.evaluate(() => document.getElementById('axe-control')?.remove());
    const contrast = axe.violations.find((v) => v.id === 'color-contrast');
    expect(contrast?.nodes.map((n) => n.target.join(' '))).toEqual(['#axe-control']);
  });

  for (const theme of THEME_IDS) {
    it(`${theme}: dashboard screenshots at 375×812 and 1440×900 pass axe colour contrast and WCAG 2 AA`, async () => {
      await page.setViewportSize(VIEWPORTS.desktop);
      await page.selectOption('#theme-select', theme);
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      expect(await page.evaluate(() => localStorage.length)).toBeGreaterThan(0);
      for (const [size, viewport] of Object.entries(VIEWPORTS)) {
        await page.setViewportSize(viewport);
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        const file = `${ARTIFACTS}dashboard-${theme}-${size}.png`;
        await page.screenshot({ path: file, fullPage: false });
        expect(statSync(file).size).toBeGreaterThan(10_000);
        const axe = await runAxe(page);
        expect(axe.violations, `${theme} at ${size}:\n${describeViolations(axe.violations)}`).toEqual([]);
      }
    });
  }

  it('the theme is remembered across a reload', async () => {
    await page.selectOption('#theme-select', 'ledger');
    await page.reload();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('ledger');
    expect(pageErrors).toEqual([]);
  });
});
