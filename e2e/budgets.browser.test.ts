import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeViolations, fillLogin, nav, registerThroughUi, runAxe, THEME_IDS, VIEWPORTS } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';
import { notificationsShown, notificationStub } from './budgets-notifications.ts';

/**
 * Issue 20 acceptance, in Chromium on the production build served by the real sync server (PGlite):
 * device A (1440 px) registers, creates an account, two categories and two budgets (monthly and weekly), allows
 * browser notifications from the alerts panel, goes offline and spends through the transactions screen. The
 * budget card's gauge and figures change and the alerts appear — the threshold first, then over budget — in the
 * bell's list and as browser notifications. Back online, device B (375 px) signs in: it shows the same figures
 * and the same alerts, recorded once (by A), and raises no notification of its own.
 *
 * window.Notification is replaced by an init script (budgets-notifications.ts) that only counts calls: the
 * browser's own API, stubbed so that a headless browser can "allow" it and the test can count what was shown.
 * Screenshots: e2e/artifacts/budgets/.
 */

const ARTIFACTS = new URL('./artifacts/budgets/', import.meta.url).pathname;
const EMAIL = 'budgets-owner@example.org';
const PASSWORD = 'a long budgets test password';

const syncState = (page: Page) => page.locator('.sync[data-state]').getAttribute('data-state');

async function waitSynced(page: Page, timeout = 60_000) {
  await expect.poll(() => syncState(page), { timeout }).toBe('synced');
}


async function selectByText(page: Page, selector: string, text: string) {
  const value = await page.locator(`${selector} option`).evaluateAll((os, t) => {
    const found = (os as HTMLOptionElement[]).find((o) => o.text.replace(/\s+/g, ' ').trim().endsWith(t));
    if (!found) throw new Error(`no option ending with ${t}: ${(os as HTMLOptionElement[]).map((o) => o.text.trim()).join(' | ')}`);
    return found.value;
  }, text);
  await page.locator(selector).selectOption(value);
}

async function createAccount(page: Page, name: string, opening: string) {
  const add = page.getByRole('button', { name: 'Add account' });
  if (await add.isVisible()) await add.click();
  await page.locator('#new-account-name').fill(name);
  await page.locator('#new-account-type').selectOption('current');
  await page.locator('#new-account-opening').fill(opening);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name, exact: true }).waitFor();
}

async function addCategory(page: Page, name: string) {
  await page.locator('#cat-name').fill(name);
  await page.locator('#cat-parent').selectOption('');
  await page.getByRole('button', { name: 'Add category' }).click();
  await page.locator('.tree .name', { hasText: new RegExp(`^${name}$`) }).waitFor();
}

