import { crc32, deflateSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Account, Attachment, Category, RecurringRule, Transaction } from '@mymidas/shared/schema';
import { describeViolations, runAxe } from './lib/app-flows.ts';
import { startAppSite } from './lib/app-site.ts';
import type { AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';
import type { HarnessSite } from './lib/harness-site.ts';
import { buildLedgerHarness, ledgerReady } from './lib/ledger-harness.ts';

/**
 * Receipts, transfers, recurring items and categorisation rules in Chromium, through the real app
 * (the ledger harness: App.vue, router, stores, encrypted replica) served by the real sync server.
 *
 * Device A attaches a PDF and a photo to a transaction (uploaded at once), views them inline, and
 * uses the transfer, recurring and rules screens. Device B signs in, downloads a receipt on demand,
 * and — with the network gone — still views it from its sealed device cache. Every screen is checked
 * with axe (WCAG 2.1 AA) and photographed at 1440 and 375 px wide.
 */

const EMAIL = 'receipts-owner@example.org';
const PASSWORD = 'a long receipts test password';
/** A real PNG (40×30, one colour), built here so the test can check the browser decodes it. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.concat(Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [46, 125, 50]).flat())])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
const PNG = png(40, 30);
/** A one-page PDF with the text "ACME RECEIPT". */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
  '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n' +
  '4 0 obj<</Length 44>>stream\nBT /F1 24 Tf 40 100 Td (ACME RECEIPT) Tj ET\nendstream endobj\n' +
  '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

const HLC = '1764000000000:0000:seed';
const id = (n: number) => `01939a6e-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const MAIN = id(1);
const SAVER = id(2);
const EURO = id(3);
const TRANSFERS = id(10);
const GROCERIES = id(11);
const TESCO = id(20);

function daysAgo(n: number): string {
  const d = new Date();
  d.setDate(d.getDate() - n);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const account = (over: Partial<Account> & Pick<Account, 'id' | 'name'>): Account => ({
  hlc: HLC, type: 'current', currency: 'GBP', institution: null, accountRef: null, openingBalance: 100_000, openingDate: '2026-01-01',
  creditLimit: null, apr: null, closed: false, sortOrder: 0, notes: null, ...over,
});
const category = (over: Partial<Category> & Pick<Category, 'id' | 'name'>): Category => ({
  hlc: HLC, parentId: null, kind: 'expense', color: '#2e7d32', icon: 'tag', sortOrder: 0, hidden: false, ...over,
});
const tx = (over: Partial<Transaction> & Pick<Transaction, 'id' | 'accountId' | 'amount'>): Transaction => ({
  hlc: HLC, date: daysAgo(3), currency: 'GBP', categoryId: null, tags: [], merchant: null, description: '', notes: null,
  transferId: null, importHash: null, status: 'cleared', splits: [], ...over,
});

type Harness = {
  startSync(email: string, password: string, register: boolean): Promise<void>;
  awaitInSync(): Promise<void>;
  precache(): Promise<number>;
  seed(docs: { accounts?: Account[]; categories?: Category[]; transactions?: Transaction[] }): Promise<{ ms: number }>;
  dump(c: string): Promise<Record<string, unknown>[]>;
};

function h<K extends keyof Harness>(page: Page, method: K, ...args: Parameters<Harness[K]>): Promise<Awaited<ReturnType<Harness[K]>>> {
  return page.evaluate(
    ({ method, args }) => (window as unknown as { ledgerHarness: Record<string, (...a: unknown[]) => unknown> }).ledgerHarness[method]!(...args),
    { method, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<Harness[K]>>>;
}

let harness: HarnessSite;
let site: AppSite;
let browser: Browser;

async function openDevice(width: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 812 : 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${site.url}/#/transactions`);
  await ledgerReady(page);
  return { context, page };
}

/** In-app navigation by hash (no reload: the replica stays unlocked and sync keeps running). */
async function go(page: Page, hash: string, heading: string) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** The status lines of the page's own content (the shell's sync status is outside #main). */
async function pageStatus(page: Page): Promise<string> {
  return (await page.locator('#main [role="status"]').allTextContents()).map((t) => t.trim()).filter(Boolean).join(' | ');
}

async function axeClean(page: Page, what: string) {
  const { violations } = await runAxe(page);
  expect(violations, `${what}:\n${describeViolations(violations)}`).toEqual([]);
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `/tmp/ledger-tools-${name}.png`, fullPage: true });
}

