import type { BrowserContext, Page } from 'playwright-core';
import { collectHousehold } from '@mymidas/shared/demo';
import { buildLedgerHarness, ledgerReady } from '../../e2e/lib/ledger-harness.ts';
import type { HarnessSite } from '../../e2e/lib/harness-site.ts';
import { benchBrowser } from '../lib/browser.ts';
import { defineSuite } from '../lib/suite.ts';
import type { BenchContext } from '../lib/suite.ts';

/**
 * Issue 8's transactions page with `size` local transactions in headless Chromium, through the real
 * app (the ledger harness: App.vue, router, stores, the encrypted replica on IndexedDB):
 *
 * - transactions-page-first-row: from clicking "Transactions" in the navigation (page chunks loaded,
 *   as the service worker's precache makes them; no transaction in memory yet) to the first row painted. Baseline: a plain IndexedDB getAll of as
 *   many stored rows as the page paints first (FIRST_PAGE), from RxDB's Dexie store, no decryption.
 * - transactions-page-filter: from choosing an account in the filter to the list showing the matching
 *   rows (all rows in memory). Baseline: a plain IndexedDB getAll of every stored transaction row.
 * - transactions-page-search: from typing a word into search (over description, merchant and notes,
 *   decrypted in memory only) to the list showing the matches. Same baseline.
 *
 * The three suites share one seeded page (setup seeds once, measures every round, hands out the
 * samples), as replica-encryption does. Each round reloads the page so the first-row figure is cold.
 */

/** Rows the page reads first (TransactionsPage.vue FIRST_PAGE). */
const FIRST_PAGE = 60;
const ROUNDS = { full: 3, quick: 2 } as const;
/** "Feels instant": the first rows within 300 ms of the click; a filter or search answered within 150 ms. */
const FIRST_ROW_TARGET_MS = 300;
const RESPONSE_TARGET_MS = 150;

interface Round {
  readonly firstRowMs: number;
  readonly firstRowRawMs: number;
  readonly filterMs: number;
  readonly searchMs: number;
  readonly rawAllMs: number;
  readonly fullLoadMs: number;
}

interface Shared {
  readonly rounds: Round[];
}

let shared: Promise<Shared> | null = null;

/** The part of the harness page's window.ledgerHarness (e2e/ledger-harness/page.ts) used here. */
interface HarnessWindow {
  ledgerHarness: { seed(docs: Record<string, unknown[]>): Promise<{ ms: number }> };
}

async function call<T>(page: Page, script: string): Promise<T> {
  return page.evaluate(script) as Promise<T>;
}