async function spend(page: Page, amount: string, merchant: string, categoryName: string) {
  await page.getByRole('button', { name: 'Add transaction' }).click();
  await page.locator('#tx-account').selectOption({ label: 'Joint current (GBP)' });
  await page.locator('#tx-amount').fill(amount);
  await page.locator('#tx-merchant').fill(merchant);
  await page.locator('#tx-description').fill(`${merchant} shop`);
  await selectByText(page, '#tx-category', categoryName);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect.poll(() => page.locator('.row', { hasText: merchant }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
}

async function createBudget(page: Page, categoryName: string, period: 'monthly' | 'weekly', amount: string) {
  await page.getByTestId('budget-new').click();
  const form = page.getByTestId('budget-editor');
  await form.waitFor();
  await form.getByLabel('Period').selectOption(period);
  const category = await form.getByLabel('Category').getAttribute('id');
  await selectByText(page, `[id="${category}"]`, categoryName);
  await form.getByLabel(/^Amount each/).fill(amount);
  await form.getByLabel('Alert threshold (%)').fill('80');
  await form.getByRole('button', { name: 'Create budget' }).click();
  await form.waitFor({ state: 'detached', timeout: 15_000 });
}

async function showKind(page: Page, label: 'Monthly' | 'Weekly') {
  await page.getByRole('radio', { name: label }).check();
}

function card(page: Page, name: string) {
  return page.getByRole('article', { name });
}

async function cardFigures(page: Page, name: string): Promise<{ state: string | null; spent: string; available: string }> {
  const c = card(page, name);
  return {
    state: await c.getAttribute('data-state'),
    spent: ((await c.getByTestId('budget-spent').textContent()) ?? '').replace(/\s+/g, ' ').trim(),
    available: ((await c.getByTestId('budget-available').textContent()) ?? '').replace(/\s+/g, ' ').trim(),
  };
}

const bell = (page: Page) => page.getByTestId('budget-alerts-bell');

async function openAlerts(page: Page) {
  await bell(page).click();
  await page.getByRole('dialog', { name: 'Budget alerts' }).waitFor();
}

async function closeAlerts(page: Page) {
  await page.getByRole('dialog', { name: 'Budget alerts' }).getByRole('button', { name: 'Close', exact: true }).click();
  await page.getByRole('dialog', { name: 'Budget alerts' }).waitFor({ state: 'hidden' });
}

/** The alert list's entries as shown (kind, message, period and time). */
async function alertList(page: Page): Promise<string[]> {
  const items = page.getByRole('dialog', { name: 'Budget alerts' }).getByRole('listitem');
  return (await items.allTextContents()).map((t) => t.replace(/Mark read:.*|Dismiss:.*/s, '').replace(/\s+/g, ' ').replace(/, unread/, '').trim()).sort();
}

async function axeClean(page: Page, what: string) {
  const result = await runAxe(page);
  expect(describeViolations(result.violations), what).toBe('');
}

describeBrowser('issue 20 budgets: offline spending, the gauge and alerts, then a second device (production build, real server)', () => {
  let site: AppSite;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    site = await startAppSite();
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await site?.close();
  });

  const pages = new Map<string, Page>();
  async function device(viewport: { width: number; height: number }, permission: 'default' | 'granted', name: string): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    await context.addInitScript(notificationStub(permission));
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
    pages.set(name, page);
    return page;
  }

  afterEach(async (ctx) => {
    // What each device showed when a step failed.
    if (ctx.task.result?.state !== 'fail') return;
    for (const [name, page] of pages) await page.screenshot({ path: `${ARTIFACTS}failed-${name}.png`, fullPage: true }).catch(() => undefined);
  });

  it('raises each alert once, on the device that saw the crossing, and the other device shows the same', async () => {
    // Device A: a new account, signed in and synced.
    const a = await device(VIEWPORTS.desktop, 'default', 'A');
    await registerThroughUi(a, site.url, EMAIL, PASSWORD);
    await waitSynced(a);
    await nav(a, 'Accounts');
    await createAccount(a, 'Joint current', '1,000.00');
    await nav(a, 'Transactions');
    await a.getByRole('button', { name: 'Categories' }).click();
    await addCategory(a, 'Groceries');
    await addCategory(a, 'Eating out');
    await a.locator('.categories').getByRole('button', { name: 'Close' }).click();

    // Notifications are asked for from the alerts panel's button only, never on load.
    expect(await a.evaluate(() => Notification.permission)).toBe('default');
    await openAlerts(a);
    await a.getByText('No budget alerts in the current periods.').waitFor();
    await a.getByRole('button', { name: 'Allow browser notifications' }).click();
    await a.getByText('Browser notifications are on for new alerts.').waitFor();
    await closeAlerts(a);

    // Two budgets: £100 a month for groceries, £50 a week eating out; alerts at 80 %.
    await nav(a, 'Budgets');
    await createBudget(a, 'Groceries', 'monthly', '100.00');
    await createBudget(a, 'Eating out', 'weekly', '50.00');
    await showKind(a, 'Monthly');
    await expect.poll(() => cardFigures(a, 'Groceries'), { timeout: 30_000 }).toEqual({ state: 'on-track', spent: '£0.00 of £100.00', available: '£100.00' });
    await axeClean(a, 'budgets page, 1440, no spending');
    await waitSynced(a);

    // Device B signs in on a phone and stays online on the budgets page, with notifications already allowed: it
    // would notify if it raised an alert itself.
    const b = await device(VIEWPORTS.phone, 'granted', 'B');
    await b.goto(`${site.url}/login`);
    await fillLogin(b, EMAIL, PASSWORD);
    await b.waitForURL(`${site.url}/`, { timeout: 90_000 });
    await waitSynced(b, 90_000);
    await nav(b, 'Budgets');
    await showKind(b, 'Monthly');
    await expect.poll(() => cardFigures(b, 'Groceries'), { timeout: 60_000 }).toEqual({ state: 'on-track', spent: '£0.00 of £100.00', available: '£100.00' });

    // Offline on A: spend through the transactions screen.
    await a.context().setOffline(true);
    await expect.poll(() => syncState(a)).toBe('offline');
    await nav(a, 'Transactions');
    await spend(a, '85.00', 'Greengrocer', 'Groceries');
    // £7 in a £50 week stays on track whatever the weekday: even on a week's first day the pace projects £49.
    await spend(a, '7.00', 'Noodle bar', 'Eating out');
    await nav(a, 'Budgets');
    await showKind(a, 'Monthly');
    await expect.poll(() => cardFigures(a, 'Groceries'), { timeout: 30_000 }).toEqual({ state: 'over-threshold', spent: '£85.00 of £100.00', available: '£15.00' });
    // The threshold alert is raised on this device (offline: there is no one to wait for).
    await expect.poll(() => bell(a).textContent(), { timeout: 30_000 }).toMatch(/Budget alerts, [1-9]\d* unread/);
    await openAlerts(a);
    expect((await alertList(a)).some((t) => t.includes('Groceries (monthly) reached 80 % of its budget'))).toBe(true);
    await a.screenshot({ path: `${ARTIFACTS}a-1440-threshold-alert.png` });
    await axeClean(a, 'alerts dialog, 1440');
    await closeAlerts(a);
    await a.screenshot({ path: `${ARTIFACTS}a-1440-near-limit.png`, fullPage: true });

    // More spending: over budget.
    await nav(a, 'Transactions');
    await spend(a, '40.00', 'Supermarket', 'Groceries');
    await nav(a, 'Budgets');
    await showKind(a, 'Monthly');
    await expect.poll(() => cardFigures(a, 'Groceries'), { timeout: 30_000 }).toEqual({ state: 'over', spent: '£125.00 of £100.00', available: '£25.00' });
    await openAlerts(a);
    await expect.poll(() => alertList(a), { timeout: 30_000 }).toEqual(
      expect.arrayContaining([expect.stringContaining('Groceries (monthly) reached 80 % of its budget'), expect.stringContaining('Groceries (monthly) is over budget')]),
    );
    // Spending beyond the amount is projected beyond it too, so the list ends with three Groceries alerts.
    await expect.poll(async () => (await alertList(a)).length, { timeout: 30_000 }).toBe(3);
    const listA = await alertList(a);
    expect(listA.every((t) => t.includes('Groceries (monthly)'))).toBe(true);
    await a.screenshot({ path: `${ARTIFACTS}a-1440-over-alerts.png` });
    await closeAlerts(a);
    await showKind(a, 'Weekly');
    await expect.poll(() => cardFigures(a, 'Eating out'), { timeout: 30_000 }).toEqual({ state: 'on-track', spent: '£7.00 of £50.00', available: '£43.00' });
    // One browser notification per alert, each alert once.
    const shownA = await notificationsShown(a);
    expect(shownA).toHaveLength(3);
    expect(new Set(shownA.map((n) => n.tag)).size).toBe(3);

    // Back online: A's edits (transactions and the budget's recorded alerts) reach the server, and B.
    await a.context().setOffline(false);
    await a.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitSynced(a, 90_000);

    // B, online all along, takes in A's spending and A's recorded alerts as they arrive.
    await showKind(b, 'Monthly');
    await expect.poll(() => cardFigures(b, 'Groceries'), { timeout: 60_000 }).toEqual({ state: 'over', spent: '£125.00 of £100.00', available: '£25.00' });
    await showKind(b, 'Weekly');
    await expect.poll(() => cardFigures(b, 'Eating out'), { timeout: 30_000 }).toEqual({ state: 'on-track', spent: '£7.00 of £50.00', available: '£43.00' });
    await b.screenshot({ path: `${ARTIFACTS}b-375-weekly.png`, fullPage: true });
    await showKind(b, 'Monthly');
    await expect.poll(() => bell(b).textContent(), { timeout: 30_000 }).toContain('Budget alerts, 3 unread');
    // Long enough for B's own look (sync quiet 3 s, then the worker's page) to have happened.
    await b.waitForTimeout(8_000);
    await b.screenshot({ path: `${ARTIFACTS}b-375-budgets.png`, fullPage: true });
    await axeClean(b, 'budgets page, 375');
    await openAlerts(b);
    expect(await alertList(b)).toEqual(listA);
    await b.screenshot({ path: `${ARTIFACTS}b-375-alerts.png` });
    await axeClean(b, 'alerts dialog, 375');
    await b.getByRole('button', { name: 'Mark all read' }).click();
    await closeAlerts(b);
    await expect.poll(() => bell(b).textContent()).not.toContain('unread');

    // No second alert: B notified nothing, A nothing more; the budget holds each alert once.
    expect(await notificationsShown(b)).toEqual([]);
    expect(await notificationsShown(a)).toHaveLength(3);
    await openAlerts(a);
    expect(await alertList(a)).toEqual(listA);
    await closeAlerts(a);

    // The other widths: A on a phone, B on a desktop.
    await a.setViewportSize(VIEWPORTS.phone);
    await axeClean(a, 'budgets page, 375 (A)');
    await a.screenshot({ path: `${ARTIFACTS}a-375-budgets.png`, fullPage: true });
    await b.setViewportSize(VIEWPORTS.desktop);
    await axeClean(b, 'budgets page, 1440 (B)');
    await b.screenshot({ path: `${ARTIFACTS}b-1440-budgets.png`, fullPage: true });

    // A third device whose first sync brings everything at once (the alerts with the spending) stays quiet too.
    const c = await device(VIEWPORTS.desktop, 'granted', 'C');
    await c.goto(`${site.url}/login`);
    await fillLogin(c, EMAIL, PASSWORD);
    await c.waitForURL(`${site.url}/`, { timeout: 90_000 });
    await waitSynced(c, 90_000);
    await nav(c, 'Budgets');
    await expect.poll(() => cardFigures(c, 'Groceries'), { timeout: 60_000 }).toEqual({ state: 'over', spent: '£125.00 of £100.00', available: '£25.00' });
    await expect.poll(() => bell(c).textContent(), { timeout: 30_000 }).toContain('Budget alerts, 3 unread');
    await c.waitForTimeout(8_000);
    await openAlerts(c);
    expect(await alertList(c)).toEqual(listA);
    await c.screenshot({ path: `${ARTIFACTS}c-1440-alerts.png` });
    await closeAlerts(c);
    // The bell's count and the alerts list in every theme: axe clean (colour contrast included).
    for (const theme of THEME_IDS) {
      await c.selectOption('#theme-select', theme);
      await expect.poll(() => c.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await axeClean(c, `budgets page with the bell's count, theme ${theme}`);
      await openAlerts(c);
      await axeClean(c, `alerts dialog, theme ${theme}`);
      if (theme === 'ledger' || theme === 'synthwave') await c.screenshot({ path: `${ARTIFACTS}c-1440-alerts-${theme}.png` });
      await closeAlerts(c);
    }
    expect(await notificationsShown(c)).toEqual([]);
    expect(await notificationsShown(b)).toEqual([]);
    expect(await notificationsShown(a)).toHaveLength(3);
    expect(pageErrors).toEqual([]);
  }, 420_000);
});
