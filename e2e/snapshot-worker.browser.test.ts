import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { documentChecksums } from '@mymidas/shared/snapshot/checksum';
import type { SnapshotChange, SnapshotDoc } from '@mymidas/shared/snapshot/snapshot';
import { naiveAccountBalances, naiveCategoryTotals, naiveMonthSummary, naiveNetWorth } from '@mymidas/shared/snapshot/__fixtures__/naive-aggregates';
import { syntheticLedger } from '@mymidas/shared/snapshot/__fixtures__/synthetic-ledger';
import type { SnapshotHarness } from '@mymidas/shared/snapshot/__fixtures__/harness-api';
import { describeBrowser, launchChromium } from './lib/chromium.ts';
import { buildAndServeHarness } from './lib/harness-site.ts';
import type { HarnessSite } from './lib/harness-site.ts';

/**
 * The compute worker in real Chromium (issue 9): the snapshot built, kept current through batches of
 * random changes and reloaded by a fresh worker, always answering what a naive computation over the
 * document list answers; a flipped byte in a stored record is detected and the snapshot rebuilt.
 */

const CONFIG = new URL('./snapshot-harness/vite.config.ts', import.meta.url).pathname;
const ledger = syntheticLedger(1500, 21);
const { accounts } = ledger;
const MONTH = '2023-05';
const RANGE = { from: '2023-02-10', to: '2024-08-31' };