async function seed(page: Page, size: number, log: (line: string) => void): Promise<void> {
  // History ending today, as on a device in use: the page paints the newest rows first.
  const referenceDate = new Date().toISOString().slice(0, 10);
  const household = collectHousehold({ seed: 'bench-transactions-page', referenceDate, transactions: size, ...(size < 7_000 ? { years: 1 } : {}) });
  const transactions = household.transactions.slice(0, size);
  if (transactions.length < size) throw new Error(`the demo household made ${transactions.length} transactions, not ${size}`);
  const accountIds = new Set(transactions.map((t) => t.accountId));
  const accounts = household.accounts.filter((a) => accountIds.has(a.id));
  const t0 = performance.now();
  await page.evaluate((docs) => (window as unknown as HarnessWindow).ledgerHarness.seed(docs), { accounts, categories: household.categories });
  const CHUNK = 10_000;
  for (let i = 0; i < transactions.length; i += CHUNK) {
    await page.evaluate((docs) => (window as unknown as HarnessWindow).ledgerHarness.seed({ transactions: docs }), transactions.slice(i, i + CHUNK));
  }
  log(`  seeded ${transactions.length} transactions in ${accounts.length} accounts (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

/** Time from a click on the navigation's Transactions link to the first row in the DOM. */
const FIRST_ROW = `(async () => {
  const link = [...document.querySelectorAll('nav a')].find((a) => a.textContent.trim() === 'Transactions');
  if (!link) throw new Error('no Transactions link');
  performance.clearMarks();
  performance.mark('bench:click');
  const t0 = performance.now();
  link.click();
  await new Promise((resolve) => {
    const check = () => (document.querySelector('[data-row-index="0"]') ? resolve() : requestAnimationFrame(check));
    check();
  });
  return performance.now() - t0;
})()`;

const ALL_LOADED = (size: number) => `(async () => {
  const want = ${JSON.stringify(size.toLocaleString('en-GB'))} + ' transactions';
  const t0 = performance.now();
  while ((document.querySelector('[data-testid="tx-count"]')?.textContent ?? '').trim() !== want) {
    if (performance.now() - t0 > 600000) throw new Error('rows did not load: ' + document.querySelector('[data-testid="tx-count"]')?.textContent);
    await new Promise((r) => setTimeout(r, 20));
  }
})()`;

/** Changes a control and waits until the count line says rows match and a first row is painted. */
const APPLY = (selector: string, value: string, event: string) => `(async () => {
  const el = document.querySelector(${JSON.stringify(selector)});
  if (!el) throw new Error('no ' + ${JSON.stringify(selector)});
  const count = document.querySelector('[data-testid="tx-count"]');
  const before = count.textContent;
  const t0 = performance.now();
  el.value = ${JSON.stringify(value)};
  el.dispatchEvent(new Event(${JSON.stringify(event)}, { bubbles: true }));
  await new Promise((resolve, reject) => {
    const check = () => {
      const now = count.textContent;
      if (now !== before && / match/.test(now) && document.querySelector('[data-row-index="0"]')) requestAnimationFrame(() => resolve());
      else if (performance.now() - t0 > 60000) reject(new Error('filter never applied: ' + now));
      else requestAnimationFrame(check);
    };
    check();
  });
  const ms = performance.now() - t0;
  return { ms, count: count.textContent.trim() };
})()`;

/** Puts a control back to empty and waits for the unfiltered list. */
const RESET = (selector: string) => `(async () => {
  const el = document.querySelector(${JSON.stringify(selector)});
  el.value = '';
  el.dispatchEvent(new Event('change', { bubbles: true }));
  const count = document.querySelector('[data-testid="tx-count"]');
  while (/ match/.test(count.textContent)) await new Promise((r) => requestAnimationFrame(r));
})()`;

async function measure(ctx: BenchContext): Promise<Shared> {
  const site: HarnessSite = await buildLedgerHarness();
  // Its own context on the shared browser, so the seeded replica outlives each suite's contexts.
  const browser = await benchBrowser();
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.url}/#/settings`);
    await ledgerReady(page);
    await seed(page, ctx.size, ctx.log);
    const accountId = await call<string>(page, `window.ledgerHarness.dump('accounts').then((a) => a.sort((x, y) => x.sortOrder - y.sortOrder)[0].id)`);
    const rounds: Round[] = [];
    const n = ctx.quick ? ROUNDS.quick : ROUNDS.full;
    for (let r = 0; r < n; r += 1) {
      await page.goto('about:blank');
      await page.goto(`${site.url}/#/settings`);
      await ledgerReady(page);
      await page.getByRole('heading', { level: 1 }).waitFor();
      // Page chunks come from the service worker's precache in the app; here they are loaded up front.
      await call(page, 'window.ledgerHarness.precache()');
      const firstRowRawMs = await call<number>(page, `window.ledgerHarness.rawRead('transactions', ${FIRST_PAGE}).then((x) => x.ms)`);
      const firstRowMs = await call<number>(page, FIRST_ROW);
      const marks = await call<string>(page, `performance.getEntriesByType('mark').map((m) => m.name + '@' + Math.round(m.startTime - performance.getEntriesByName('bench:click')[0].startTime)).join(' ')`);
      ctx.log(`  marks (ms after the click): ${marks}`);
      const loadStart = performance.now();
      await call(page, ALL_LOADED(ctx.size));
      const fullLoadMs = performance.now() - loadStart + firstRowMs;
      // The search text is folded in the background after loading; let it finish as a user would.
      await page.waitForTimeout(1500);
      await page.getByRole('button', { name: 'Filters' }).click();
      const filter = await call<{ ms: number; count: string }>(page, APPLY('#f-account', accountId, 'change'));
      await call(page, RESET('#f-account'));
      const search = await call<{ ms: number; count: string }>(page, APPLY('#tx-search', 'tesco', 'input'));
      const rawAll = await call<{ ms: number; rows: number }>(page, `window.ledgerHarness.rawRead('transactions')`);
      if (rawAll.rows < ctx.size) throw new Error(`raw read saw ${rawAll.rows} rows, expected ${ctx.size}`);
      ctx.log(`  round ${r + 1}: first row ${firstRowMs.toFixed(0)} ms (raw ${FIRST_PAGE} rows ${firstRowRawMs.toFixed(1)} ms), all rows in memory after ${fullLoadMs.toFixed(0)} ms, filter ${filter.ms.toFixed(1)} ms (${filter.count}), search ${search.ms.toFixed(1)} ms (${search.count}), raw read of all ${rawAll.rows} rows ${rawAll.ms.toFixed(0)} ms`);
      rounds.push({ firstRowMs, firstRowRawMs, filterMs: filter.ms, searchMs: search.ms, rawAllMs: rawAll.ms, fullLoadMs });
    }
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    return { rounds };
  } finally {
    await context.close();
    await site.close();
  }
}

