import { describe, expect, it } from 'vitest';
import { todayIn } from '@mymidas/shared/date';
import { cashFlow, categoryBreakdown, incomeExpense, InvestmentsUnavailableError, netWorthReport } from '@mymidas/shared/reports';
import type { ReportInputs } from '@mymidas/shared/reports';
import type { InvestmentTransaction, Transaction } from '@mymidas/shared/schema';
import { buildSnapshot } from '@mymidas/shared/snapshot/snapshot';
import { createComputeContext } from '../compute-area.ts';
import { createInvestHandlers } from '../invest/invest-handlers.ts';
import type { InvestPersistence } from '../invest/invest-persist.ts';
import { InvestStore } from '../invest/invest-store.ts';
import { COMPUTE_AREAS, createComputeHandlers } from '../registry.ts';
import { ReportInputsMissingError, createReportHandlers } from './reports-handlers.ts';
import { reportsArea } from './reports-area.ts';
import { ReportRequestError } from './reports-schemas.ts';

/** The reports area in Node (registry.ts): handlers over a reader holding a snapshot built from documents. */

const uuid = (k: number) => `01939a6e-0000-7000-8000-${k.toString(16).padStart(12, '0')}`;
const HLC = '1764000000000:0000:test';
const CURRENT = uuid(1);
const EURO = uuid(2);
const ISA = uuid(3);
const FOOD = uuid(10);
const SALARY = uuid(11);
const FUND = uuid(20);

let n = 100;
function tx(date: string, accountId: string, amount: number, categoryId: string | null, currency = 'GBP'): Transaction {
  n += 1;
  return {
    id: uuid(n), hlc: HLC, accountId, date, amount, currency, categoryId, tags: [], merchant: null, description: 'x', notes: null,
    transferId: null, importHash: null, status: 'cleared', splits: [],
  };
}

const DOCS = [
  tx('2025-01-05', CURRENT, 300_000, SALARY), tx('2025-01-10', CURRENT, -12_000, FOOD), tx('2025-01-12', EURO, -1_010, FOOD, 'EUR'),
  tx('2025-02-03', CURRENT, 1_500, FOOD), tx('2025-02-05', EURO, -2_000, FOOD, 'EUR'),
];

const PUSH = {
  baseCurrency: 'GBP', monthStartDay: 1, weekStart: 1, today: '2025-02-28',
  accounts: [
    { id: CURRENT, type: 'current' as const, currency: 'GBP', openingBalance: 100_000, openingDate: '2024-12-01' },
    { id: EURO, type: 'current' as const, currency: 'EUR', openingBalance: 0, openingDate: '2025-01-01' },
    { id: ISA, type: 'stocks_shares_isa' as const, currency: 'GBP', openingBalance: 0, openingDate: '2025-01-01' },
  ],
  categories: [{ id: FOOD, parentId: null, kind: 'expense' as const }, { id: SALARY, parentId: null, kind: 'income' as const }],
  fx: [{ currency: 'EUR', dates: ['2025-01-01', '2025-02-01'], rates: ['0.85', '0.9'] }],
  budgets: [],
  tagged: [{ id: DOCS[3]!.id, tags: ['gift'] }],
};
const INPUTS: ReportInputs = PUSH;
const FILTERS = { preset: 'custom' as const, from: '2025-01-01', to: '2025-02-28' };

function handlers() {
  const snapshot = buildSnapshot(DOCS);
  return { snapshot, h: createReportHandlers({ current: () => snapshot }) };
}