type Method = keyof SnapshotHarness;
function call<M extends Method>(page: Page, method: M, ...args: Parameters<SnapshotHarness[M]>): Promise<Awaited<ReturnType<SnapshotHarness[M]>>> {
  return page.evaluate(
    ({ method, args }) => ((window as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>).snapshotHarness!)[method]!(...args),
    { method, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<SnapshotHarness[M]>>>;
}

async function expectMatchesNaive(page: Page, docs: readonly SnapshotDoc[]): Promise<void> {
  const dashboard = await call(page, 'dashboard', { month: MONTH, accounts });
  expect(dashboard.netWorth).toEqual(naiveNetWorth(docs, accounts));
  expect(dashboard.month).toEqual(naiveMonthSummary(docs, MONTH));
  expect(dashboard.balances).toEqual(naiveAccountBalances(docs, accounts));
  expect((await call(page, 'categoryTotals', {})).totals).toEqual(naiveCategoryTotals(docs));
  expect((await call(page, 'categoryTotals', RANGE)).totals).toEqual(naiveCategoryTotals(docs, RANGE));
}

/** Seeded random batches of changes: inserts, edits of amount/date/category/account, deletes. */
function randomBatches(start: SnapshotDoc[], batches: number, seed: number): { changes: SnapshotChange[]; docs: SnapshotDoc[] }[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const fresh = syntheticLedger(batches * 6, seed + 1).transactions.map((t, i) => ({ ...t, id: `new-${seed}-${i}` }));
  let docs = [...start];
  const out: { changes: SnapshotChange[]; docs: SnapshotDoc[] }[] = [];
  for (let b = 0; b < batches; b++) {
    const changes: SnapshotChange[] = [];
    const size = 1 + Math.floor(rnd() * 5);
    for (let c = 0; c < size; c++) {
      const r = rnd();
      const i = Math.floor(rnd() * docs.length);
      const old = docs[i]!;
      if (r < 0.3) {
        const doc = fresh.pop()!;
        docs = [...docs, doc];
        changes.push({ op: 'insert', doc });
      } else if (r < 0.45) {
        docs = docs.filter((_, j) => j !== i);
        changes.push({ op: 'delete', id: old.id });
      } else {
        const other = fresh[Math.floor(rnd() * fresh.length)]!;
        const field = Math.floor(rnd() * 4);
        let doc: SnapshotDoc;
        if (field === 0 && old.splits.length === 0) doc = { ...old, amount: other.amount };
        else if (field === 1) doc = { ...old, date: other.date };
        else if (field === 2 && old.splits.length === 0) doc = { ...old, categoryId: other.categoryId };
        else doc = { ...old, accountId: other.accountId, currency: other.currency };
        docs = docs.map((d, j) => (j === i ? doc : d));
        changes.push({ op: 'update', doc });
      }
    }
    out.push({ changes, docs });
  }
  return out;
}

describeBrowser('snapshot compute worker in Chromium', () => {
  let site: HarnessSite;
  let browser: Browser;
  let page: Page;
  let docs: SnapshotDoc[] = ledger.transactions;

  beforeAll(async () => {
    site = await buildAndServeHarness(CONFIG);
    browser = await launchChromium();
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.url}/index.html`);
    await page.waitForFunction(() => 'snapshotHarness' in window, undefined, { timeout: 30_000 }).catch((e: unknown) => {
      throw new Error(`harness did not start: ${errors.join('; ') || String(e)}`);
    });
    await call(page, 'start', 'snapshot-test');
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('asks for a rebuild when nothing is stored, then answers the dashboard like a naive computation', async () => {
    expect(await call(page, 'open')).toMatchObject({ state: 'rebuild-needed', reason: 'empty' });
    expect(await call(page, 'rebuild', docs, { seq: 1 })).toMatchObject({ state: 'ready', transactions: docs.length, checkpoint: { seq: 1 } });
    await expectMatchesNaive(page, docs);
    expect(await call(page, 'recordKeys')).toEqual(['meta', 'year-2022', 'year-2023', 'year-2024', 'year-2025']);
  });

  it('stays equal to the naive aggregates through random batches of local and synced changes', async () => {
    const batches = randomBatches(docs, 25, 7);
    for (const [n, batch] of batches.entries()) {
      expect(await call(page, 'apply', batch.changes, { seq: 2 + n })).toEqual({ transactions: batch.docs.length, checkpoint: { seq: 2 + n } });
      docs = batch.docs;
      await expectMatchesNaive(page, docs);
    }
  });

  it('reloads the same numbers and checkpoint in a fresh worker, with nothing readable in storage', async () => {
    await call(page, 'restartWorker');
    const state = await call(page, 'open');
    expect(state).toMatchObject({ state: 'ready', transactions: docs.length, checkpoint: { seq: 26 } });
    await expectMatchesNaive(page, docs);
    expect(await call(page, 'checksums')).toEqual(documentChecksums(docs));
    expect(await call(page, 'storedContains', docs[0]!.id)).toBe(false);
    expect(await call(page, 'storedContains', accounts[0]!.id)).toBe(false);
  });

  it('detects a flipped byte in a stored year record, rebuilds, and the dashboard is right again', async () => {
    await call(page, 'flipStoredByte', 'year-2023', 1234);
    await call(page, 'restartWorker');
    expect(await call(page, 'open')).toMatchObject({ state: 'rebuild-needed', reason: 'corrupt', detail: expect.stringContaining('year-2023') });
    await expect(call(page, 'dashboard', { month: MONTH, accounts })).rejects.toThrow(/rebuild it first/);
    expect(await call(page, 'rebuild', docs, { seq: 26 })).toMatchObject({ state: 'ready', transactions: docs.length });
    await expectMatchesNaive(page, docs);
    await call(page, 'restartWorker');
    expect(await call(page, 'open')).toMatchObject({ state: 'ready', transactions: docs.length });
    await expectMatchesNaive(page, docs);
  });

  it('detects a flipped byte in the meta record and records sealed under another key', async () => {
    await call(page, 'flipStoredByte', 'meta', 3);
    await call(page, 'restartWorker');
    expect(await call(page, 'open')).toMatchObject({ state: 'rebuild-needed', reason: 'corrupt' });
    await call(page, 'rebuild', docs, { seq: 26 });
    await call(page, 'replaceKey');
    await call(page, 'restartWorker');
    expect(await call(page, 'open')).toMatchObject({ state: 'rebuild-needed', reason: 'corrupt', detail: expect.stringContaining('AES-GCM') });
    await call(page, 'rebuild', docs, { seq: 26 });
    await expectMatchesNaive(page, docs);
  });

  it('asks for a rebuild when the per-year checksums disagree with the replica', async () => {
    expect(await call(page, 'checkConsistency', documentChecksums(docs))).toMatchObject({ state: 'ready' });
    const drifted = docs.map((d, i) => (i === 0 ? { ...d, amount: d.amount + 1, splits: [] } : d));
    const year = Number(docs[0]!.date.slice(0, 4));
    expect(await call(page, 'checkConsistency', documentChecksums(drifted))).toMatchObject({ state: 'rebuild-needed', reason: 'out-of-step', detail: expect.stringContaining(String(year)) });
    await call(page, 'rebuild', drifted, { seq: 27 });
    await expectMatchesNaive(page, drifted);
  });

  it('refuses a bad change with a clear error and keeps its numbers', async () => {
    const docsNow = docs.map((d, i) => (i === 0 ? { ...d, amount: d.amount + 1, splits: [] } : d));
    await expect(call(page, 'apply', [{ op: 'update', doc: { ...docsNow[1]!, amount: 0.5 } }], { seq: 99 })).rejects.toThrow(/whole minor units/);
    await expectMatchesNaive(page, docsNow);
  });
});
