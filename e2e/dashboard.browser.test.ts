import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { todayIn } from '@mymidas/shared/date';
import { docsFromDailyQuotes, latestDoc } from '@mymidas/shared/quotes';
import type { Transaction } from '@mymidas/shared/schema';
import { describeViolations, runAxe } from './lib/app-flows.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';
import { DASHBOARD_HARNESS_GLOBAL } from './lib/dashboard-harness-api.ts';
import type { DashboardHarness, ExpectedFigures, HarnessChange } from './lib/dashboard-harness-api.ts';
import { buildDashboardSite } from './lib/dashboard-site.ts';
import type { DashboardSite } from './lib/dashboard-site.ts';

/**
 * The dashboard of the built app, in Chromium (issues 7 and 9): after unlock the compute worker builds
 * the snapshot from the encrypted replica; another tab then inserts, edits (amount, date, category,
 * account) and deletes transactions — the way a sync pull writes, through another RxDB instance — and
 * after every batch the figures on screen equal the ones worked out directly from every replica
 * document with the ledger (shared/src/ledger) and the naive aggregates. Changes made while the app
 * is closed are caught up without a rebuild; a flipped byte in a stored snapshot record is detected,
 * the snapshot rebuilt, and the figures are still right. Screenshots go to e2e/artifacts/.
 */

const PASSWORD = 'correct horse battery staple';
const ARTIFACTS = new URL('./artifacts/dashboard/', import.meta.url).pathname;
const TIME_ZONE = 'Europe/London';

const TODAY = todayIn(TIME_ZONE);