describe('reports area', () => {
  it('is registered: every report handler is on the worker’s API, no name clashes', () => {
    expect(COMPUTE_AREAS).toContain(reportsArea);
    const all = createComputeHandlers(createComputeContext());
    for (const name of ['reportSetInputs', 'reportResolveRange', 'reportNetWorth', 'reportIncomeExpense', 'reportCashFlow', 'reportCategoryBreakdown',
      'reportCategoryTransactions', 'reportBudgetVsActual', 'reportInvestmentPerformance', 'reportSpendingTrends'] as const) {
      expect(typeof all[name]).toBe('function');
    }
  });

  it('answers as the shared functions over the snapshot, in plain structured-clonable data', () => {
    const { snapshot, h } = handlers();
    h.reportSetInputs(PUSH);
    const ie = h.reportIncomeExpense({ filters: FILTERS, granularity: 'month' });
    expect(ie).toEqual(incomeExpense(snapshot, INPUTS, { filters: FILTERS, granularity: 'month' }));
    expect(ie.periods.map((p) => [p.income, p.expense])).toEqual([[300_000, 12_858], [0, 300]]);
    expect(structuredClone(ie)).toEqual(ie);
    expect(h.reportCategoryBreakdown({ filters: FILTERS, kind: 'expense' })).toEqual(categoryBreakdown(snapshot, INPUTS, { filters: FILTERS, kind: 'expense' }));
    expect(h.reportCashFlow({ filters: FILTERS })).toEqual(cashFlow(snapshot, INPUTS, { filters: FILTERS }));
    const nw = h.reportNetWorth({ filters: FILTERS, granularity: 'week' });
    expect(nw).toEqual(netWorthReport(snapshot, INPUTS, { filters: FILTERS, granularity: 'week' }, null));
    expect(nw.investmentsIncluded).toBe(false);
    const drill = h.reportCategoryTransactions({ filters: FILTERS, kind: 'expense', groupId: FOOD, page: 0, pageSize: 2 });
    expect(drill.total).toBe(4);
    expect(drill.rows.map((r) => r.date)).toEqual(['2025-02-05', '2025-02-03']);
    expect(h.reportSpendingTrends({ filters: FILTERS, categoryId: FOOD }).months.map((m) => m.spent)).toEqual([12_858, 300]);
    expect(h.reportBudgetVsActual({ filters: FILTERS }).budgets).toEqual([]);
    expect(h.reportIncomeExpense({ filters: { ...FILTERS, tags: ['gift'] }, granularity: 'month' }).total.expense).toBe(-1_500);
  });

  it('refuses a request before the inputs are pushed, and bad requests, naming the problem', () => {
    const { h } = handlers();
    expect(() => h.reportIncomeExpense({ filters: FILTERS, granularity: 'month' })).toThrow(ReportInputsMissingError);
    h.reportSetInputs(PUSH);
    expect(() => h.reportIncomeExpense({ filters: FILTERS, granularity: 'day' as 'month' })).toThrow(ReportRequestError);
    expect(() => h.reportIncomeExpense({ filters: { preset: 'custom', from: '2025-01-01' }, granularity: 'month' })).toThrow(/custom range needs from and to/);
    expect(() => h.reportIncomeExpense({ filters: { ...FILTERS, from: '2025-03-01' }, granularity: 'month' })).toThrow(/from must not be after to/);
    expect(() => h.reportCategoryTransactions({ filters: FILTERS, kind: 'expense', page: 0, pageSize: 10 })).toThrow(/one of groupId and categoryId/);
    expect(() => h.reportCategoryTransactions({ filters: FILTERS, kind: 'expense', groupId: FOOD, page: 0, pageSize: 501 })).toThrow(ReportRequestError);
    expect(() => h.reportSpendingTrends({ filters: FILTERS, categoryId: FOOD, window: 0 })).toThrow(ReportRequestError);
    expect(() => h.reportNetWorth({ filters: { ...FILTERS, accountIds: ['not-an-id'] }, granularity: 'day' })).toThrow(/UUID/);
  });

  it('keeps the previous inputs when a push is refused', () => {
    const { h } = handlers();
    h.reportSetInputs(PUSH);
    const before = h.reportIncomeExpense({ filters: FILTERS, granularity: 'month' });
    expect(() => h.reportSetInputs({ ...PUSH, baseCurrency: 'gbp' })).toThrow(ReportRequestError);
    expect(() => h.reportSetInputs({ ...PUSH, fx: [{ currency: 'EUR', dates: ['2025-02-01', '2025-01-01'], rates: ['0.9', '0.85'] }] })).toThrow(/ascending/);
    expect(() => h.reportSetInputs({ ...PUSH, today: undefined })).toThrow(/today or the time zone/);
    expect(h.reportIncomeExpense({ filters: FILTERS, granularity: 'month' })).toEqual(before);
  });

  it('reads today in the user’s time zone when only the zone is given', () => {
    const { h } = handlers();
    h.reportSetInputs({ ...PUSH, today: undefined, timezone: 'Pacific/Kiritimati' });
    const today = todayIn('Pacific/Kiritimati');
    const r = h.reportResolveRange({ preset: 'year-to-date' });
    expect(r).toEqual({ preset: 'year-to-date', from: `${today.slice(0, 4)}-01-01`, to: today });
  });

  it('values investments through the invest area’s inputs, shared by the compute context', async () => {
    const context = createComputeContext();
    const memory = (): Promise<InvestPersistence> =>
      Promise.resolve({ load: () => Promise.resolve({ store: new InvestStore(), emptyReason: 'memory' }), save: () => Promise.resolve(), clear: () => Promise.resolve(), close: () => undefined });
    const invest = createInvestHandlers({ openPersistence: memory, share: context.invest });
    const snapshot = buildSnapshot(DOCS);
    const h = createReportHandlers({ current: () => snapshot }, context.invest);
    h.reportSetInputs(PUSH);
    // Before the investment store is open: holdings left out, performance refused.
    expect(h.reportNetWorth({ filters: FILTERS, granularity: 'month' }).investmentsIncluded).toBe(false);
    expect(() => h.reportInvestmentPerformance({ filters: FILTERS, granularity: 'month' })).toThrow(InvestmentsUnavailableError);
    await invest.investOpen('test', await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']));
    await invest.investSync('assets', [{ id: FUND, hlc: HLC, symbol: 'FUND', name: 'Fund', kind: 'fund', currency: 'GBP', provider: 'manual', providerId: null, isin: null }], { id: 'a', lwt: 1 });
    const buy: InvestmentTransaction = {
      id: uuid(50), hlc: HLC, accountId: ISA, assetId: FUND, kind: 'buy', date: '2025-01-15', quantity: '100', unitPrice: '25', amount: -250_000, fee: 0,
      currency: 'GBP', splitRatio: null, notes: null,
    };
    await invest.investSync('investment_transactions', [buy], { id: 'i', lwt: 1 });
    invest.investSetAccounts({ baseCurrency: 'GBP', accounts: PUSH.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency })) });
    const nw = h.reportNetWorth({ filters: FILTERS, granularity: 'month' });
    expect(nw.investmentsIncluded).toBe(true);
    // No closes stored: the holding is valued at its trade price; the cash it took is out of the ISA.
    expect(nw.points.map((p) => p.investments)).toEqual([250_000, 250_000]);
    expect(nw.accounts.find((a) => a.accountId === ISA)).toEqual({ accountId: ISA, currency: 'GBP', balance: -250_000, baseBalance: -250_000 });
    const perf = h.reportInvestmentPerformance({ filters: FILTERS, granularity: 'month' });
    expect(perf.points.map((p) => [p.value, p.contributions])).toEqual([[250_000, 250_000], [250_000, 0]]);
  });
});
