import { describe, expect, it } from 'vitest';
import type { Account, Category } from '@mymidas/shared/schema';
import { accountRows, categoryName, fxSeriesFor, monthFigures, netWorthOf } from './dashboard-model.ts';

const account = (id: string, type: Account['type'], currency: string, openingBalance = 0): Account => ({
  id, hlc: '1700000000000:0000:test', name: `Account ${id}`, type, currency, institution: null, accountRef: null, openingBalance,
  openingDate: '2024-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 0, notes: null,
});

const category = (id: string, name: string, parentId: string | null = null): Category => ({
  id, hlc: '1700000000000:0000:test', name, parentId, kind: 'expense', color: '#112233', icon: 'x', sortOrder: 0, hidden: false,
});

describe('dashboard model', () => {
  const accounts = [account('a', 'current', 'GBP'), account('b', 'credit_card', 'GBP'), account('c', 'current', 'EUR'), account('d', 'current', 'USD', 500)];
  const balances = [
    { accountId: 'a', currency: 'GBP', balance: 100_000 },
    { accountId: 'b', currency: 'GBP', balance: -25_050 },
    { accountId: 'c', currency: 'EUR', balance: 11_625 },
    { accountId: 'c', currency: 'USD', balance: 300 },
  ];
  const rates = new Map([['GBP/EUR', { rate: '1.1625', date: '2026-11-20' }]]);

  it('values accounts in the base currency through the ledger rate lookup and marks those without a rate', () => {
    const rows = accountRows(accounts, { balances }, 'GBP', rates);
    expect(rows.map((r) => [r.id, r.balance, r.inBase.status, 'amount' in r.inBase ? r.inBase.amount : null])).toEqual([
      ['a', 100_000, 'base', 100_000],
      ['b', -25_050, 'base', -25_050],
      ['c', 11_625, 'converted', 10_000],
      // No transactions: the opening balance; no USD rate.
      ['d', 500, 'unconverted', null],
    ]);
    expect(rows[2]!.otherCurrencies).toEqual([{ currency: 'USD', balance: 300 }]);
  });

  it('works out net worth as assets minus what is owed, listing accounts left out', () => {
    const worth = netWorthOf(accountRows(accounts, { balances }, 'GBP', rates), 'GBP');
    expect(worth).toEqual({ currency: 'GBP', assets: 110_000, liabilities: 25_050, net: 84_950, unconverted: [{ id: 'd', name: 'Account d', currency: 'USD' }], investments: null });
  });

  it('adds each account\'s investments (the trades\' cash and the holdings at market value) and sums what is invested', () => {
    const gia = account('g', 'investment_gia', 'GBP', 0);
    const isa = account('i', 'stocks_shares_isa', 'GBP', 0);
    // £1,000 paid in to the GIA (ledger), £950 of it spent on units now worth £1,200.50; the ISA holds a USD asset
    // with no USD rate, so it cannot be valued and is left out with its cash.
    const moreBalances = [...balances, { accountId: 'g', currency: 'GBP', balance: 100_000 }, { accountId: 'i', currency: 'GBP', balance: 50_000 }];
    const worth = {
      date: '2026-11-30', currency: 'GBP',
      byAccount: new Map([['g', { accountId: 'g', cash: -95_000, holdings: 120_050, unpriced: ['NEW.L'], oldestPriceDate: '2026-11-27' }]]),
      unconverted: [{ accountId: 'i', currencies: ['USD'] }],
    };
    const rows = accountRows([...accounts, gia, isa], { balances: moreBalances }, 'GBP', rates, worth);
    const g = rows.find((r) => r.id === 'g')!;
    expect(g.inBase).toEqual({ status: 'base', amount: 100_000 });
    expect(g.worth).toEqual({ status: 'base', amount: 100_000 - 95_000 + 120_050 });
    expect(rows.find((r) => r.id === 'i')!.worth).toEqual({ status: 'unconverted' });
    expect(rows.find((r) => r.id === 'i')!.investmentsUnconverted).toEqual(['USD']);
    expect(rows.find((r) => r.id === 'g')!.investmentsUnconverted).toEqual([]);
    // Accounts without investments are worth their balance.
    expect(rows.find((r) => r.id === 'c')!.worth).toEqual(rows.find((r) => r.id === 'c')!.inBase);
    const figures = netWorthOf(rows, 'GBP');
    expect(figures.assets).toBe(110_000 + 125_050);
    expect(figures.net).toBe(110_000 + 125_050 - 25_050);
    expect(figures.unconverted).toEqual([{ id: 'd', name: 'Account d', currency: 'USD' }, { id: 'i', name: 'Account i', currency: 'USD' }]);
    expect(figures.investments).toEqual({ holdings: 120_050, unpriced: ['NEW.L'], oldestPriceDate: '2026-11-27' });
  });

  it('splits the month into earning and spending by category, in the base currency first', () => {
    const cats = new Map([['food', category('food', 'Food')], ['groc', category('groc', 'Groceries', 'food')], ['pay', category('pay', 'Salary')]]);
    const figures = monthFigures({
      month: '2026-11',
      currencies: [
        { currency: 'EUR', income: 0, expense: -500, byCategory: [{ categoryId: 'groc', currency: 'EUR', total: -500, count: 1 }] },
        {
          currency: 'GBP', income: 300_000, expense: -12_000, byCategory: [
            { categoryId: null, currency: 'GBP', total: -2_000, count: 2 },
            { categoryId: 'groc', currency: 'GBP', total: -10_000, count: 5 },
            { categoryId: 'pay', currency: 'GBP', total: 300_000, count: 1 },
          ],
        },
      ],
    }, 'GBP', cats);
    expect(figures.currency).toBe('GBP');
    expect(figures.spending.map((r) => [r.name, r.total])).toEqual([['Food › Groceries', -10_000], ['Uncategorised', -2_000]]);
    expect(figures.earning.map((r) => [r.name, r.total])).toEqual([['Salary', 300_000]]);
    expect(figures.otherCurrencies).toEqual([{ currency: 'EUR', income: 0, expense: -500 }]);
  });

  it('names categories with their parent, and says so when one is unknown', () => {
    const cats = new Map([['p', category('p', 'Home')], ['c', category('c', 'Energy', 'p')]]);
    expect(categoryName(cats, 'c')).toBe('Home › Energy');
    expect(categoryName(cats, null)).toBe('Uncategorised');
    expect(categoryName(cats, 'gone')).toBe('Unknown category');
  });

  it('asks for both directions of each FX series it needs', () => {
    expect(fxSeriesFor(['GBP', 'EUR', 'USD', 'EUR'], 'GBP')).toEqual(['EUR/GBP', 'GBP/EUR', 'GBP/USD', 'USD/GBP']);
  });
});
