import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Asset, InvestmentTransaction } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { emptyTradeForm, readTradeForm, type TradeDraft, type TradeForm } from './investment-trade-form.ts';
import { createInvestmentTransaction, deleteInvestmentTransaction, unitsHeldOn, updateInvestmentTransaction } from './investment-writes.ts';

const GIA = testUuid(1, 1);
const ISA = testUuid(2, 1);
const CURRENT = testUuid(3, 1);
const VWRL = testUuid(1, 2);
const AAPL = testUuid(2, 2);
let db: ReplicaDatabase;

const asset = (id: string, symbol: string, currency: string): Asset => ({
  id, hlc: '1764000000000:0000:test', symbol, name: symbol, kind: 'etf', currency, provider: 'manual', providerId: null, isin: null,
});

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.bulkInsert([
    account({ id: GIA, name: 'Broker GIA', type: 'investment_gia' }),
    account({ id: ISA, name: 'Stocks ISA', type: 'stocks_shares_isa' }),
    account({ id: CURRENT, name: 'Current', type: 'current' }),
  ]);
  await db.assets.bulkInsert([asset(VWRL, 'VWRL', 'GBP'), asset(AAPL, 'AAPL', 'USD')]);
});
afterEach(async () => {
  await db.close();
});

function draft(over: Partial<TradeForm>, currency = 'GBP'): TradeDraft {
  const r = readTradeForm(emptyTradeForm({ accountId: GIA, assetId: VWRL, date: '2026-03-02', ...over }), currency);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.draft;
}
const all = async () => (await db.investment_transactions.find().exec()).map((d) => d.toMutableJSON() as InvestmentTransaction);

describe('investment transaction writes', () => {
  it('adds a stamped buy whose amount is the cash paid with the fee, and the holding counts it', async () => {
    const tx = await createInvestmentTransaction(db, draft({ quantity: '10', unitPrice: '101.25', fee: '5.95' }));
    expect(tx).toMatchObject({ kind: 'buy', quantity: '10', unitPrice: '101.25', amount: -(101_250 + 595), fee: 595, currency: 'GBP' });
    expect(tx.hlc).toMatch(/^\d{13}:\d{4}:/);
    expect(await all()).toHaveLength(1);
    expect(await unitsHeldOn(db, GIA, VWRL, '2026-03-02')).toBe('10');
    expect(await unitsHeldOn(db, GIA, VWRL, '2026-03-01')).toBe('0');
    expect(await unitsHeldOn(db, ISA, VWRL, '2026-03-02')).toBe('0');
  });

  it('refuses a sell larger than the holding on that date in that account, naming what was held, and writes nothing', async () => {
    await createInvestmentTransaction(db, draft({ quantity: '10', unitPrice: '100' }));
    await createInvestmentTransaction(db, draft({ quantity: '5', unitPrice: '100', date: '2026-04-01' }));
    await createInvestmentTransaction(db, draft({ accountId: ISA, quantity: '100', unitPrice: '100' }));
    // On 10 March only the first 10 units in the GIA were held (the ISA's units and the April buy do not count).
    await expect(createInvestmentTransaction(db, draft({ kind: 'sell', quantity: '12', unitPrice: '110', date: '2026-03-10' }))).rejects.toThrow(
      'Quantity: you cannot sell 12 VWRL — Broker GIA held 10 on 10 Mar 2026.',
    );
    await expect(createInvestmentTransaction(db, draft({ kind: 'transfer_out', quantity: '10.5', date: '2026-03-10' }))).rejects.toThrow(
      'Quantity: you cannot transfer out 10.5 VWRL — Broker GIA held 10 on 10 Mar 2026.',
    );
    expect(await all()).toHaveLength(3);
    // All of it is fine, and in April the later buy counts.
    const sale = await createInvestmentTransaction(db, draft({ kind: 'sell', quantity: '10', unitPrice: '110', fee: '5', date: '2026-03-10' }));
    expect(sale.amount).toBe(110_000 - 500);
    expect(await unitsHeldOn(db, GIA, VWRL, '2026-04-01')).toBe('5');
  });

  it('an edit is checked without itself: a sell can be edited up to the holding, not beyond', async () => {
    await createInvestmentTransaction(db, draft({ quantity: '10', unitPrice: '100' }));
    const sale = await createInvestmentTransaction(db, draft({ kind: 'sell', quantity: '4', unitPrice: '100', date: '2026-03-05' }));
    const edited = await updateInvestmentTransaction(db, sale.id, draft({ kind: 'sell', quantity: '10', unitPrice: '120', date: '2026-03-05' }));
    expect(edited).toMatchObject({ id: sale.id, quantity: '10', amount: 120_000 });
    expect(edited.hlc > sale.hlc).toBe(true);
    await expect(updateInvestmentTransaction(db, sale.id, draft({ kind: 'sell', quantity: '11', unitPrice: '120', date: '2026-03-05' }))).rejects.toThrow(/held 10 on 5 Mar 2026/);
    expect((await all()).find((t) => t.id === sale.id)?.quantity).toBe('10');
    await deleteInvestmentTransaction(db, sale.id);
    expect(await all()).toHaveLength(1);
  });

  it('a split stores the units it adds, worked out from the holding; a day\'s split applies before its trading', async () => {
    await createInvestmentTransaction(db, draft({ quantity: '10', unitPrice: '100' }));
    const split = await createInvestmentTransaction(db, draft({ kind: 'split', splitRatio: '4', date: '2026-06-01' }));
    expect(split).toMatchObject({ quantity: '30', splitRatio: '4', amount: 0, fee: 0, unitPrice: null });
    await createInvestmentTransaction(db, draft({ quantity: '2', unitPrice: '25', date: '2026-06-01' }));
    expect(await unitsHeldOn(db, GIA, VWRL, '2026-06-01')).toBe('42');
    const consolidation = await createInvestmentTransaction(db, draft({ kind: 'split', splitRatio: '0.5', date: '2026-07-01' }));
    expect(consolidation.quantity).toBe('-21');
    expect(await unitsHeldOn(db, GIA, VWRL, '2026-07-01')).toBe('21');
    await expect(createInvestmentTransaction(db, draft({ kind: 'split', splitRatio: '2', date: '2026-01-01' }))).rejects.toThrow(
      'Date: Broker GIA held no VWRL on 1 Jan 2026, so there is nothing to split.',
    );
  });

  it('refuses an account that is not an investment account, a missing asset, and a price in the wrong currency', async () => {
    await expect(createInvestmentTransaction(db, draft({ accountId: CURRENT, quantity: '1', unitPrice: '1' }))).rejects.toThrow('Account: Current is not an investment account.');
    await expect(createInvestmentTransaction(db, draft({ assetId: testUuid(9, 2), quantity: '1', unitPrice: '1' }))).rejects.toThrow('Asset: the asset chosen no longer exists.');
    await expect(createInvestmentTransaction(db, draft({ assetId: AAPL, quantity: '1', unitPrice: '1' }, 'GBP'))).rejects.toMatchObject({
      field: 'unitPrice', message: 'Unit price: AAPL trades in USD; enter the price in USD.',
    });
    const usd = await createInvestmentTransaction(db, draft({ assetId: AAPL, quantity: '3', unitPrice: '190.125', fee: '1' }, 'USD'));
    expect(usd).toMatchObject({ currency: 'USD', amount: -(57_038 + 100) }); // 570.375 → 570.38 (half-even at the cent: 57037.5 → 57038)
    expect(await all()).toHaveLength(1);
  });
});

