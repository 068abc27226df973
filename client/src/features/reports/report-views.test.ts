import { describe, expect, it } from 'vitest';
import type { CashFlowResult, CategoryBreakdownResult, NetWorthResult } from '@mymidas/shared/reports';
import { THEMES } from '../../themes/themes.ts';
import { DRAG_THROTTLE_MS, breakdownSlices, netWorthChart, waterfallAxis, waterfallBars } from './report-charts.ts';
import { cellText } from './report-table.ts';
import { breakdownTables, cashFlowTables, netWorthTables, periodText } from './report-tables.ts';
import type { NameBook } from './report-tables.ts';

const names: NameBook = {
  account: (id) => ({ a: 'Current', b: 'Broker' })[id] ?? 'A deleted account',
  category: (id) => (id === null ? 'Uncategorised' : ({ food: 'Food', groc: 'Groceries', fun: 'Fun' })[id] ?? 'A deleted category'),
  budget: () => 'Budget',
};
const head = { baseCurrency: 'GBP', missingRates: [] as string[] };
const texts = (rows: readonly (readonly Parameters<typeof cellText>[0][])[]) => rows.map((r) => r.map(cellText));

describe('report tables and charts', () => {
  it('names periods: a calendar month, a quarter, a year, else its two dates', () => {
    expect(periodText('2026-03-01', '2026-03-31')).toBe('Mar 2026');
    expect(periodText('2026-07-01', '2026-09-30')).toBe('Q3 2026');
    expect(periodText('2026-01-01', '2026-12-31')).toBe('2026');
    expect(periodText('2026-02-25', '2026-03-24')).toBe('25 Feb 2026 – 24 Mar 2026');
    expect(periodText('2026-02-25', '2026-02-25')).toBe('25 Feb 2026');
  });

  it('puts a cash flow’s steps between its opening and closing balances, uncategorised named by kind', () => {
    const r: CashFlowResult = {
      ...head, range: { preset: 'this-month', from: '2026-12-01', to: '2026-12-31' }, opening: 100_000, closing: 95_000,
      steps: [
        { kind: 'income', categoryId: null, amount: 10_000, before: 100_000, after: 110_000 },
        { kind: 'expense', categoryId: 'food', amount: -15_000, before: 110_000, after: 95_000 },
      ],
    };
    expect(texts(cashFlowTables(r, { names, original: false })[0]!.rows)).toEqual([
      ['Opening balance (1 Dec 2026)', '—', '£1,000.00'],
      ['Uncategorised income', '£100.00', '£1,100.00'],
      ['Food', '-£150.00', '£950.00'],
    ]);
    const bars = waterfallBars(r, THEMES.arctic.palette, names);
    expect(bars.map((b) => [b.label, b.from, b.to])).toEqual([['Opening', 0, 100_000], ['Uncategorised income', 100_000, 110_000], ['Food', 110_000, 95_000], ['Closing', 0, 95_000]]);
    // The steps are small beside the balance: the axis sits around the balances, not at zero.
    const axis = waterfallAxis(bars);
    expect(axis.fromZero).toBe(false);
    expect(axis.min).toBeGreaterThan(0);
    expect(axis.min).toBeLessThan(95_000);
    expect(axis.max).toBeGreaterThan(110_000);
    // Balances that cross zero keep it on the axis.
    expect(waterfallAxis(waterfallBars({ ...r, opening: -1_000, closing: 2_000, steps: [] }, THEMES.arctic.palette, names)).fromZero).toBe(true);
  });

  it('lists a breakdown’s groups, then one group’s categories, as slices and tables with shares', () => {
    const r: CategoryBreakdownResult = {
      ...head, range: { preset: 'this-month', from: '2026-12-01', to: '2026-12-31' }, kind: 'expense', total: 20_000,
      groups: [
        { categoryId: 'food', total: 15_000, count: 3, categories: [{ categoryId: 'groc', total: 12_000, count: 2 }, { categoryId: 'food', total: 3_000, count: 1 }] },
        { categoryId: null, total: 5_000, count: 1, categories: [{ categoryId: null, total: 5_000, count: 1 }] },
      ],
    };
    expect(breakdownSlices(r, names, undefined)).toEqual([{ key: 'food', name: 'Food', value: 15_000 }, { key: '', name: 'Uncategorised', value: 5_000 }]);
    expect(breakdownSlices(r, names, 'food').map((s) => s.name)).toEqual(['Groceries', 'Food']);
    const [groups] = breakdownTables(r, { names, original: false }, undefined);
    expect(texts(groups!.rows)).toEqual([['Food', '£150.00', '75.00 %', '3'], ['Uncategorised', '£50.00', '25.00 %', '1']]);
    expect(texts([groups!.footer!])).toEqual([['Total', '£200.00', '100.00 %', '4']]);
    const [cats] = breakdownTables(r, { names, original: false }, 'food');
    expect(texts(cats!.rows)).toEqual([['Groceries', '£120.00', '60.00 %', '2'], ['Food', '£30.00', '15.00 %', '1']]);
  });

  it('shows net worth per account with its own currency when asked, holdings once per account', () => {
    const r: NetWorthResult = {
      ...head, missingRates: ['USD'], range: { preset: 'all-time', from: '2026-01-01', to: '2026-12-07' }, granularity: 'month', investmentsIncluded: true,
      points: [{ date: '2026-12-07', assets: 50_000, liabilities: -1_000, net: 49_000, investments: 20_000 }],
      accounts: [{ accountId: 'a', currency: 'EUR', balance: 11_500, baseBalance: 10_000 }, { accountId: 'b', currency: 'GBP', balance: 100, baseBalance: 100 }, { accountId: 'b', currency: 'USD', balance: 500, baseBalance: null }],
      holdings: [{ accountId: 'b', value: 20_000 }],
    };
    const [, accounts] = netWorthTables(r, { names, original: true });
    expect(accounts!.columns.map((c) => c.label)).toEqual(['Account', 'Cash, own currency', 'Currency', 'Cash (GBP)', 'Holdings (GBP)']);
    expect(texts(accounts!.rows)).toEqual([
      ['Current', '€115.00', 'EUR', '£100.00', '—'],
      ['Broker', '£1.00', 'GBP', '£1.00', '£200.00'],
      ['Broker', 'US$5.00', 'USD', '—', '—'],
    ]);
    expect(netWorthTables(r, { names, original: false })[1]!.columns).toHaveLength(3);
  });

  it('draws net worth with a slider on screen and without one on paper, never animated', () => {
    const r = { ...head, range: { preset: 'all-time' as const, from: '2026-01-01', to: '2026-01-03' }, granularity: 'day' as const, investmentsIncluded: true, accounts: [], holdings: [],
      points: ['2026-01-01', '2026-01-02', '2026-01-03'].map((date, i) => ({ date, assets: 100 + i, liabilities: -10, net: 90 + i, investments: 0 })) };
    const screen = netWorthChart(r, THEMES.obsidian.palette, { slider: true }) as { animation: boolean; dataZoom: { type: string; throttle: number; zlevel?: number }[]; series: { data: number[] }[] };
    expect(screen.animation).toBe(false);
    expect(screen.dataZoom.map((z) => z.type)).toEqual(['slider', 'inside']);
    // A drag redraws the chart at most 20 times a second, whichever zoom moves it.
    expect(screen.dataZoom.map((z) => z.throttle)).toEqual([DRAG_THROTTLE_MS, DRAG_THROTTLE_MS]);
    expect(DRAG_THROTTLE_MS).toBe(50);
    // The slider on a canvas of its own, so moving its handles does not repaint the series.
    expect(screen.dataZoom.map((z) => z.zlevel)).toEqual([1, undefined]);
    expect(screen.series[2]!.data).toEqual([90, 91, 92]);
    expect((netWorthChart(r, THEMES.arctic.palette, { slider: false }) as { dataZoom: unknown[] }).dataZoom).toEqual([]);
  });
});

describe('the zoom window kept across answers', () => {
  it('puts the chosen window into every zoom of a new option, and leaves options without zoom alone', async () => {
    const { withZoom } = await import('./report-charts.ts');
    const option = { dataZoom: [{ type: 'slider', start: 60, end: 100 }, { type: 'inside', start: 60, end: 100 }], series: [] };
    expect(withZoom(option, { start: 10, end: 30 })).toEqual({ dataZoom: [{ type: 'slider', start: 10, end: 30 }, { type: 'inside', start: 10, end: 30 }], series: [] });
    expect(withZoom(option, null)).toBe(option);
    const plain = { series: [] };
    expect(withZoom(plain, { start: 1, end: 2 })).toBe(plain);
  });
});
