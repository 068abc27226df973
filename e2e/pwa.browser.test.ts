import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fillLogin, OWNER_EMAIL, OWNER_PASSWORD, registerThroughUi, unlockThroughUi, VIEWPORTS, waitForServiceWorker } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';

/**
 * Issue 7 acceptance, the installable offline client end to end: the production build (service worker
 * included) served by the real sync server; register, add an account through the accounts page, go
 * offline, reload from the service worker, unlock with the password, see and edit the data; back
 * online the edit reaches the server and a second browser signed in as the same user sees it. Also:
 * the raw IndexedDB bytes hold no plaintext PII, a wrong password does not unlock, and "erase this
 * device" leaves no IndexedDB database behind.
 */

const ARTIFACTS = new URL('./artifacts/pwa/', import.meta.url).pathname;
/** Unique text in every PII field we type, so a raw scan can look for it. */
const MARKER = `pii${Date.now().toString(36)}`;
const ACCOUNT_NAME = `${MARKER} Joint current`;
const INSTITUTION = `${MARKER} Northwind Bank`;
const RENAMED = `${MARKER} Household bills`;
const FROM_A = `${MARKER} Bills (phone)`;
const FROM_B = `${MARKER} Bills (laptop)`;

interface RawDump {
  readonly databases: string[];
  /** Every value of every object store, as text (strings kept, bytes as hex), one entry per record. */
  readonly records: number;
  readonly text: string;
}