/** Every value of every record in the attachment cache database, as text (to look for plaintext). */
function rawCache(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('mymidas-attachments');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const rows = await new Promise<unknown[]>((resolve, reject) => {
      const r = db.transaction('blobs').objectStore('blobs').getAll();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    db.close();
    const text = (v: unknown): string => {
      if (v instanceof ArrayBuffer) return new TextDecoder('latin1').decode(new Uint8Array(v));
      if (ArrayBuffer.isView(v)) return new TextDecoder('latin1').decode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return String(v);
    };
    return rows.map((row) => Object.values(row as Record<string, unknown>).map(text).join('|')).join('\n');
  });
}

describeBrowser('receipts, transfers, recurring and rules in the app', () => {
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

  it('attaches, uploads, views inline, and a second device downloads once and views offline', async () => {
    const a = await openDevice(1440);
    const cspViolations: string[] = [];
    a.page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
    });
    await h(a.page, 'startSync', EMAIL, PASSWORD, true);
    await h(a.page, 'seed', {
      accounts: [account({ id: MAIN, name: 'Main' }), account({ id: SAVER, name: 'Saver', type: 'savings', sortOrder: 1 }), account({ id: EURO, name: 'Euro wallet', currency: 'EUR', sortOrder: 2 })],
      categories: [category({ id: TRANSFERS, name: 'Transfers', kind: 'transfer' }), category({ id: GROCERIES, name: 'Groceries' })],
      transactions: [
        tx({ id: TESCO, accountId: MAIN, amount: -4_550, merchant: 'Tesco', description: 'Weekly shop', categoryId: GROCERIES }),
        tx({ id: id(21), accountId: MAIN, amount: -25_000, date: daysAgo(5), description: 'To savings' }),
        tx({ id: id(22), accountId: SAVER, amount: 25_000, date: daysAgo(4), description: 'From current' }),
      ],
    });
    await h(a.page, 'awaitInSync');

    // Attach a PDF and a photo in the transaction editor; online and signed in, both upload at once.
    const tesco = a.page.locator('.row', { hasText: 'Tesco' });
    await tesco.locator('.open').click();
    const dialog = a.page.locator('dialog');
    await dialog.getByTestId('attach-file').setInputFiles([
      { name: 'acme-receipt.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'till-photo.png', mimeType: 'image/png', buffer: PNG },
    ]);
    await expect.poll(() => dialog.getByRole('status').filter({ hasText: 'added' }).textContent(), { timeout: 20_000 }).toContain('2 files added. Uploaded.');
    await expect.poll(() => dialog.locator('.attachments li').allTextContents()).toEqual([
      expect.stringMatching(/PDF\s*acme-receipt\.pdf.*Saved on this device/), expect.stringMatching(/PNG\s*till-photo\.png.*Saved on this device/),
    ]);
    expect(await dialog.getByTestId('attach-camera').getAttribute('capture')).toBe('environment');

    // View the PDF inline, then the photo.
    await dialog.getByRole('button', { name: 'View acme-receipt.pdf' }).click();
    await expect.poll(() => dialog.locator('iframe[title="PDF acme-receipt.pdf"]').count()).toBe(1);
    // The frame loaded the PDF's blob document (a CSP-blocked frame is a cross-origin error page
    // with no contentDocument, and the console reports the violation).
    await expect.poll(() => dialog.locator('iframe[title="PDF acme-receipt.pdf"]').evaluate((f) => (f as HTMLIFrameElement).contentDocument !== null), { timeout: 10_000 }).toBe(true);
    expect(cspViolations).toEqual([]);
    await expect.poll(() => a.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('acme-receipt.pdf');
    await a.page.waitForTimeout(500);
    await shoot(a.page, 'attachments-pdf-1440');
    await dialog.getByRole('button', { name: 'View till-photo.png' }).click();
    await expect.poll(() => dialog.locator('img[alt="Attachment till-photo.png"]').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(40);
    await axeClean(a.page, 'transaction editor with attachments');
    const docsA = (await h(a.page, 'dump', 'attachments')) as unknown as Attachment[];
    expect(docsA.map((d) => [d.fileName, d.mimeType, d.size, d.uploadedAt !== null]).sort()).toEqual([
      ['acme-receipt.pdf', 'application/pdf', PDF.length, true], ['till-photo.png', 'image/png', PNG.length, true],
    ]);
    const cacheA = await rawCache(a.page);
    expect(cacheA).not.toContain('ACME RECEIPT');
    expect(cacheA).not.toContain('%PDF');
    await dialog.getByRole('button', { name: 'Cancel' }).first().click();
    await h(a.page, 'awaitInSync');

    // Device B (a phone): the metadata syncs; the bytes are fetched on demand, once.
    const b = await openDevice(375);
    await h(b.page, 'startSync', EMAIL, PASSWORD, false);
    await h(b.page, 'awaitInSync');
    await h(b.page, 'precache');
    await expect.poll(async () => (await h(b.page, 'dump', 'attachments')).length, { timeout: 30_000 }).toBe(2);
    const downloads: string[] = [];
    b.page.on('requestfinished', (r) => {
      if (r.url().includes('/api/v1/attachments/')) downloads.push(`${r.method()} ${r.url()}`);
    });
    await b.page.locator('.row', { hasText: 'Tesco' }).locator('.open').click();
    const dialogB = b.page.locator('dialog');
    await expect.poll(() => dialogB.locator('.attachments li').allTextContents(), { timeout: 20_000 }).toEqual([
      expect.stringMatching(/On the server — download to view/), expect.stringMatching(/On the server — download to view/),
    ]);
    await dialogB.getByRole('button', { name: 'View till-photo.png' }).click();
    await expect.poll(() => dialogB.locator('img[alt="Attachment till-photo.png"]').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 20_000 }).toBe(40);
    await expect.poll(() => dialogB.locator('.attachments li').nth(1).textContent()).toContain('Saved on this device');
    expect(downloads.filter((d) => d.startsWith('GET'))).toHaveLength(1);
    await shoot(b.page, 'attachments-photo-375');
    await dialogB.getByRole('button', { name: 'Hide till-photo.png' }).click();

    // Offline: the downloaded photo still opens (from the sealed cache); the PDF explains it needs the network.
    await b.context.setOffline(true);
    await dialogB.getByRole('button', { name: 'View till-photo.png' }).click();
    await expect.poll(() => dialogB.locator('img[alt="Attachment till-photo.png"]').count()).toBe(1);
    await dialogB.getByRole('button', { name: 'View acme-receipt.pdf' }).click();
    await expect.poll(() => dialogB.getByRole('alert').textContent()).toMatch(/cannot be reached/);
    expect(downloads.filter((d) => d.startsWith('GET'))).toHaveLength(1); // nothing more reached the server
    expect(await rawCache(b.page)).not.toContain('IHDR');
    await b.context.setOffline(false);
    await b.context.close();
    await a.context.close();
  });

  it('transfers, recurring and rules screens work from the keyboard at 1440 and 375 px, with no axe violations', async () => {
    const a = await openDevice(1440);
    await go(a.page, '#/transactions/transfers', 'Transfers');
    // A new browser context is a new device with an empty replica: seed it (no sync in this test).
    await h(a.page, 'seed', {
      accounts: [account({ id: MAIN, name: 'Main' }), account({ id: SAVER, name: 'Saver', type: 'savings', sortOrder: 1 }), account({ id: EURO, name: 'Euro wallet', currency: 'EUR', sortOrder: 2 })],
      categories: [category({ id: TRANSFERS, name: 'Transfers', kind: 'transfer' }), category({ id: GROCERIES, name: 'Groceries' })],
      transactions: [
        tx({ id: id(21), accountId: MAIN, amount: -25_000, date: daysAgo(5), description: 'To savings' }),
        tx({ id: id(22), accountId: SAVER, amount: 25_000, date: daysAgo(4), description: 'From current' }),
        tx({ id: id(23), accountId: MAIN, amount: -1_999, date: daysAgo(2), merchant: 'Tesco Express', description: 'TESCO EXPRESS 1234' }),
      ],
    });
    await a.page.getByRole('button', { name: 'Look again' }).click();
    const suggestion = a.page.locator('.suggestion');
    await expect.poll(() => suggestion.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => suggestion.textContent()).toContain('1 day apart');
    await axeClean(a.page, 'transfers page');
    await shoot(a.page, 'transfers-1440');
    await suggestion.getByRole('button', { name: 'Confirm transfer' }).focus();
    await a.page.keyboard.press('Enter');
    await expect.poll(() => suggestion.count()).toBe(0);
    await expect.poll(() => pageStatus(a.page)).toContain('Linked as a transfer');
    const linked = ((await h(a.page, 'dump', 'transactions')) as unknown as Transaction[]).filter((t) => t.id === id(21) || t.id === id(22));
    expect(linked.map((t) => [t.transferId, t.categoryId])).toEqual([[id(22), TRANSFERS], [id(21), TRANSFERS]]);

    // Record a GBP → EUR transfer; the received amount is asked for.
    await a.page.getByLabel('To account').selectOption({ label: 'Euro wallet (EUR)' });
    await a.page.getByLabel('Amount sent (GBP)').fill('100');
    await a.page.getByLabel('Amount received (EUR)').fill('114.20');
    await a.page.getByRole('button', { name: 'Record transfer' }).click();
    await expect.poll(() => pageStatus(a.page)).toContain('Transfer recorded: £100.00 from Main to Euro wallet (€114.20 received).');
    const fxLegs = ((await h(a.page, 'dump', 'transactions')) as unknown as Transaction[]).filter((t) => t.description === 'Transfer to Euro wallet');
    expect(fxLegs.map((t) => [t.amount, t.currency]).sort()).toEqual([[-10_000, 'GBP'], [11_420, 'EUR']]);

    // Recurring: a salary on the last working day, built in the editor.
    await go(a.page, '#/transactions/recurring', 'Recurring');
    await a.page.getByRole('button', { name: 'New recurring item' }).click();
    await a.page.getByLabel('Name', { exact: true }).fill('Salary');
    await a.page.getByLabel('Money in').check();
    await a.page.getByLabel(/^Amount/).fill('2900');
    await a.page.getByLabel('Repeats').selectOption('monthly-last-working-day');
    await a.page.getByLabel('Starts').fill(daysAgo(40));
    await expect.poll(() => a.page.locator('.preview li').count()).toBe(6);
    await axeClean(a.page, 'recurring editor');
    await shoot(a.page, 'recurring-editor-1440');
    await a.page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => pageStatus(a.page)).toContain('Saved Salary.');
    const [salary] = (await h(a.page, 'dump', 'recurring_rules')) as unknown as RecurringRule[];
    expect(salary).toMatchObject({ rrule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', amount: 290_000, autoPost: true });
    // Saving the rule posts its due occurrences by itself (auto-post); posting again adds nothing.
    const salaries = async () => ((await h(a.page, 'dump', 'transactions')) as unknown as Transaction[]).filter((t) => t.description === 'Salary').length;
    await expect.poll(salaries, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const posted = await salaries();
    expect(posted).toBeLessThanOrEqual(2);
    await a.page.getByRole('button', { name: 'Post what is due now' }).click();
    await expect.poll(() => pageStatus(a.page)).toContain('0 transactions posted.');
    expect(await salaries()).toBe(posted);
    await axeClean(a.page, 'recurring list');
    await shoot(a.page, 'recurring-1440');

    // Rules: build one, preview what it matches, save it.
    await go(a.page, '#/settings/rules', 'Categorisation rules');
    await a.page.getByRole('button', { name: 'New rule' }).click();
    await a.page.getByLabel('Condition 1 field').selectOption('merchant');
    await a.page.getByLabel('Condition 1 text').fill('tesco');
    await a.page.getByLabel('Category', { exact: true }).selectOption({ label: 'Groceries' });
    await a.page.getByLabel('Tags').fill('food, weekly');
    await a.page.getByRole('button', { name: 'Test on recent transactions' }).click();
    await expect.poll(() => a.page.locator('.preview').textContent()).toContain('Matches 1 of the last');
    await axeClean(a.page, 'rule editor');
    await shoot(a.page, 'rules-editor-1440');
    await a.page.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => a.page.locator('.rule-list li').count()).toBe(1);
    await expect.poll(() => a.page.locator('.rule-list li').textContent()).toContain('When Merchant contains “tesco”: set category Groceries; tags food, weekly.');
    await axeClean(a.page, 'rules list');

    // The same screens on a phone.
    await a.page.setViewportSize({ width: 375, height: 812 });
    for (const [hash, heading, name] of [['#/settings/rules', 'Categorisation rules', 'rules-375'], ['#/transactions/recurring', 'Recurring', 'recurring-375'], ['#/transactions/transfers', 'Transfers', 'transfers-375']] as const) {
      await go(a.page, hash, heading);
      await a.page.waitForTimeout(300);
      const overflow = await a.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${heading} scrolls sideways at 375 px`).toBeLessThanOrEqual(0);
      await axeClean(a.page, `${heading} at 375 px`);
      await shoot(a.page, name);
    }
    await a.context.close();
  });
});
