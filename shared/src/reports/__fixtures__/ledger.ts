import fc from 'fast-check';
import { dateOfDay, dayNumber } from '../../date/date.ts';
import type { InvestInputs } from '../../invest/invest.ts';
import type { Budget, InvestmentTransaction } from '../../schema/registry.ts';
import type { ReportAccount, ReportCategory, ReportFilters, ReportInputs } from '../types.ts';
import type { Doc } from './naive-reports.ts';

/** Random small ledgers for the reports' property tests: several currencies, transfers, splits, refunds, tags, deletions. */

export const FIRST = dayNumber('2024-01-01');
export const LAST = dayNumber('2025-12-31');

export const CATEGORIES: ReportCategory[] = [
  { id: 'food', parentId: null, kind: 'expense' },
  { id: 'groceries', parentId: 'food', kind: 'expense' },
  { id: 'eating-out', parentId: 'food', kind: 'expense' },
  { id: 'coffee', parentId: 'eating-out', kind: 'expense' },
  { id: 'bills', parentId: null, kind: 'expense' },
  { id: 'salary', parentId: null, kind: 'income' },
  { id: 'bonus', parentId: 'salary', kind: 'income' },
  { id: 'moves', parentId: null, kind: 'transfer' },
];
/** A category the inputs do not list (its rows go by sign, as uncategorised ones). */
const STRAY = 'stray';

export const ACCOUNTS: ReportAccount[] = [
  { id: 'current', type: 'current', currency: 'GBP', openingBalance: 100_000, openingDate: '2023-12-01' },
  { id: 'saver', type: 'savings', currency: 'GBP', openingBalance: 250_000, openingDate: '2024-06-15' },
  { id: 'euro', type: 'current', currency: 'EUR', openingBalance: 30_000, openingDate: '2024-02-01' },
  { id: 'card', type: 'credit_card', currency: 'GBP', openingBalance: -5_000, openingDate: '2024-01-01' },
  { id: 'loan', type: 'loan', currency: 'GBP', openingBalance: -900_000, openingDate: '2025-03-10' },
  { id: 'isa', type: 'stocks_shares_isa', currency: 'GBP', openingBalance: 0, openingDate: '2024-01-01' },
];

const ACCOUNT_CURRENCY: Record<string, string> = { current: 'GBP', saver: 'GBP', euro: 'EUR', card: 'GBP', loan: 'GBP', isa: 'GBP' };
const TAGS = ['trip', 'gift', 'work'];

const dateArb = fc.integer({ min: FIRST, max: LAST }).map(dateOfDay);
const categoryArb = fc.option(fc.constantFrom(...CATEGORIES.map((c) => c.id), STRAY), { nil: null, freq: 5 });
/** Mostly spending, some income and refunds (positive rows in expense categories). */
const amountArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -90_000, max: -1 }) },
  { weight: 2, arbitrary: fc.integer({ min: -9_000, max: 6_000 }).map((x) => x * 10) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 60_000 }) },
);

const txArb = fc.record({
  date: dateArb,
  account: fc.constantFrom(...Object.keys(ACCOUNT_CURRENCY), 'euro'),
  /** Now and then a row in another currency than its account's (a card payment abroad). */
  foreign: fc.option(fc.constantFrom('EUR', 'USD', 'JPY', 'GBP'), { nil: null, freq: 4 }),
  amount: amountArb,
  categoryId: categoryArb,
  status: fc.constantFrom('pending', 'uncleared', 'cleared', 'reconciled') as fc.Arbitrary<Doc['status']>,
  transferTo: fc.option(fc.constantFrom(...Object.keys(ACCOUNT_CURRENCY)), { nil: null, freq: 6 }),
  split: fc.option(fc.tuple(fc.integer({ min: -40_000, max: 10_000 }), categoryArb), { nil: null, freq: 5 }),
  tags: fc.subarray(TAGS, { maxLength: 2 }),
  deleted: fc.boolean(),
});

export type TxValue = typeof txArb extends fc.Arbitrary<infer T> ? T : never;

export function toDocs(values: readonly TxValue[]): Doc[] {
  const docs: Doc[] = [];
  values.forEach((v, i) => {
    const currency = v.foreign ?? ACCOUNT_CURRENCY[v.account]!;
    const id = `t${String(i).padStart(4, '0')}`;
    const base = {
      id, date: v.date, amount: v.amount, currency, accountId: v.account, categoryId: v.categoryId, status: v.status, tags: v.tags,
      transferId: null as string | null, splits: [] as Doc['splits'], _deleted: v.deleted && i % 5 === 0,
    };
    if (v.transferTo !== null && v.transferTo !== v.account && v.split === null) {
      // Two legs sharing nothing but each other's id; the category is a transfer-kind one or none.
      const other = `${id}b`;
      docs.push({ ...base, categoryId: v.categoryId === null ? null : 'moves', transferId: other, amount: -Math.abs(v.amount) });
      docs.push({ ...base, id: other, accountId: v.transferTo, currency: ACCOUNT_CURRENCY[v.transferTo]!, categoryId: null, transferId: id, amount: Math.abs(v.amount), tags: [] });
      return;
    }
    if (v.split !== null) {
      const [part, cat] = v.split;
      docs.push({ ...base, splits: [{ categoryId: cat, amount: part }, { categoryId: v.categoryId, amount: v.amount - part }] });
      return;
    }
    docs.push(base);
  });
  return docs;
}

export const ledgerArb = fc.array(txArb, { minLength: 0, maxLength: 60 }).map(toDocs);