/** Reads every IndexedDB database of the origin without RxDB or Dexie: raw object stores, raw values. */
function dumpIndexedDb(page: Page): Promise<RawDump> {
  return page.evaluate(async () => {
    const show = (v: unknown, depth = 0): string => {
      if (depth > 12) return '';
      if (v === null || v === undefined) return String(v);
      if (typeof v === 'string') return v;
      if (typeof v !== 'object') return String(v);
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
        const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        // Bytes are also decoded as UTF-8, so plaintext hidden in a byte array would still be found.
        return `${new TextDecoder('utf-8', { fatal: false }).decode(bytes)}|${Array.from(bytes.slice(0, 64), (b) => b.toString(16).padStart(2, '0')).join('')}`;
      }
      if (v instanceof Blob) return `[blob ${v.size}]`;
      if (Array.isArray(v)) return v.map((x) => show(x, depth + 1)).join(',');
      return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${show(x, depth + 1)}`).join(';');
    };
    const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter(Boolean);
    const parts: string[] = [];
    let records = 0;
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const r = db.transaction(store, 'readonly').objectStore(store).getAll();
          r.onsuccess = () => resolve(r.result as unknown[]);
          r.onerror = () => reject(r.error);
        });
        records += values.length;
        for (const v of values) parts.push(`${name}/${store}: ${show(v)}`);
      }
      db.close();
    }
    return { databases: names, records, text: parts.join('\n') };
  });
}

async function signInApi(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: OWNER_EMAIL, password: OWNER_PASSWORD }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** Every account document the server holds for the user, through the replication pull endpoint. */
async function serverAccounts(base: string, token: string): Promise<Record<string, unknown>[]> {
  const docs: Record<string, unknown>[] = [];
  let checkpoint: string | null = null;
  for (;;) {
    const q: string = checkpoint ? `?checkpoint=${encodeURIComponent(checkpoint)}&limit=1000` : '?limit=1000';
    const res = await fetch(`${base}/api/v1/replication/accounts/pull${q}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { documents: Record<string, unknown>[]; checkpoint: string | null };
    docs.push(...body.documents);
    if (body.documents.length === 0 || body.checkpoint === checkpoint) return docs;
    checkpoint = body.checkpoint;
  }
}

/** Renames an account through its Edit form on the accounts page. */
async function renameAccount(page: Page, from: string, to: string): Promise<void> {
  await gotoAccounts(page);
  const item = page.locator('[data-account-id]').filter({ has: page.getByRole('heading', { name: from }) });
  await item.getByRole('button', { name: /^Edit/ }).click();
  await item.getByLabel('Name').fill(to);
  await item.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('heading', { name: to }).waitFor();
}

async function gotoAccounts(page: Page): Promise<void> {
  // Client-side navigation (the shell is already loaded), as a person would click it.
  const link = page.getByRole('navigation').getByRole('link', { name: 'Accounts' }).first();
  if (await link.isVisible()) await link.click();
  else await page.goto(new URL('/accounts', page.url()).toString());
  await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
}

describeBrowser('the installable offline client (production build, real server)', () => {
  let site: AppSite;
  let browser: Browser;
  let a: BrowserContext;
  let b: BrowserContext | undefined;
  let page: Page;
  let other: Page;
  let accountId = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    site = await startAppSite();
    browser = await launchChromium();
    a = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await a.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('the sign-in and registration pages load with no issue in Chromium\'s Issues panel (no CSP violation: zod runs jitless)', async () => {
    const probe = await (await browser.newContext()).newPage();
    const cdp = await probe.context().newCDPSession(probe);
    const issues: { code: string; details: unknown }[] = [];
    cdp.on('Audits.issueAdded', (e: { issue: { code: string; details: unknown } }) => issues.push(e.issue));
    await cdp.send('Audits.enable');
    for (const path of ['/login', '/register']) {
      await probe.goto(`${site.url}${path}`);
      await probe.locator('main, #app').first().waitFor();
      await probe.waitForLoadState('networkidle');
    }
    expect(issues.filter((i) => i.code === 'ContentSecurityPolicyIssue')).toEqual([]);
    await probe.context().close();
  });

  it('registers, signs in and adds an account through the accounts page', async () => {
    await registerThroughUi(page, site.url);
    await waitForServiceWorker(page);
    await gotoAccounts(page);
    const form = page.locator('#add-account');
    await form.getByLabel('Name').fill(ACCOUNT_NAME);
    await form.getByLabel('Opening balance').fill('1234.56');
    await form.getByLabel(/Bank or provider/).fill(INSTITUTION);
    await form.getByRole('button', { name: 'Create account' }).click();
    const item = page.locator('[data-account-id]').filter({ hasText: ACCOUNT_NAME });
    await item.waitFor();
    accountId = (await item.getAttribute('data-account-id')) ?? '';
    expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(() => item.textContent()).toContain('1,234.56');
    await page.screenshot({ path: `${ARTIFACTS}account-added.png` });
  });

  it('the raw IndexedDB contents hold the account but none of its PII values in plaintext', async () => {
    const dump = await dumpIndexedDb(page);
    expect(dump.records).toBeGreaterThan(0);
    // Control: the raw scan does see this account's document (its id is stored in the clear).
    expect(dump.text).toContain(accountId);
    for (const secret of [MARKER, ACCOUNT_NAME, INSTITUTION, 'Northwind']) expect(dump.text, `raw IndexedDB contains "${secret}"`).not.toContain(secret);
  });

  it('a wrong password does not unlock', async () => {
    await page.getByRole('button', { name: 'Lock this device' }).click();
    await page.waitForURL(/\/unlock/);
    await unlockThroughUi(page, 'not the password at all');
    await page.getByRole('alert').filter({ hasText: 'does not unlock' }).waitFor({ timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/unlock');
    expect(await page.getByText(ACCOUNT_NAME).count()).toBe(0);
    await unlockThroughUi(page, OWNER_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/unlock'), { timeout: 60_000 });
  });

  it('offline, a reload opens from the service worker, unlocks with the password, shows the data and takes an edit', async () => {
    await a.setOffline(true);
    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    await unlockThroughUi(page, OWNER_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/unlock'), { timeout: 60_000 });
    await gotoAccounts(page);
    const item = page.locator(`[data-account-id="${accountId}"]`);
    await item.getByRole('heading', { name: ACCOUNT_NAME }).waitFor();
    await item.getByRole('button', { name: /^Edit/ }).click();
    await item.getByLabel('Name').fill(RENAMED);
    await item.getByRole('button', { name: 'Save changes' }).click();
    await item.getByRole('heading', { name: RENAMED }).waitFor();
    await expect.poll(() => page.locator('.sync').getAttribute('data-state')).toBe('offline');
    await expect.poll(() => page.locator('.sync .text').textContent()).toBe('Offline · 1 queued');
    await page.screenshot({ path: `${ARTIFACTS}offline-edit.png` });
  });

  it('the queued count survives another offline reload', async () => {
    await page.reload();
    await unlockThroughUi(page, OWNER_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/unlock'), { timeout: 60_000 });
    await expect.poll(() => page.locator('.sync').getAttribute('data-state')).toBe('offline');
    await expect.poll(() => page.locator('.sync .text').textContent()).toBe('Offline · 1 queued');
    expect(await page.locator('.sync [role="status"]').textContent()).toContain('1 change saved on this device will be sent later');
    // On a phone the top bar shows the compact label, so the count is not the part cut off.
    const size = page.viewportSize();
    await page.setViewportSize({ width: 375, height: 812 });
    await expect.poll(() => page.locator('.sync .compact').isVisible()).toBe(true);
    expect(await page.locator('.sync .compact').textContent()).toBe('Offline · 1');
    expect(await page.locator('.sync .text').isVisible()).toBe(false);
    await page.screenshot({ path: `${ARTIFACTS}offline-queued-phone.png` });
    if (size) await page.setViewportSize(size);
  });

  it('back online, the edit reaches the server', async () => {
    await a.setOffline(false);
    const token = await signInApi(site.url);
    await expect
      .poll(async () => (await serverAccounts(site.url, token)).find((d) => d.id === accountId)?.name, { timeout: 90_000, interval: 1_000 })
      .toBe(RENAMED);
    const doc = (await serverAccounts(site.url, token)).find((d) => d.id === accountId)!;
    expect(doc.institution).toBe(INSTITUTION);
    expect(doc.openingBalance).toBe(123_456);
    await expect.poll(() => page.locator('.sync').getAttribute('data-state'), { timeout: 60_000 }).toBe('synced');
  });

  it('and appears in a second browser context signed in as the same user', async () => {
    b = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    other = await b.newPage();
    other.on('pageerror', (e) => pageErrors.push(`second context: ${e.message}`));
    await other.goto(`${site.url}/login`);
    await fillLogin(other, OWNER_EMAIL, OWNER_PASSWORD);
    await other.waitForURL(`${site.url}/`, { timeout: 90_000 });
    await gotoAccounts(other);
    await other.locator(`[data-account-id="${accountId}"]`).getByRole('heading', { name: RENAMED }).waitFor({ timeout: 90_000 });
    await other.screenshot({ path: `${ARTIFACTS}second-context.png` });
  });

  it('a same-field clash shows "conflict to review", which opens the conflict log; restore brings the lost value back on both devices', async () => {
    const token = await signInApi(site.url);
    // Device A, offline, renames the account; device B, online and later, renames it differently.
    await a.setOffline(true);
    await renameAccount(page, RENAMED, FROM_A);
    await renameAccount(other, RENAMED, FROM_B);
    await expect.poll(async () => (await serverAccounts(site.url, token)).find((d) => d.id === accountId)?.name, { timeout: 60_000, interval: 1_000 }).toBe(FROM_B);
    // Back online, A's push meets B's newer value: B's is kept, A's goes to A's conflict log.
    await a.setOffline(false);
    await expect.poll(() => page.locator('.sync').getAttribute('data-state'), { timeout: 90_000 }).toBe('conflicts');
    await page.locator(`[data-account-id="${accountId}"]`).getByRole('heading', { name: FROM_B }).waitFor({ timeout: 30_000 });
    await page.locator('.sync a').click();
    await page.waitForURL(/\/settings\/conflicts$/);
    const item = page.locator('li.item').filter({ hasText: 'name' });
    await item.waitFor();
    expect(await item.getByTestId('kept-value').textContent()).toContain(FROM_B);
    expect(await item.getByTestId('lost-value').textContent()).toContain(FROM_A);
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: `${ARTIFACTS}conflict-log-${size}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await item.getByRole('button', { name: 'Restore this value' }).click();
    await page.getByText('Nothing to review').waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await serverAccounts(site.url, token)).find((d) => d.id === accountId)?.name, { timeout: 60_000, interval: 1_000 }).toBe(FROM_A);
    await other.locator(`[data-account-id="${accountId}"]`).getByRole('heading', { name: FROM_A }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.sync').getAttribute('data-state'), { timeout: 60_000 }).toBe('synced');
    await b?.close();
    b = undefined;
  });

  it('"erase this device" leaves no IndexedDB database behind', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).first().click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect((await dumpIndexedDb(page)).databases.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Erase this device…' }).click();
    await page.getByRole('button', { name: 'Yes, erase everything here' }).click();
    await page.waitForURL(/\/login/, { timeout: 60_000 });
    // Names only: opening a database to read it would create it again.
    await expect.poll(() => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name)), { timeout: 20_000 }).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
