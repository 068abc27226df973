import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
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

export interface DemoHouseholdSession {
  /** The signed-in page: set by the session's first test, "signs in through the UI and syncs the household". */
  readonly page: Page;
  readonly site: AppSite;
  readonly browser: Browser;
  /** Errors thrown on the page since sign-in. */
  readonly pageErrors: string[];
}

/**
 * The lifecycle of a screen test on the demo household, registered in the calling `describe`: the app and the
 * household (`seed`) started before all, a failed test's page saved under `artifacts`, everything closed after
 * all, and a first test that signs in through the UI until synced. Later tests read `session.page`.
 */
export function demoHouseholdSession(seed: string, artifacts: string, contextOptions: BrowserContextOptions = {}): DemoHouseholdSession {
  const pageErrors: string[] = [];
  let site: AppSite | undefined;
  let browser: Browser | undefined;
  let signedIn: { context: BrowserContext; page: Page } | undefined;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    ({ site, browser } = await startDemoHousehold(seed));
  }, 600_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await signedIn?.page.screenshot({ path: `${artifacts}failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`, fullPage: true }).catch(() => undefined);
  });

  afterAll(async () => {
    await signedIn?.context.close();
    await browser?.close();
    await site?.close();
  });

  it('signs in through the UI and syncs the household', async () => {
    signedIn = await signInAndSync(browser!, site!, pageErrors, contextOptions);
  }, 600_000);

  return {
    get page() {
      if (!signedIn) throw new Error('Not signed in: the session\'s sign-in test has not passed.');
      return signedIn.page;
    },
    get site() {
      if (!site) throw new Error('The demo household has not started.');
      return site;
    },
    get browser() {
      if (!browser) throw new Error('The demo household has not started.');
      return browser;
    },
    pageErrors,
  };
}
