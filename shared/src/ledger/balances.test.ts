import { describe, expect, it } from 'vitest';
import type { Account, Transaction } from '../schema/registry.ts';
import { makeAccount, makeTx, testId } from './__fixtures__/ledger-data.ts';
import {
  BalanceError, accountBalance, accountBalances, finishReconciliation, netWorth, reconcile, totalsByCategory,
} from './balances.ts';

const FOOD = testId(1, 5);
const HOME = testId(2, 5);
const current = makeAccount({ id: testId(1, 1), name: 'Current', openingBalance: 100_000, openingDate: '2026-01-01' });
const card = makeAccount({ id: testId(2, 1), name: 'Card', type: 'credit_card', openingBalance: -20_000 });
const mortgage = makeAccount({ id: testId(3, 1), name: 'Mortgage', type: 'mortgage', openingBalance: -15_000_000 });
const dollars = makeAccount({ id: testId(4, 1), name: 'USD', type: 'savings', currency: 'USD', openingBalance: 50_000 });
const yen = makeAccount({ id: testId(5, 1), name: 'Yen', type: 'cash', currency: 'JPY', openingBalance: 10_000 });
const isa = makeAccount({ id: testId(6, 1), name: 'ISA', type: 'stocks_shares_isa', currency: 'EUR', openingBalance: 200_000, closed: true });

let n = 0;
const t = (account: Account, amount: number, over: Partial<Transaction> = {}) =>
  makeTx({ id: testId(++n, 3), accountId: account.id, amount, currency: account.currency, ...over });

const txs: Transaction[] = [
  t(current, -2_500, { date: '2026-01-05', status: 'reconciled' }),
  t(current, 250_000, { date: '2026-01-28', status: 'cleared' }),
  t(current, -10_000, {
    date: '2026-02-02', status: 'uncleared',
    splits: [{ id: testId(1, 7), categoryId: FOOD, amount: -6_000, memo: null }, { id: testId(2, 7), categoryId: HOME, amount: -4_000, memo: null }],
  }),
  t(current, -999, { date: '2025-12-30', status: 'cleared' }), // before the opening date: inside the opening balance
  t(current, -1_000, { date: '2026-03-01', status: 'pending', categoryId: FOOD }),
  t(card, -5_000, { date: '2026-01-10' }),
  t(card, 20_000, { date: '2026-01-20' }),
  t(mortgage, 80_000, { date: '2026-01-31' }),
  t(dollars, 1_234, { date: '2026-01-15' }),
  t(yen, -2_000, { date: '2026-01-15' }),
];
const rates = new Map([
  ['GBP/USD', { rate: '1.25', date: '2026-01-30' }],
  ['EUR/GBP', { rate: '0.85', date: '2026-01-30' }],
]);

describe('account balances', () => {
  it('adds transactions from the opening date, split-aware, with the cleared side apart', () => {
    expect(accountBalance(current, txs)).toEqual({
      accountId: current.id, currency: 'GBP', balance: 100_000 - 2_500 + 250_000 - 10_000 - 1_000,
      clearedBalance: 100_000 - 2_500 + 250_000, transactionCount: 4, beforeOpening: 1,
    });
    expect(accountBalance(current, txs, '2026-01-31').balance).toBe(347_500);
    expect(accountBalance(card, txs).balance).toBe(-5_000);
  });

  it('refuses a transaction in another currency or with broken splits', () => {
    expect(() => accountBalance(current, [t(current, 100, { currency: 'USD' })])).toThrow(/in USD but account "Current" is in GBP/);
    const broken = { ...t(current, -100), splits: [{ id: testId(9, 7), categoryId: FOOD, amount: -99, memo: null }] };
    expect(() => accountBalance(current, [broken])).toThrow(BalanceError);
    expect(() => accountBalance(current, txs, '2026-02-30')).toThrow();
  });

  it('totals by category count each split line under its own category', () => {
    const totals = totalsByCategory(txs.filter((x) => x.accountId === current.id), 'GBP');
    expect(totals.get(FOOD)).toBe(-7_000);
    expect(totals.get(HOME)).toBe(-4_000);
    expect(totals.get(null)).toBe(-2_500 + 250_000 - 999);
    expect(() => totalsByCategory(txs, 'GBP')).toThrow(/not GBP/);
  });
});