/** EUR from March 2024 (earlier rows have no rate), JPY with a long inverted rate, USD from one random day. */
export const fxArb = fc.tuple(
  fc.uniqueArray(fc.integer({ min: dayNumber('2024-03-01'), max: LAST }), { minLength: 1, maxLength: 30 }),
  fc.array(fc.integer({ min: 8_000, max: 9_999 }), { minLength: 30, maxLength: 30 }),
  fc.integer({ min: FIRST, max: LAST }),
).map(([eurDays, rates, usdDay]) => {
  const eur = [...eurDays].sort((a, b) => a - b);
  return [
    // Two-digit rates now and then, so amounts often land on a half minor unit (rounded half-even).
    { currency: 'EUR', dates: eur.map(dateOfDay), rates: eur.map((_, i) => (rates[i]! % 2 === 0 ? `0.${String(rates[i]).slice(0, 2)}` : `0.${rates[i]}`)) },
    { currency: 'JPY', dates: ['2023-01-01', '2025-01-01'], rates: ['0.0052631578947368421053', '0.00498'] },
    { currency: 'USD', dates: [dateOfDay(usdDay)], rates: ['0.78123456789012345678'] },
  ];
});

export function tagged(docs: readonly Doc[]): ReportInputs['tagged'] {
  return docs.filter((d) => d._deleted !== true && d.tags.length > 0).map((d) => ({ id: d.id, tags: d.tags }));
}

export function reportInputs(docs: readonly Doc[], fx: ReportInputs['fx'], extra: Partial<ReportInputs> = {}): ReportInputs {
  return {
    baseCurrency: 'GBP', monthStartDay: 1, weekStart: 1, today: '2025-12-31', accounts: ACCOUNTS, categories: CATEGORIES, fx, budgets: [], tagged: tagged(docs),
    ...extra,
  };
}

/** Custom filters over the ledger's span: a sub-range, some accounts, categories (maybe uncategorised), tags. */
export const filtersArb: fc.Arbitrary<ReportFilters & { preset: 'custom'; from: string; to: string }> = fc.record({
  a: fc.integer({ min: FIRST - 40, max: LAST }),
  b: fc.integer({ min: FIRST - 40, max: LAST + 20 }),
  accountIds: fc.option(fc.subarray(Object.keys(ACCOUNT_CURRENCY), { minLength: 1 }), { nil: undefined, freq: 2 }),
  categoryIds: fc.option(fc.subarray([...CATEGORIES.map((c) => c.id), null, STRAY], { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 2 }),
  tags: fc.option(fc.subarray(TAGS, { minLength: 1 }), { nil: undefined, freq: 3 }),
}).map(({ a, b, accountIds, categoryIds, tags }) => ({
  preset: 'custom' as const, from: dateOfDay(Math.min(a, b)), to: dateOfDay(Math.max(a, b)),
  ...(accountIds ? { accountIds } : {}), ...(categoryIds ? { categoryIds } : {}), ...(tags ? { tags } : {}),
}));

// ---- investments -------------------------------------------------------------------------------------------------

const investTxArb = fc.record({
  day: fc.integer({ min: FIRST + 10, max: LAST }),
  asset: fc.constantFrom('fund', 'usco'),
  units: fc.integer({ min: 1, max: 40 }),
  kind: fc.constantFrom('buy', 'buy', 'buy', 'dividend', 'transfer_in'),
});

/** Buys, dividends and units transferred in to the ISA, closes from before the first trade (a GBP fund and a USD stock). */
export const investArb: fc.Arbitrary<InvestInputs> = fc.tuple(
  fc.array(investTxArb, { maxLength: 8 }),
  fc.array(fc.integer({ min: 900, max: 1400 }), { minLength: 24, maxLength: 24 }),
).map(([txs, closes]) => {
  const closeDates = closes.map((_, k) => dateOfDay(FIRST + k * 31));
  const transactions: InvestmentTransaction[] = txs
    .map((t, i) => {
      const currency = t.asset === 'fund' ? 'GBP' : 'USD';
      const price = '12.5';
      const value = t.units * 1250;
      return {
        id: `i${String(i).padStart(3, '0')}`, hlc: '1700000000000:0000:test', accountId: 'isa', assetId: t.asset, kind: t.kind as InvestmentTransaction['kind'],
        date: dateOfDay(t.day), quantity: t.kind === 'dividend' ? '0' : String(t.units), unitPrice: t.kind === 'dividend' ? null : price,
        amount: t.kind === 'buy' ? -value : t.kind === 'transfer_in' ? 0 : Math.round(value / 20), fee: 0, currency, splitRatio: null, notes: null,
      };
    })
    .filter((t) => t.kind === 'buy' || txs.slice(0, Number(t.id.slice(1))).some((u) => u.kind === 'buy'))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1));
  return {
    transactions,
    assets: [{ id: 'fund', symbol: 'FUND.L', kind: 'fund', currency: 'GBP' }, { id: 'usco', symbol: 'USCO', kind: 'stock', currency: 'USD' }],
    accounts: [{ id: 'isa', type: 'stocks_shares_isa', currency: 'GBP' }],
    prices: [
      { assetId: 'fund', currency: 'GBP', dates: closeDates, closes: closes.map((c) => (c / 100).toFixed(2)) },
      { assetId: 'usco', currency: 'USD', dates: closeDates, closes: closes.map((c) => (c / 80).toFixed(3)) },
    ],
    fx: [{ currency: 'USD', dates: ['2023-06-01', '2025-01-01'], rates: ['0.79', '0.81'] }],
    baseCurrency: 'GBP',
  };
});

export type { Budget };
