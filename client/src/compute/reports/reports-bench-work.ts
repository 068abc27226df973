import { collectHousehold } from '@mymidas/shared/demo';
import { valueSeries } from '@mymidas/shared/invest';
import type { ReportFilters, ReportHandlers } from '@mymidas/shared/reports';
import { FLAG, buildSnapshot, transactionCount } from '@mymidas/shared/snapshot/snapshot';
import type { Snapshot } from '@mymidas/shared/snapshot/snapshot';
import type { InvestShare } from '../compute-area.ts';
import { createInvestHandlers } from '../invest/invest-handlers.ts';
import type { InvestPersistence } from '../invest/invest-persist.ts';
import { InvestStore } from '../invest/invest-store.ts';
import { createReportHandlers } from './reports-handlers.ts';

/**
 * The workload of the `reports-*` bench suites (bench/suites/reports.ts, issue 23 bullet 4), kept beside the
 * handlers it drives so it is type-checked with the client (the bench's own project cannot list client files).
 * Not part of the app: nothing in it is imported by a screen or the worker.
 *
 * The demo household at `size` transactions as a columnar snapshot; its investments fed to the invest area as the
 * session's feed does (investSync in pages, the store in memory), shared with the reports area through the compute
 * context as in the worker; the report inputs pushed with reportSetInputs (FX rates from the invest area's inputs).
 * Each report is asked over the whole history (preset all-time, ten years) through the worker's own handlers
 * (requests validated as in the worker), without the Comlink hop.
 */