describe('the trade form', () => {
  it('works out each kind\'s amount in the stored conventions', () => {
    expect(draft({ kind: 'dividend', quantity: '200', unitPrice: '0.4125', fee: '1.50' })).toMatchObject({ amount: 8_250 - 150, fee: 150, unitPrice: '0.4125' });
    expect(draft({ kind: 'fee', fee: '12.00', quantity: '99' })).toMatchObject({ amount: -1_200, quantity: '0', unitPrice: null });
    expect(draft({ kind: 'transfer_in', quantity: '1,000', unitPrice: '.5' })).toMatchObject({ amount: 0, quantity: '1000', unitPrice: '0.5' });
    expect(draft({ kind: 'transfer_out', quantity: '3', fee: '' })).toMatchObject({ amount: 0, fee: 0, unitPrice: null });
    expect(draft({ kind: 'buy', quantity: '0.00012345', unitPrice: '50000', notes: '  monthly  ' })).toMatchObject({ amount: -617, notes: 'monthly' });
  });

  it('says what is wrong and where', () => {
    const r = readTradeForm(emptyTradeForm({ kind: 'sell', date: '2026-02-30', quantity: 'ten', unitPrice: '0', fee: '-1' }), 'GBP');
    expect(r).toEqual({
      ok: false,
      errors: {
        accountId: 'choose the investment account', assetId: 'choose the asset', date: 'enter a real date (YYYY-MM-DD)',
        quantity: 'the quantity must be a number like 12.5', unitPrice: 'the unit price must be more than zero', fee: 'the fee cannot be below zero',
      },
    });
    const small = readTradeForm(emptyTradeForm({ kind: 'sell', accountId: GIA, assetId: VWRL, date: '2026-03-01', quantity: '1', unitPrice: '2', fee: '5' }), 'GBP');
    expect(small).toEqual({ ok: false, errors: { fee: "the fee is more than the sale's value" } });
    const split = readTradeForm(emptyTradeForm({ kind: 'split', accountId: GIA, assetId: VWRL, date: '2026-03-01', splitRatio: '1' }), 'GBP');
    expect(split).toEqual({ ok: false, errors: { splitRatio: 'a ratio of 1 changes nothing (4 for a 4-for-1 split, 0.1 for 1-for-10)' } });
  });
});
