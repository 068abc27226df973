import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { transactionSchema } from '@mymidas/shared/schema';
import type { Account, Attachment, Category, Transaction } from '@mymidas/shared/schema';
import { startAppSite } from './lib/app-site.ts';
import type { AppSite } from './lib/app-site.ts';
import { describeViolations, nav, runAxe } from './lib/app-flows.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';
import type { HarnessSite } from './lib/harness-site.ts';
import { buildLedgerHarness, ledgerReady } from './lib/ledger-harness.ts';

/**
 * Issue 8 acceptance, in Chromium through the real screens: two accounts, add, edit, split, a
 * transfer (both legs), bulk-categorise, undo, a receipt, and a reconciliation to a statement
 * balance — all with the browser offline — then back online: synced through the real sync server
 * (client/src/sync against sync-server on PGlite) and seen on a second device.
 *
 * The page is the ledger harness: the real app (App.vue, router, stores, replica) unlocked at start,
 * served by the real server so the API is same-origin.
 */

const EMAIL = 'ledger-owner@example.org';
const PASSWORD = 'a long ledger test password';
/** A 1×1 PNG. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082', 'hex');

let harness: HarnessSite;
let site: AppSite;
let browser: Browser;

type Harness = {
  startSync(email: string, password: string, register: boolean): Promise<void>;
  awaitInSync(): Promise<void>;
  uploadAttachments(): Promise<{ uploaded: number; waiting: number }>;
  precache(): Promise<number>;
  dump(c: string): Promise<Record<string, unknown>[]>;
};

function h<K extends keyof Harness>(page: Page, method: K, ...args: Parameters<Harness[K]>): Promise<Awaited<ReturnType<Harness[K]>>> {
  return page.evaluate(
    ({ method, args }) => (window as unknown as { ledgerHarness: Record<string, (...a: unknown[]) => unknown> }).ledgerHarness[method]!(...args),
    { method, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<Harness[K]>>>;
}

async function openDevice(width = 1440): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${site.url}/#/accounts`);
  await ledgerReady(page);
  return { context, page };
}

async function createAccount(page: Page, name: string, type: string, opening: string) {
  const add = page.getByRole('button', { name: 'Add account' });
  if (await add.isVisible()) await add.click();
  await page.locator('#new-account-name').fill(name);
  await page.locator('#new-account-type').selectOption(type);
  await page.locator('#new-account-opening').fill(opening);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name, exact: true }).waitFor();
}

async function addCategory(page: Page, name: string, parent: string | null) {
  await page.locator('#cat-name').fill(name);
  const value = parent === null ? '' : await page.locator('#cat-parent option').evaluateAll((os, p) => (os as HTMLOptionElement[]).find((o) => o.text.trim().endsWith(p))!.value, parent);
  await page.locator('#cat-parent').selectOption(value);
  await page.getByRole('button', { name: 'Add category' }).click();
  await page.locator('.tree .name', { hasText: new RegExp(`^${name}$`) }).waitFor();
}

async function selectByText(page: Page, selector: string, text: string) {
  const value = await page.locator(`${selector} option`).evaluateAll((os, t) => {
    const found = (os as HTMLOptionElement[]).find((o) => o.text.replace(/\s+/g, ' ').trim().endsWith(t));
    if (!found) throw new Error(`no option ending with ${t}: ${(os as HTMLOptionElement[]).map((o) => o.text.trim()).join(' | ')}`);
    return found.value;
  }, text);
  await page.locator(selector).selectOption(value);
}


function row(page: Page, text: string) {
  return page.locator('.row', { hasText: text });
}

async function status(page: Page, text: string | RegExp) {
  await expect.poll(() => page.getByTestId('tx-status').textContent(), { timeout: 15_000 }).toMatch(text);
}

async function count(page: Page) {
  return (await page.getByTestId('tx-count').textContent())?.trim();
}

describeBrowser('issue 8 ledger: accounts and transactions offline, then synced', () => {
  beforeAll(async () => {
    harness = await buildLedgerHarness();
    site = await startAppSite({ dist: harness.dir });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await harness?.close();
  });

  it('does the daily work offline and a second device sees all of it after sync', async () => {
    const a = await openDevice();
    const page = a.page;
    // Signed in and syncing first, as a real device would be; then the network goes.
    await h(page, 'startSync', EMAIL, PASSWORD, true);
    await h(page, 'awaitInSync');
    expect(await h(page, 'precache')).toBeGreaterThan(5);
    await a.context.setOffline(true);
    let offline = true;
    const servedWhileOffline: string[] = [];
    page.on('requestfinished', (r) => {
      if (offline && r.url().includes('/api/')) servedWhileOffline.push(r.url());
    });

    // Two accounts.
    await createAccount(page, 'Joint current', 'current', '1,000.00');
    await createAccount(page, 'Rainy day', 'savings', '0');
    await expect.poll(() => page.getByTestId('net-worth').textContent()).toContain('£1,000.00');

    // Categories in two levels.
    await nav(page, 'Transactions');
    await page.getByRole('button', { name: 'Categories' }).click();
    await addCategory(page, 'Food', null);
    await addCategory(page, 'Groceries', 'Food');
    await addCategory(page, 'Household', null);
    await page.locator('.categories').getByRole('button', { name: 'Close' }).click();

    // Add.
    await page.getByRole('button', { name: 'Add transaction' }).click();
    await page.locator('#tx-account').selectOption({ label: 'Joint current (GBP)' });
    await page.locator('#tx-amount').fill('42.10');
    await page.locator('#tx-merchant').fill('Tesco');
    await page.locator('#tx-description').fill('Weekly shop');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await status(page, 'Transaction added.');
    await expect.poll(() => row(page, 'Tesco').textContent()).toContain('-£42.10');
    await expect.poll(() => row(page, 'Tesco').textContent()).toContain('£957.90');

    // Edit.
    await row(page, 'Tesco').locator('.open').click();
    await page.locator('#tx-amount').fill('45.50');
    await page.locator('#tx-description').fill('Weekly shop, edited');
    await selectByText(page, '#tx-category', 'Food › Groceries');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await status(page, 'Transaction saved.');
    await expect.poll(() => row(page, 'Tesco').textContent()).toContain('-£45.50');
    await expect.poll(() => row(page, 'Tesco').textContent()).toContain('Food › Groceries');

    // Split across two categories; the save waits until the lines add up.
    await page.getByRole('button', { name: 'Add transaction' }).click();
    await page.locator('#tx-account').selectOption({ label: 'Joint current (GBP)' });
    await page.locator('#tx-amount').fill('100.00');
    await page.locator('#tx-merchant').fill('Big Store');
    await page.locator('#tx-description').fill('Big shop');
    await page.getByRole('checkbox', { name: 'Split across categories' }).check();
    await selectByText(page, '[aria-label="Split line 1 category"]', 'Food › Groceries');
    await page.getByLabel('Split line 1 amount').fill('60.00');
    await selectByText(page, '[aria-label="Split line 2 category"]', 'Household');
    await page.getByLabel('Split line 2 amount').fill('30.00');
    await expect.poll(() => page.locator('.remainder').textContent()).toContain('£10.00 left to assign');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.locator('dialog [role="alert"]').textContent()).toContain('must add up');
    await page.getByLabel('Split line 2 amount').fill('40.00');
    await expect.poll(() => page.locator('.remainder').textContent()).toContain('Lines add up');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await status(page, 'Transaction added.');
    await expect.poll(() => row(page, 'Big Store').textContent()).toContain('Split · 2 categories');

    // Transfer: both legs appear.
    await page.getByRole('button', { name: 'Add transaction' }).click();
    await page.getByRole('radio', { name: 'Transfer' }).check();
    await page.locator('#tx-account').selectOption({ label: 'Joint current (GBP)' });
    await page.locator('#tx-to-account').selectOption({ label: 'Rainy day (GBP)' });
    await page.locator('#tx-amount').fill('200');
    await page.locator('#tx-description').fill('Move to savings');
    await page.getByRole('button', { name: 'Record transfer' }).click();
    await status(page, /Transfer of £200.00 recorded/);
    await expect.poll(() => row(page, 'Move to savings').count()).toBe(2);
    const legs = await row(page, 'Move to savings').allTextContents();
    expect(legs.some((t) => t.includes('Joint current') && t.includes('-£200.00'))).toBe(true);
    expect(legs.some((t) => t.includes('Rainy day') && t.includes('£200.00') && !t.includes('-£200.00'))).toBe(true);

    // Two more to bulk-categorise.
    for (const [amount, desc] of [['3.50', 'Pret coffee'], ['4.20', 'Pret lunch']]) {
      await page.getByRole('button', { name: 'Add transaction' }).click();
      await page.locator('#tx-account').selectOption({ label: 'Joint current (GBP)' });
      await page.locator('#tx-amount').fill(amount!);
      await page.locator('#tx-description').fill(desc!);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await status(page, 'Transaction added.');
    }
    // The status line already said "Transaction added." after the first of the two, so wait for the count.
    await expect.poll(() => count(page), { timeout: 15_000 }).toBe('6 transactions');

    // Search (decrypted in memory) narrows to the two, then bulk-categorise them.
    await page.locator('#tx-search').fill('pret');
    await expect.poll(() => count(page)).toBe('2 of 6 transactions match');
    await page.getByRole('checkbox', { name: /Select Pret coffee/ }).check();
    await page.getByRole('checkbox', { name: /Select Pret lunch/ }).check();
    await expect.poll(() => count(page)).toBe('2 selected');
    await selectByText(page, '#bulk-category', 'Food');
    await page.getByRole('button', { name: 'Set category' }).click();
    await status(page, 'Categorised 2 transactions as Food.');
    await expect.poll(() => row(page, 'Pret coffee').textContent()).toContain('Food');
    await expect.poll(() => row(page, 'Pret lunch').textContent()).toContain('Food');

    // Undo the bulk edit.
    await page.getByRole('button', { name: 'Undo categorised' }).click();
    await status(page, 'Undone: Categorised.');
    await expect.poll(() => row(page, 'Pret coffee').textContent()).toContain('Uncategorised');
    await expect.poll(() => row(page, 'Pret lunch').textContent()).toContain('Uncategorised');
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.locator('#tx-search').fill('');
    await expect.poll(() => count(page)).toBe('6 transactions');

    // Receipt on the Tesco transaction (kept on the device while offline).
    await row(page, 'Tesco').locator('.open').click();
    await page.getByTestId('attach-file').setInputFiles({ name: 'tesco-receipt.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('dialog').getByText('tesco-receipt.png').waitFor();
    await page.locator('dialog').getByRole('button', { name: 'Cancel' }).first().click();

    // Reconcile the current account: tick two, the difference shows until it is zero.
    await row(page, 'Tesco').locator('.clear').click();
    await status(page, /cleared/);
    await row(page, 'Big Store').locator('.clear').click();
    await expect.poll(() => row(page, 'Big Store').locator('.clear').getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Reconcile', exact: true }).click();
    await page.locator('#rec-balance').fill('850.00');
    await expect.poll(() => page.getByTestId('reconcile-difference').textContent()).toContain('-£4.50');
    await expect(page.getByRole('button', { name: /Finish reconciliation/ }).isDisabled()).resolves.toBe(true);
    await page.locator('#rec-balance').fill('854.50');
    await expect.poll(() => page.getByTestId('reconcile-difference').textContent()).toContain('£0.00');
    await page.getByRole('button', { name: /Finish reconciliation/ }).click();
    await status(page, /2 transactions reconciled/);
    await expect.poll(() => row(page, 'Tesco').locator('.clear').textContent()).toContain('R');
    await expect.poll(() => row(page, 'Big Store').locator('.clear').textContent()).toContain('R');

    // All of that happened offline, in the replica.
    expect(servedWhileOffline).toEqual([]);
    const txs = (await h(page, 'dump', 'transactions')) as unknown as Transaction[];
    expect(txs).toHaveLength(6);
    for (const t of txs) transactionSchema.parse(Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('_'))));
    expect(new Set(txs.map((t) => t.hlc)).size).toBe(6);
    const tesco = txs.find((t) => t.merchant === 'Tesco')!;
    expect(tesco).toMatchObject({ amount: -4550, description: 'Weekly shop, edited', status: 'reconciled' });
    const split = txs.find((t) => t.merchant === 'Big Store')!;
    expect(split.splits.map((l) => l.amount).sort()).toEqual([-4000, -6000]);
    expect(split.status).toBe('reconciled');
    const [out, inflow] = [txs.find((t) => t.description === 'Move to savings' && t.amount < 0)!, txs.find((t) => t.description === 'Move to savings' && t.amount > 0)!];
    expect(out.transferId).toBe(inflow.id);
    expect(inflow.transferId).toBe(out.id);
    expect(txs.filter((t) => t.description.startsWith('Pret')).every((t) => t.categoryId === null)).toBe(true);

    // Back online: sync, upload the receipt.
    offline = false;
    await a.context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(async () => (await h(page, 'uploadAttachments')).waiting, { timeout: 30_000 }).toBe(0);
    await h(page, 'awaitInSync');

    // A second device signs in and pulls everything.
    const b = await openDevice(375);
    await h(b.page, 'startSync', EMAIL, PASSWORD, false);
    await h(b.page, 'awaitInSync');
    await expect.poll(async () => (await h(b.page, 'dump', 'transactions')).length, { timeout: 30_000 }).toBe(6);
    const accountsB = (await h(b.page, 'dump', 'accounts')) as unknown as Account[];
    expect(accountsB.map((x) => x.name).sort()).toEqual(['Joint current', 'Rainy day']);
    const categoriesB = (await h(b.page, 'dump', 'categories')) as unknown as Category[];
    expect(categoriesB.find((c) => c.name === 'Groceries')?.parentId).toBe(categoriesB.find((c) => c.name === 'Food')?.id);
    const attachmentsB = (await h(b.page, 'dump', 'attachments')) as unknown as Attachment[];
    expect(attachmentsB).toHaveLength(1);
    expect(attachmentsB[0]).toMatchObject({ transactionId: tesco.id, fileName: 'tesco-receipt.png' });
    expect(attachmentsB[0]!.uploadedAt).not.toBeNull();

    // …and its screens show it: net worth, both transfer legs, the split, the reconciled rows.
    await nav(b.page, 'Accounts');
    // 1000 − 45.50 − 100 − 3.50 − 4.20 in current + 200 in savings.
    await expect.poll(() => b.page.getByTestId('net-worth').textContent(), { timeout: 30_000 }).toContain('£846.80');
    expect(describeViolations((await runAxe(b.page)).violations)).toBe('');
    await nav(b.page, 'Transactions');
    await expect.poll(() => count(b.page), { timeout: 30_000 }).toBe('6 transactions');
    await expect.poll(() => row(b.page, 'Move to savings').count()).toBe(2);
    await expect.poll(() => row(b.page, 'Big Store').textContent()).toContain('Split · 2 categories');
    await expect.poll(() => row(b.page, 'Tesco').locator('.clear').textContent()).toContain('R');
    // At 375px, with the filters open and a row selected (bulk bar shown): no WCAG 2.1 A/AA violation.
    await b.page.getByRole('button', { name: 'Filters' }).click();
    await row(b.page, 'Tesco').locator('.sel').check();
    expect(describeViolations((await runAxe(b.page)).violations)).toBe('');
    await b.page.screenshot({ path: '/tmp/ledger-device-b-375.png' });
    await page.screenshot({ path: '/tmp/ledger-device-a-1440.png' });
    await a.context.close();
    await b.context.close();
  }, 420_000);
});
