import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDemo } from '../sync-server/src/cli/demo-load.ts';
import { fillLogin, OWNER_EMAIL, OWNER_PASSWORD, registerThroughUi, unlockThroughUi, VIEWPORTS } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';

/**
 * Issue 5, a new device's first sync in the built app, in Chromium: the device signs in with two tabs
 * open on the transactions page, then a few thousand transactions arrive on the server. The leading tab
 * (whichever RxDB elects) pulls them — full pages through the bootstrap (client/src/sync/bootstrap.ts: rows straight into the
 * encrypted replica), the last page through RxDB — and both tabs show every transaction (the other tab
 * through the replica's insert notices for bootstrap pages, RxDB's broadcast channel for the rest) and "Synced" (the other tab through the sync status relay). The
 * stored rows carry the bootstrap's mark and no plaintext.
 */

const ARTIFACTS = new URL('./artifacts/first-sync/', import.meta.url).pathname;

const syncState = (page: Page) => page.locator('.sync[data-state]').getAttribute('data-state');
const count = async (page: Page) => (await page.getByTestId('tx-count').textContent())?.trim() ?? '';
/** The number in "2,611 transactions" (0 while the list is still loading). */
const shownCount = async (page: Page) => {
  const m = /^([\d,]+) transactions?$/.exec(await count(page));
  return m ? Number(m[1]!.replaceAll(',', '')) : 0;
};

/** Counts the raw stored transaction rows of the replica (no RxDB, no Dexie) and finds plaintext. */
function rawTransactions(page: Page, needle: string): Promise<{ rows: number; marked: number; plaintext: boolean }> {
  return page.evaluate(async (needle) => {
    const out = { rows: 0, marked: 0, plaintext: false };
    for (const { name } of await indexedDB.databases()) {
      // RxDB's Dexie databases are named rxdb-dexie-<database>--<schema version>--<collection>.
      if (!name || !name.endsWith('--transactions')) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      if (db.objectStoreNames.contains('docs')) {
        const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
          const r = db.transaction('docs', 'readonly').objectStore('docs').getAll();
          r.onsuccess = () => resolve(r.result as Record<string, unknown>[]);
          r.onerror = () => reject(r.error);
        });
        out.rows += rows.length;
        out.marked += rows.filter((row) => (row._meta as { bs?: number } | undefined)?.bs === 1).length;
        out.plaintext ||= rows.some((row) => JSON.stringify(row).includes(needle));
      }
      db.close();
    }
    return out;
  }, needle);
}

describeBrowser('a new device\'s first sync (production build, real server, two tabs)', () => {
  let site: AppSite;
  let browser: Browser;
  let device: BrowserContext;
  let tabs: Page[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    site = await startAppSite();
    browser = await launchChromium();
    // The account exists (registered on another device) but holds nothing yet.
    const first = await (await browser.newContext()).newPage();
    await registerThroughUi(first, site.url);
    await first.context().close();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('signs in on a fresh browser with two tabs on the transactions page', async () => {
    device = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const one = await device.newPage();
    one.on('pageerror', (e) => pageErrors.push(e.message));
    await one.goto(`${site.url}/login`);
    await fillLogin(one, OWNER_EMAIL, OWNER_PASSWORD);
    await one.waitForURL(`${site.url}/`, { timeout: 90_000 });
    // A full page load locks the replica again (the key lives in memory only).
    await one.goto(`${site.url}/transactions`);
    await unlockThroughUi(one);
    const two = await device.newPage();
    two.on('pageerror', (e) => pageErrors.push(`tab two: ${e.message}`));
    await two.goto(`${site.url}/transactions`);
    await unlockThroughUi(two);
    tabs = [one, two];
    for (const tab of tabs) await expect.poll(() => count(tab), { timeout: 30_000 }).toBe('0 transactions');
  });

  it('every transaction that reaches the server afterwards shows in both tabs; full pages went through the bootstrap, sealed', async () => {
    // History up to today, so no recurring rule has an occurrence due for the app to post meanwhile.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const report = await loadDemo({ url: site.url, email: OWNER_EMAIL, password: OWNER_PASSWORD, seed: 'e2e-first-sync', transactions: 2_600, years: 1, referenceDate: today });
    const total = report.generated.transactions;
    expect(total).toBeGreaterThan(2_000);
    // Every transaction sent, in both tabs (a recurring rule the app posts itself could add a few).
    await expect.poll(() => shownCount(tabs[0]!), { timeout: 90_000, interval: 250 }).toBeGreaterThanOrEqual(total);
    await expect.poll(async () => [await count(tabs[1]!), await count(tabs[0]!)].join(' | '), { timeout: 30_000 }).toMatch(/^(.+) \| \1$/);
    // Only one tab replicates; the other shows its sync state too (client/src/sync/status-relay.ts).
    for (const tab of tabs) await expect.poll(() => syncState(tab), { timeout: 60_000 }).toBe('synced');
    // What a person sees, on a wide desktop and on a phone.
    await tabs[0]!.setViewportSize(VIEWPORTS.desktop);
    await tabs[0]!.screenshot({ path: `${ARTIFACTS}tab-one-desktop.png` });
    await tabs[1]!.setViewportSize(VIEWPORTS.phone);
    await tabs[1]!.screenshot({ path: `${ARTIFACTS}tab-two-phone.png` });
    const raw = await rawTransactions(tabs[0]!, 'CARD PAYMENT TO');
    // At least every transaction sent (a recurring rule the app posts itself would add to them).
    expect(raw.rows).toBeGreaterThanOrEqual(total);
    // Pages of 1000: every full page through the bootstrap, the rest through RxDB.
    expect(raw.marked).toBe(Math.floor(total / 1000) * 1000);
    expect(raw.plaintext).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});