function sharedMeasurement(ctx: BenchContext): Promise<Shared> {
  shared ??= measure(ctx).catch((error: unknown) => {
    shared = null;
    throw error;
  });
  return shared;
}

interface State {
  readonly rounds: Round[];
  next: number;
  nextBaseline: number;
}

function take(s: State, key: keyof Round, baseline: boolean): number {
  const i = baseline ? s.nextBaseline++ : s.next++;
  const round = s.rounds[i];
  if (!round) throw new Error('more samples asked for than rounds measured');
  return round[key];
}

const common = {
  environment: 'browser' as const,
  sizeUnit: 'transactions',
  size: { full: 100_000, quick: 5_000 },
  runs: ROUNDS,
  unit: 'ms',
  better: 'lower' as const,
  async setup(ctx: BenchContext): Promise<State> {
    const m = await sharedMeasurement(ctx);
    return { rounds: m.rounds, next: 0, nextBaseline: 0 };
  },
};

export const transactionsPageFirstRow = defineSuite<State>({
  ...common,
  name: 'transactions-page-first-row',
  description: 'transactions page: click in the navigation to the first row painted (issue 8)',
  baselineName: `plain IndexedDB getAll of ${FIRST_PAGE} stored rows`,
  target: { on: 'value', max: FIRST_ROW_TARGET_MS },
  run: (_ctx, s) => take(s, 'firstRowMs', false),
  baseline: (_ctx, s) => take(s, 'firstRowRawMs', true),
});

export const transactionsPageFilter = defineSuite<State>({
  ...common,
  name: 'transactions-page-filter',
  description: 'transactions page: choose an account filter to the matching rows shown (issue 8)',
  baselineName: 'plain IndexedDB getAll of every stored row',
  target: { on: 'value', max: RESPONSE_TARGET_MS },
  run: (_ctx, s) => take(s, 'filterMs', false),
  baseline: (_ctx, s) => take(s, 'rawAllMs', true),
});

export const transactionsPageSearch = defineSuite<State>({
  ...common,
  name: 'transactions-page-search',
  description: 'transactions page: full-text search over decrypted description/merchant/notes to matches shown (issue 8)',
  baselineName: 'plain IndexedDB getAll of every stored row',
  target: { on: 'value', max: RESPONSE_TARGET_MS },
  run: (_ctx, s) => take(s, 'searchMs', false),
  baseline: (_ctx, s) => take(s, 'rawAllMs', true),
});