export const REPORT_NAMES = [
  'netWorth', 'incomeExpense', 'cashFlow', 'categoryBreakdown', 'categoryTransactions', 'budgetVsActual', 'investmentPerformance', 'spendingTrends',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export interface ReportsBench {
  readonly summary: string;
  /** One report over the whole history; ms. */
  run(name: ReportName): number;
  /** The floor: one pass over the typed arrays of every row, summing the amount column of the non-transfer rows; ms. */
  bare(): number;
}

const PAGE = 2000;

/** The investment store kept in memory for the run (the worker keeps it in IndexedDB). */
function inMemory(): Promise<InvestPersistence> {
  const store = new InvestStore();
  const done = () => Promise.resolve();
  return Promise.resolve({ load: () => Promise.resolve({ store, emptyReason: 'bench' }), save: done, clear: done, close: () => undefined });
}

/** The answers of the timed calls, kept so that no call's work can be dropped as unused. */
const kept: unknown[] = [];
export function keptAnswers(): number {
  return kept.length;
}

/** Milliseconds one call takes; its answer is kept (the last 16). */
function msOf(call: () => unknown): number {
  const t0 = performance.now();
  kept.push(call());
  const t1 = performance.now();
  if (kept.length > 16) kept.shift();
  return t1 - t0;
}

function barePass(s: Snapshot): number {
  let sum = 0;
  const skip = FLAG.deleted | FLAG.transfer;
  for (const p of s.years.values()) {
    const { amount, flags } = p;
    for (let i = 0; i < p.length; i++) if ((flags[i]! & skip) === 0) sum += amount[i]!;
  }
  return sum;
}

export async function prepareReportsBench(size: number): Promise<ReportsBench> {
  const started = performance.now();
  const household = collectHousehold({ transactions: size });
  const generatedMs = performance.now() - started;
  const snapshot = buildSnapshot(household.transactions);
  const settings = household.settings[0]!;
  const base = settings.baseCurrency;

  const share: InvestShare = { inputs: null };
  const invest = createInvestHandlers({ openPersistence: inMemory, share });
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  await invest.investOpen('bench', key);
  for (const [collection, docs] of [['assets', household.assets], ['investment_transactions', household.investment_transactions], ['quotes', household.quotes]] as const) {
    for (let i = 0; i < docs.length; i += PAGE) {
      await invest.investSync(collection, docs.slice(i, i + PAGE), { id: docs[Math.min(i + PAGE, docs.length) - 1]!.id, lwt: i + 1 });
    }
  }
  invest.investSetAccounts({ baseCurrency: base, accounts: household.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency })) });
  const investInputs = share.inputs?.(base);
  if (!investInputs) throw new Error('reports bench: the invest area shared no inputs');

  const today = household.transactions.reduce((max, t) => (t.date > max ? t.date : max), '0000-01-01');
  const handlers: ReportHandlers = createReportHandlers({ current: () => snapshot }, share);
  const setStarted = performance.now();
  handlers.reportSetInputs({
    baseCurrency: base, monthStartDay: settings.budgetStartDay, weekStart: 1, today,
    accounts: household.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency, openingBalance: a.openingBalance, openingDate: a.openingDate })),
    categories: household.categories.map((c) => ({ id: c.id, parentId: c.parentId, kind: c.kind })),
    fx: investInputs.fx, budgets: household.budgets,
    tagged: household.transactions.filter((t) => t.tags.length > 0).map((t) => ({ id: t.id, tags: t.tags })),
  });
  const setMs = performance.now() - setStarted;

  const filters: ReportFilters = { preset: 'all-time' };
  const breakdown = handlers.reportCategoryBreakdown({ filters, kind: 'expense' });
  const top = breakdown.groups[0];
  if (!top) throw new Error('reports bench: no spending');
  const calls: Record<ReportName, () => unknown> = {
    netWorth: () => handlers.reportNetWorth({ filters, granularity: 'day' }),
    incomeExpense: () => handlers.reportIncomeExpense({ filters, granularity: 'month' }),
    cashFlow: () => handlers.reportCashFlow({ filters, by: 'category' }),
    categoryBreakdown: () => handlers.reportCategoryBreakdown({ filters, kind: 'expense' }),
    categoryTransactions: () => handlers.reportCategoryTransactions({ filters, kind: 'expense', groupId: top.categoryId, page: 3, pageSize: 100 }),
    budgetVsActual: () => handlers.reportBudgetVsActual({ filters }),
    investmentPerformance: () => handlers.reportInvestmentPerformance({ filters, granularity: 'month' }),
    spendingTrends: () => handlers.reportSpendingTrends({ filters, categoryId: top.categoryId, window: 3 }),
  };
  // Every answer must be whole before its speed means anything; then warm the code paths.
  const sizes: string[] = [];
  for (const name of REPORT_NAMES) {
    const answer = calls[name]() as { missingRates: readonly string[] };
    if (answer.missingRates.length > 0) throw new Error(`reports bench: ${name} found no rates for ${answer.missingRates.join(', ')}`);
    sizes.push(`${name} ${(JSON.stringify(answer).length / 1024).toFixed(0)} KB`);
  }
  for (let i = 0; i < 2; i++) for (const name of REPORT_NAMES) calls[name]();
  const range = handlers.reportResolveRange(filters);
  // What net worth and investment performance pay the invest engine alone: its daily valuation of every holding over
  // the same ten years (the fastest of three), for reading their figures.
  const valuation = Math.min(...[0, 1, 2].map(() => msOf(() => valueSeries(investInputs, { kind: 'portfolio' }, { from: range.from, to: range.to }))));
  const summary = `${transactionCount(snapshot)} transactions (generated in ${(generatedMs / 1000).toFixed(1)} s), all-time ${range.from} … ${range.to}, `
    + `${household.investment_transactions.length} investment transactions, ${investInputs.fx.length} FX series; reportSetInputs ${setMs.toFixed(1)} ms; `
    + `the invest engine's daily valuation of the portfolio over the range alone (valueSeries, in net worth and investment performance): ${valuation.toFixed(1)} ms; `
    + `answers: ${sizes.join(', ')}`;
  return {
    summary,
    run: (name) => msOf(calls[name]),
    bare: () => msOf(() => barePass(snapshot)),
  };
}