describe('base currency and net worth', () => {
  const all = accountBalances([current, card, mortgage, dollars, yen, isa], txs, { baseCurrency: 'GBP', rates });

  it('converts with the latest rate (inverse when needed) and marks accounts with no rate', () => {
    const by = new Map(all.map((b) => [b.accountId, b]));
    expect(by.get(current.id)?.inBase).toEqual({ status: 'base', amount: 336_500 });
    // $512.34 / 1.25 = £409.872 → 40987p (half-even)
    expect(by.get(dollars.id)?.inBase).toEqual({ status: 'converted', amount: 40_987, rate: '0.8', rateDate: '2026-01-30' });
    // €2000 × 0.85 = £1700, closed accounts still count
    expect(by.get(isa.id)?.inBase).toMatchObject({ status: 'converted', amount: 170_000 });
    expect(by.get(yen.id)?.inBase).toEqual({ status: 'unconverted' });
    expect(by.get(yen.id)?.balance).toBe(8_000);
  });

  it('net worth is assets minus liabilities, with unconverted accounts listed', () => {
    const nw = netWorth(all, 'GBP');
    const assets = 336_500 + 40_987 + 170_000;
    const liabilities = 5_000 + (15_000_000 - 80_000);
    expect(nw).toEqual({ currency: 'GBP', assets, liabilities, netWorth: assets - liabilities, unconverted: [yen.id] });
  });

  it('an overpaid card is a negative liability', () => {
    const overpaid = accountBalances([card], [t(card, 30_000, { date: '2026-01-02' })], { baseCurrency: 'GBP', rates });
    expect(netWorth(overpaid, 'GBP')).toMatchObject({ assets: 0, liabilities: -10_000, netWorth: 10_000 });
  });

  it('refuses duplicate accounts and a bad base currency', () => {
    expect(() => accountBalances([current, current], txs, { baseCurrency: 'GBP', rates })).toThrow(/twice/);
    expect(() => accountBalances([current], txs, { baseCurrency: 'pounds', rates })).toThrow();
  });
});

describe('reconciliation', () => {
  const stmtTxs: Transaction[] = [
    t(current, -2_500, { date: '2026-01-05', status: 'reconciled' }),
    t(current, 250_000, { date: '2026-01-28', status: 'cleared' }),
    t(current, -4_000, { date: '2026-01-30', status: 'uncleared' }),
    t(current, -7_000, { date: '2026-02-03', status: 'cleared' }),
  ];

  it('shows the difference until the cleared side agrees with the statement', () => {
    // Statement on 31 Jan: 1000.00 − 25.00 + 2500.00 − 40.00 = 3435.00
    const before = reconcile(current, stmtTxs, 343_500, '2026-01-31');
    expect(before).toEqual({ clearedTotal: 347_500, difference: -4_000, toReconcile: [] });
    expect(() => finishReconciliation(current, stmtTxs, 343_500, '2026-01-31')).toThrow(/differs from the statement by -4000/);
    // The user ticks the £40 as cleared: the difference reaches zero.
    const ticked = stmtTxs.map((x) => (x.amount === -4_000 ? { ...x, status: 'cleared' as const } : x));
    const after = reconcile(current, ticked, 343_500, '2026-01-31');
    expect(after.difference).toBe(0);
    expect(after.toReconcile).toEqual([ticked[1]?.id, ticked[2]?.id]);
    const marked = finishReconciliation(current, ticked, 343_500, '2026-01-31');
    expect(marked.map((x) => [x.id, x.status])).toEqual([[ticked[1]?.id, 'reconciled'], [ticked[2]?.id, 'reconciled']]);
    // Next time, reconciled rows count but are not offered again.
    const next = ticked.map((x) => marked.find((m) => m.id === x.id) ?? x);
    expect(reconcile(current, next, 343_500, '2026-01-31')).toEqual({ clearedTotal: 343_500, difference: 0, toReconcile: [] });
  });

  it('refuses a bad statement', () => {
    expect(() => reconcile(current, stmtTxs, 1.5, '2026-01-31')).toThrow();
    expect(() => reconcile(current, stmtTxs, 0, '31/01/2026')).toThrow();
  });
});