type Method = keyof DashboardHarness;
function call<M extends Method>(page: Page, method: M, ...args: Parameters<DashboardHarness[M]>): Promise<Awaited<ReturnType<DashboardHarness[M]>>> {
  return page.evaluate(
    ({ g, method, args }) => ((window as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[g]!)[method]!(...args),
    { g: DASHBOARD_HARNESS_GLOBAL, method, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<DashboardHarness[M]>>>;
}

interface ShownFigures {
  readonly state: string;
  readonly transactions: number;
  readonly month: string;
  readonly asOf: string;
  readonly currency: string;
  readonly net: number;
  readonly assets: number;
  readonly liabilities: number;
  readonly unconverted: string[];
  readonly invested: number;
  readonly unpriced: string;
  readonly fxMissingShown: boolean;
  readonly balances: Record<string, number>;
  readonly monthCurrency: string;
  readonly monthIncome: number;
  readonly monthExpense: number;
  readonly byCategory: Record<string, number>;
  readonly recentIds: string[];
}

/** What the dashboard shows, read from the DOM (the numbers carry their exact minor units as data attributes). */
function shown(page: Page): Promise<ShownFigures | null> {
  return page.evaluate(() => {
    const root = document.querySelector<HTMLElement>('[data-testid=dashboard]');
    const net = document.querySelector<HTMLElement>('[data-testid=net-worth]');
    const totals = document.querySelector<HTMLElement>('[data-testid=month-totals]');
    if (!root || !net || !totals) return null;
    const num = (el: Element | null, name: string) => Number((el as HTMLElement | null)?.dataset[name]);
    const map = (selector: string, key: string, value: string) =>
      Object.fromEntries(Array.from(document.querySelectorAll<HTMLElement>(selector)).map((el) => [el.dataset[key] ?? '', Number(el.dataset[value])]));
    return {
      state: root.dataset.state ?? '',
      transactions: Number(root.dataset.transactions),
      month: totals.dataset.month ?? '',
      asOf: net.dataset.asOf ?? '',
      currency: net.dataset.currency ?? '',
      net: num(net, 'amount'),
      assets: num(document.querySelector('[data-testid=assets]'), 'amount'),
      liabilities: num(document.querySelector('[data-testid=liabilities]'), 'amount'),
      unconverted: (net.dataset.unconverted ?? '').split(',').filter((s) => s !== ''),
      invested: Number(document.querySelector<HTMLElement>('[data-testid=investments-value]')?.dataset.amount ?? 0),
      unpriced: document.querySelector('[data-testid=price-missing]')?.textContent ?? '',
      fxMissingShown: document.querySelector('[data-testid=fx-missing]') !== null,
      balances: map('[data-testid=balances] tr[data-account]', 'account', 'balance'),
      monthCurrency: totals.dataset.currency ?? '',
      monthIncome: num(totals, 'income'),
      monthExpense: num(totals, 'expense'),
      byCategory: map('[data-testid=month-categories] tr[data-category]', 'category', 'total'),
      recentIds: Array.from(document.querySelectorAll<HTMLElement>('[data-testid=recent] li[data-id]')).map((el) => el.dataset.id ?? ''),
    };
  });
}

/** Every difference between the screen and the direct computation (empty when they agree). */
function differences(s: ShownFigures | null, e: ExpectedFigures): string[] {
  if (!s) return ['the dashboard shows no figures'];
  const out: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${what}: shown ${JSON.stringify(a)}, expected ${JSON.stringify(b)}`);
  };
  same('state', s.state, 'ready');
  same('transactions', s.transactions, e.transactions);
  same('net worth', s.net, e.net);
  same('assets', s.assets, e.assets);
  same('liabilities', s.liabilities, e.liabilities);
  same('currency', s.currency, e.baseCurrency);
  same('accounts without a rate', s.unconverted, e.unconverted);
  same('investments at market value', s.invested, e.invested);
  same('FX warning shown', s.fxMissingShown, e.unconverted.length > 0);
  for (const [id, balance] of Object.entries(s.balances)) same(`balance of ${id}`, balance, e.balances[id]);
  for (const [id, balance] of Object.entries(e.balances)) if (balance !== 0 && !(id in s.balances)) out.push(`account ${id} (${balance}) not shown`);
  same('month currency', s.monthCurrency, e.monthCurrency);
  same('month income', s.monthIncome, e.monthIncome);
  same('month expense', s.monthExpense, e.monthExpense);
  same('month by category', sortKeys(s.byCategory), sortKeys(e.byCategory));
  same('recent transactions', s.recentIds, e.recentIds);
  return out;
}

const sortKeys = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

async function expectShowsReplica(app: Page, harness: Page): Promise<void> {
  let last: string[] = [];
  await expect
    .poll(async () => {
      const s = await shown(app);
      if (!s || s.state !== 'ready') return ['not ready'];
      last = differences(s, await call(harness, 'expected', s.month, s.asOf));
      return last;
    }, { timeout: 60_000, interval: 250 })
    .toEqual([])
    .catch((error: unknown) => {
      throw new Error(`dashboard differs from the replica: ${last.join('; ')}`, { cause: error });
    });
}

async function openApp(context: BrowserContext, site: DashboardSite): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site.url}/`);
  await page.locator('#unlock-password').fill(PASSWORD);
  await page.locator('form button[type=submit]').click();
  await page.waitForSelector('[data-testid=dashboard][data-state=ready], [data-testid=dashboard][data-state=error]', { timeout: 120_000 }).catch((e: unknown) => {
    throw new Error(`the dashboard did not open: ${errors.join('; ') || String(e)}`);
  });
  return page;
}

async function openHarness(context: BrowserContext, site: DashboardSite): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${site.url}/harness/seed.html`);
  await page.waitForFunction((g) => g in window, DASHBOARD_HARNESS_GLOBAL, { timeout: 30_000 });
  return page;
}

const marks = (page: Page, name: string) =>
  page.evaluate((n) => performance.getEntriesByName(n, 'mark').map((m) => JSON.stringify((m as PerformanceMark).detail ?? null)), name);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function uuid(rnd: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const shiftDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A seeded batch: inserts (some this month), edits of amount, date, category or account, and deletes. */
function randomBatch(rnd: () => number, docs: readonly Transaction[], accounts: readonly { id: string; currency: string }[], categories: readonly string[], size: number): HarnessChange[] {
  const changes: HarnessChange[] = [];
  const touched = new Set<string>();
  const pick = () => {
    for (;;) {
      const d = docs[Math.floor(rnd() * docs.length)]!;
      if (!touched.has(d.id)) {
        touched.add(d.id);
        return d;
      }
    }
  };
  for (let i = 0; i < size; i++) {
    const r = rnd();
    if (r < 0.3) {
      const account = accounts[Math.floor(rnd() * accounts.length)]!;
      changes.push({
        op: 'insert',
        doc: {
          id: uuid(rnd), hlc: `${String(Date.now()).padStart(13, '0')}:0000:test`, accountId: account.id, date: shiftDays(TODAY, -Math.floor(rnd() * 20)),
          amount: Math.round((rnd() - 0.7) * 20_000), currency: account.currency, categoryId: categories[Math.floor(rnd() * categories.length)] ?? null,
          tags: [], merchant: `Test shop ${i}`, description: 'dashboard test', notes: null, transferId: null, importHash: null, status: 'cleared', splits: [],
        },
      });
    } else if (r < 0.45) {
      changes.push({ op: 'remove', id: pick().id });
    } else {
      const d = pick();
      const field = Math.floor(rnd() * 4);
      if (field === 0 && d.splits.length === 0) changes.push({ op: 'patch', id: d.id, patch: { amount: d.amount - 1234 } });
      else if (field === 1) changes.push({ op: 'patch', id: d.id, patch: { date: shiftDays(TODAY, -Math.floor(rnd() * 40)) } });
      else if (field === 2 && d.splits.length === 0) changes.push({ op: 'patch', id: d.id, patch: { categoryId: categories[Math.floor(rnd() * categories.length)] ?? null } });
      else {
        const same = accounts.filter((a) => a.currency === d.currency && a.id !== d.accountId);
        const to = same[Math.floor(rnd() * same.length)];
        if (to) changes.push({ op: 'patch', id: d.id, patch: { accountId: to.id } });
      }
    }
  }
  return changes;
}

describeBrowser('dashboard from the snapshot, in the built app', () => {
  let site: DashboardSite;
  let browser: Browser;
  let context: BrowserContext;
  let harness: Page;
  let app: Page;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    site = await buildDashboardSite();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    harness = await openHarness(context, site);
    await call(harness, 'open', PASSWORD, true);
    await call(harness, 'seed', { transactions: 2500, referenceDate: TODAY, years: 2, quotes: false, seed: 'dashboard-test' });
    // A EUR rate but no USD one: the USD wallet must be left out of net worth, and the figure marked.
    // Stored as the server stores quotes: the series' year document.
    await call(harness, 'insert', 'quotes', docsFromDailyQuotes([
      { id: 'fx:GBP/EUR:test', hlc: '1700000000000:0000:test', kind: 'fx', series: 'GBP/EUR', date: shiftDays(TODAY, -3), open: null, high: null, low: null, close: '1.1625', volume: null, currency: 'EUR', source: 'test' },
    ]));
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('unlocks, builds the snapshot once and shows what a direct computation over the replica gives', async () => {
    app = await openApp(context, site);
    expect(await marks(app, 'mymidas:snapshot-rebuild')).toEqual([JSON.stringify({ reason: 'empty' })]);
    await expectShowsReplica(app, harness);
    const s = await shown(app);
    expect(s?.month).toBe(TODAY.slice(0, 7));
    expect(s?.fxMissingShown).toBe(true);
    expect(s?.recentIds).toHaveLength(10);
    await app.screenshot({ path: `${ARTIFACTS}dashboard-1440.png`, fullPage: true });
    await app.setViewportSize({ width: 375, height: 812 });
    await app.waitForTimeout(300);
    await app.screenshot({ path: `${ARTIFACTS}dashboard-375.png`, fullPage: true });
    await app.setViewportSize({ width: 1440, height: 900 });
  });

  it('values the holdings as prices arrive: a close for VWRL.L adds its units at that close to net worth', async () => {
    const before = (await shown(app))!;
    expect(before.unpriced).toContain('VWRL.L');
    await call(harness, 'insert', 'quotes', docsFromDailyQuotes([
      { id: 'price:VWRL.L:test', hlc: '1700000000000:0000:test', kind: 'price', series: 'VWRL.L', date: shiftDays(TODAY, -1), open: null, high: null, low: null, close: '101.37', volume: null, currency: 'GBP', source: 'test' },
    ]));
    await expectShowsReplica(app, harness);
    const after = (await shown(app))!;
    expect(after.invested).toBeGreaterThan(before.invested);
    expect(after.net - before.net).toBe(after.invested - before.invested);
    expect(after.unpriced).not.toContain('VWRL.L');
    await app.screenshot({ path: `${ARTIFACTS}dashboard-priced-1440.png`, fullPage: true });
  });

  it('the asset page shows the feed\'s latest price under the last close, axe clean at 1440 and 375', async () => {
    const vwrl = (await call(harness, 'assets')).find((a) => a.symbol === 'VWRL.L');
    expect(vwrl).toBeDefined();
    // Newer than the close of yesterday (£101.37) inserted above: 102.05 is +0.67% on it.
    await call(harness, 'insert', 'quotes', [latestDoc({ kind: 'price', series: 'VWRL.L', currency: 'GBP' }, { price: '102.05', asOf: `${TODAY}T11:00:00Z`, source: 'yahoo' }, { hlc: '1700000000000:0001:test' })]);
    const go = (path: string) => app.evaluate((p) => {
      history.pushState({}, '', p);
      dispatchEvent(new PopStateEvent('popstate'));
    }, path);
    await go(`/investments/asset/${vwrl!.id}`);
    const line = app.getByTestId('asset-intraday');
    await line.waitFor({ timeout: 60_000 });
    const text = await line.innerText();
    expect(text).toContain('£102.05');
    expect(text).toContain('+0.67% on the close of');
    expect(text).toContain('(source: yahoo)');
    expect(describeViolations((await runAxe(app)).violations), 'asset page, 1440').toBe('');
    await app.screenshot({ path: `${ARTIFACTS}asset-latest-1440.png`, fullPage: true });
    await app.setViewportSize({ width: 375, height: 812 });
    await app.waitForTimeout(300);
    expect(describeViolations((await runAxe(app)).violations), 'asset page, 375').toBe('');
    await app.screenshot({ path: `${ARTIFACTS}asset-latest-375.png`, fullPage: true });
    await app.setViewportSize({ width: 1440, height: 900 });
    await go('/');
    await expectShowsReplica(app, harness);
  });

  it('follows inserts, edits of amount, date, category and account, and deletes written by another instance', async () => {
    const rnd = rng(20261125);
    const accounts = (await call(harness, 'accounts')).map((a) => ({ id: a.id, currency: a.currency }));
    const categories = (await call(harness, 'categories')).map((c) => c.id);
    for (let batch = 0; batch < 8; batch++) {
      const docs = await call(harness, 'transactions');
      await call(harness, 'apply', randomBatch(rnd, docs, accounts, categories, 1 + Math.floor(rnd() * 6)));
      await expectShowsReplica(app, harness);
    }
    // A transaction dated before its account's opening date is inside the opening balance already.
    const opening = new Map((await call(harness, 'accounts')).map((a) => [a.id, a.openingDate]));
    const docs = await call(harness, 'transactions');
    await call(harness, 'apply', docs.slice(0, 3).map((d): HarnessChange => ({ op: 'patch', id: d.id, patch: { date: shiftDays(opening.get(d.accountId)!, -1 - Math.floor(rnd() * 30)) } })));
    await expectShowsReplica(app, harness);
  });

  it('pages through recent transactions reading only the page asked for', async () => {
    // By keyboard, as a screen-reader or keyboard user would.
    await app.getByRole('button', { name: 'Older' }).focus();
    await app.keyboard.press('Enter');
    await expect.poll(() => app.locator('[data-testid=recent] li[data-id]').count()).toBe(10);
    const docs = await call(harness, 'transactions');
    const second = [...docs].sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : a.id < b.id ? 1 : -1)).slice(10, 20).map((t) => t.id);
    await expect.poll(() => app.locator('[data-testid=recent] li[data-id]').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.id))).toEqual(second);
    await app.getByRole('button', { name: 'Newer' }).focus();
    await app.keyboard.press('Enter');
    await expect.poll(async () => (await shown(app))?.recentIds).toEqual((await call(harness, 'expected', TODAY.slice(0, 7), TODAY)).recentIds);
  });

  it('catches up on changes made while the app was closed, without a rebuild', async () => {
    await app.close();
    const rnd = rng(7);
    const accounts = (await call(harness, 'accounts')).map((a) => ({ id: a.id, currency: a.currency }));
    const categories = (await call(harness, 'categories')).map((c) => c.id);
    await call(harness, 'apply', randomBatch(rnd, await call(harness, 'transactions'), accounts, categories, 12));
    app = await openApp(context, site);
    await expectShowsReplica(app, harness);
    expect(await marks(app, 'mymidas:snapshot-rebuild')).toEqual([]);
    expect(await marks(app, 'mymidas:snapshot-catch-up')).toHaveLength(1);
  });

  it('detects a flipped byte in a stored snapshot record, rebuilds, and the figures are still right', async () => {
    await app.close();
    const keys = await call(harness, 'snapshotRecordKeys');
    const year = `year-${TODAY.slice(0, 4)}`;
    expect(keys).toContain(year);
    await call(harness, 'flipSnapshotByte', year, 777);
    app = await openApp(context, site);
    expect(await marks(app, 'mymidas:snapshot-rebuild')).toEqual([JSON.stringify({ reason: 'corrupt' })]);
    await expectShowsReplica(app, harness);
    // And the rebuilt snapshot keeps following changes.
    const docs = await call(harness, 'transactions');
    await call(harness, 'apply', [{ op: 'remove', id: docs[0]!.id }, { op: 'patch', id: docs[1]!.id, patch: { date: TODAY } }]);
    await expectShowsReplica(app, harness);
  });

  it('runs the idle-time consistency check against the replica and finds the snapshot in step', async () => {
    await expect.poll(() => marks(app, 'mymidas:snapshot-check'), { timeout: 90_000, interval: 1000 }).toEqual([JSON.stringify({ outcome: 'consistent' })]);
    expect(await marks(app, 'mymidas:snapshot-rebuild')).toHaveLength(1);
    await expectShowsReplica(app, harness);
  });

  it('draws the month chart in every theme (screenshots in e2e/artifacts/dashboard)', async () => {
    for (const theme of ['obsidian', 'arctic', 'midnight', 'vault', 'terminal', 'synthwave', 'ledger']) {
      await app.locator('#theme-select').selectOption(theme);
      await expect.poll(() => app.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await expect.poll(() => app.locator('[data-testid=month-chart] canvas').count()).toBeGreaterThan(0);
      await app.waitForTimeout(200);
      await app.screenshot({ path: `${ARTIFACTS}dashboard-${theme}-1440.png` });
    }
  });

  it('shows a friendly empty state on an empty replica', async () => {
    const fresh = await browser.newContext({ viewport: { width: 375, height: 812 } });
    try {
      const h = await openHarness(fresh, site);
      await call(h, 'open', PASSWORD, true);
      await call(h, 'close');
      const page = await openApp(fresh, site);
      await expect.poll(() => page.locator('[data-testid=dashboard-empty]').isVisible()).toBe(true);
      await expect.poll(() => page.getByRole('link', { name: 'Add an account' }).isVisible()).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-empty-375.png`, fullPage: true });
    } finally {
      await fresh.close();
    }
  });
});
