import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Account, Transaction } from '../schema/registry.ts';
import { addDays, daysBetween } from '../date/date.ts';
import { makeAccount, makeTx, seededRandom, testId } from './__fixtures__/ledger-data.ts';
import {
  TransferError, confirmTransfer, detectTransfers, pairKey, rejectSuggestion, transferLegs, unlinkTransfer,
} from './transfers.ts';
import type { DetectOptions } from './transfers.ts';

const TRANSFER_CAT = testId(999, 9);
const fxRates = new Map([['GBP/USD', { rate: '1.25', date: '2026-03-01' }]]);

const current = makeAccount({ id: testId(1, 1), name: 'Current' });
const savings = makeAccount({ id: testId(2, 1), name: 'Savings', type: 'savings' });
const card = makeAccount({ id: testId(3, 1), name: 'Card', type: 'credit_card' });
const dollars = makeAccount({ id: testId(4, 1), name: 'USD', currency: 'USD' });
const otherUsers = makeAccount({ id: testId(5, 2), name: 'Someone else' });
const userA = [current, savings, card, dollars];

interface Seeded {
  readonly txs: Transaction[];
  readonly planted: Set<string>;
  readonly owner: Map<string, string>;
  readonly crossCurrencyPair: string;
  readonly rejectedPair: string;
}

/** A year of one user's data with planted transfers and decoys that must not pair. */
function seededDataSet(seed: number): Seeded {
  const rnd = seededRandom(seed);
  const txs: Transaction[] = [];
  const owner = new Map<string, string>();
  const planted = new Set<string>();
  let n = 0;
  const add = (t: Omit<Parameters<typeof makeTx>[0], 'id'>, who = 'A') => {
    const tx = makeTx({ id: testId(++n, 3), ...t });
    txs.push(tx);
    owner.set(tx.id, who);
    return tx;
  };
  const day = () => addDays('2026-01-05', Math.floor(rnd() * 340));
  const gbp = [current, savings, card];
  // 60 planted transfers; amounts are whole pounds and unique, so nothing else can match them.
  for (let i = 0; i < 60; i++) {
    const from = gbp[i % 3] as Account;
    const to = gbp[(i + 1 + Math.floor(rnd() * 2)) % 3] as Account;
    const amount = (100 + i) * 100;
    const d = day();
    const out = add({ accountId: from.id, amount: -amount, date: d, description: `Transfer to ${to.name}` });
    const inflow = add({ accountId: to.id, amount, date: addDays(d, Math.floor(rnd() * 4)), description: `From ${from.name}` });
    planted.add(pairKey(out.id, inflow.id));
  }
  // 400 everyday spends and 12 salaries: amounts never whole pounds, so they cannot meet a planted leg.
  for (let i = 0; i < 400; i++) {
    add({ accountId: (gbp[i % 3] as Account).id, amount: -(1 + Math.floor(rnd() * 99) + 100 * (200 + i)), date: day(), description: 'Card payment', merchant: 'Shop' });
  }
  for (let m = 1; m <= 12; m++) add({ accountId: current.id, amount: 250_001 + m, date: `2026-${String(m).padStart(2, '0')}-28`, description: 'Salary' });
  // Decoys. Too far apart (5 days):
  add({ accountId: current.id, amount: -77_700, date: '2026-04-01', description: 'Transfer' });
  add({ accountId: savings.id, amount: 77_700, date: '2026-04-06', description: 'Transfer' });
  // A refund in the same account:
  add({ accountId: card.id, amount: -12_345, date: '2026-05-01', description: 'Shoes' });
  add({ accountId: card.id, amount: 12_345, date: '2026-05-02', description: 'Shoes refund' });
  // Same digits in another currency (50,000 pence vs 50,000 cents):
  add({ accountId: current.id, amount: -50_000, date: '2026-06-01', description: 'To USD' });
  add({ accountId: dollars.id, currency: 'USD', amount: 50_000, date: '2026-06-01', description: 'From GBP' });
  // A real cross-currency transfer: £400 → $500 at 1.25 (pairs only with a rate table):
  const gbpOut = add({ accountId: current.id, amount: -40_000, date: '2026-07-01', description: 'To USD account' });
  const usdIn = add({ accountId: dollars.id, currency: 'USD', amount: 50_000, date: '2026-07-02', description: 'From GBP account' });
  // Already linked legs, whose amounts also match a free transaction:
  const l1 = add({ accountId: current.id, amount: -88_800, date: '2026-08-01', description: 'Linked' });
  const l2 = add({ accountId: savings.id, amount: 88_800, date: '2026-08-01', description: 'Linked' });
  l1.transferId = l2.id;
  l2.transferId = l1.id;
  // Another user's outflow matching this user's inflow the same day:
  add({ accountId: otherUsers.id, amount: -66_600, date: '2026-09-01', description: 'Gift' }, 'B');
  add({ accountId: savings.id, amount: 66_600, date: '2026-09-01', description: 'Gift received' });
  // A pair the user rejected before:
  const r1 = add({ accountId: current.id, amount: -55_500, date: '2026-10-01', description: 'Rent' });
  const r2 = add({ accountId: savings.id, amount: 55_500, date: '2026-10-01', description: 'Rent share' });
  // Shuffle so order cannot matter.
  for (let i = txs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [txs[i], txs[j]] = [txs[j] as Transaction, txs[i] as Transaction];
  }
  return { txs, planted, owner, crossCurrencyPair: pairKey(gbpOut.id, usdIn.id), rejectedPair: pairKey(r1.id, r2.id) };
}

describe('transfer detection on a seeded data set', () => {
  for (const seed of [1, 2, 3, 42, 2026]) {
    it(`pairs exactly the planted transfers (seed ${seed})`, () => {
      const data = seededDataSet(seed);
      const got = detectTransfers(data.txs, userA, { rejected: [data.rejectedPair] });
      expect(new Set(got.map((s) => s.key))).toEqual(data.planted);
      expect(got.every((s) => s.rate === null && s.deviation === 0)).toBe(true);
    });
  }

  it('adds the cross-currency pair only when a rate table is given', () => {
    const data = seededDataSet(7);
    const without = detectTransfers(data.txs, userA, { rejected: [data.rejectedPair] });
    expect(without.map((s) => s.key)).not.toContain(data.crossCurrencyPair);
    const withFx = detectTransfers(data.txs, userA, { rejected: [data.rejectedPair], crossCurrency: { rates: fxRates, toleranceBps: 100 } });
    expect(new Set(withFx.map((s) => s.key))).toEqual(new Set([...data.planted, data.crossCurrencyPair]));
    expect(withFx.find((s) => s.key === data.crossCurrencyPair)).toMatchObject({ rate: '1.25', deviation: 0, dayGap: 1 });
  });

  it('suggests a rejected pair again only if the rejection is forgotten', () => {
    const data = seededDataSet(8);
    const all = detectTransfers(data.txs, userA);
    expect(all.map((s) => s.key)).toContain(data.rejectedPair);
  });

  it('never pairs across users: other users\' accounts are ignored, and ownerOf guards mixed input', () => {
    const data = seededDataSet(9);
    const gift = (s: { outflowId: string; inflowId: string }) => data.owner.get(s.outflowId) !== data.owner.get(s.inflowId);
    expect(detectTransfers(data.txs, userA).some(gift)).toBe(false);
    const mixedAccounts = [...userA, otherUsers];
    // Passing two users' accounts together would pair the gift: the owner check is what stops it.
    expect(detectTransfers(data.txs, mixedAccounts).some(gift)).toBe(true);
    const ownerOf = (t: Transaction) => data.owner.get(t.id) ?? 'unknown';
    expect(detectTransfers(data.txs, mixedAccounts, { ownerOf }).some(gift)).toBe(false);
  });
});

describe('transfer detection rules', () => {
  const out = makeTx({ id: testId(1), accountId: current.id, amount: -10_000, date: '2026-03-10', description: 'Transfer to savings' });

  it('prefers the nearest date, then the most similar description, each transaction used once', () => {
    const far = makeTx({ id: testId(2), accountId: savings.id, amount: 10_000, date: '2026-03-12', description: 'Transfer from current' });
    const near = makeTx({ id: testId(3), accountId: card.id, amount: 10_000, date: '2026-03-11', description: 'Payment received' });
    expect(detectTransfers([out, far, near], userA).map((s) => s.inflowId)).toEqual([near.id]);
    const sameDayA = makeTx({ id: testId(4), accountId: savings.id, amount: 10_000, date: '2026-03-10', description: 'Transfer from current' });
    const sameDayB = makeTx({ id: testId(5), accountId: card.id, amount: 10_000, date: '2026-03-10', description: 'Card repayment' });
    const got = detectTransfers([sameDayB, out, sameDayA], userA);
    expect(got).toHaveLength(1);
    expect(got[0]?.inflowId).toBe(sameDayA.id);
    expect(got[0]?.similarity).toBeGreaterThan(0.3);
  });

  it('respects maxDays and refuses bad options', () => {
    const inflow = makeTx({ id: testId(2), accountId: savings.id, amount: 10_000, date: '2026-03-15' });
    expect(detectTransfers([out, inflow], userA)).toEqual([]);
    expect(detectTransfers([out, inflow], userA, { maxDays: 5 })).toHaveLength(1);
    expect(() => detectTransfers([out], userA, { maxDays: -1 })).toThrow(TransferError);
    expect(() => detectTransfers([out], userA, { crossCurrency: { rates: fxRates, toleranceBps: 5000 } })).toThrow(/toleranceBps/);
  });

  it('ignores split transactions and zero amounts', () => {
    const split = makeTx({
      id: testId(2), accountId: savings.id, amount: 10_000,
      splits: [{ id: testId(20), categoryId: null, amount: 6_000, memo: null }, { id: testId(21), categoryId: null, amount: 4_000, memo: null }],
    });
    const zeroOut = makeTx({ id: testId(3), accountId: current.id, amount: 0 });
    const zeroIn = makeTx({ id: testId(4), accountId: savings.id, amount: 0 });
    expect(detectTransfers([out, split, zeroOut, zeroIn], userA)).toEqual([]);
  });

  it('pairs across currencies only within the tolerance, using the inverse rate when needed', () => {
    const usdOut = makeTx({ id: testId(6), accountId: dollars.id, currency: 'USD', amount: -50_000, date: '2026-03-10' });
    const gbpIn = makeTx({ id: testId(7), accountId: savings.id, amount: 39_700, date: '2026-03-10' });
    expect(detectTransfers([usdOut, gbpIn], userA)).toEqual([]);
    // $500 / 1.25 = £400; £397 is 0.76% off.
    expect(detectTransfers([usdOut, gbpIn], userA, { crossCurrency: { rates: fxRates, toleranceBps: 100 } })).toMatchObject([{ deviation: 300, rate: '0.8' }]);
    expect(detectTransfers([usdOut, gbpIn], userA, { crossCurrency: { rates: fxRates, toleranceBps: 50 } })).toEqual([]);
    const eurIn = makeTx({ id: testId(8), accountId: savings.id, currency: 'EUR', amount: 50_000, date: '2026-03-10' });
    expect(detectTransfers([usdOut, eurIn], userA, { crossCurrency: { rates: fxRates, toleranceBps: 100 } })).toEqual([]);
  });

  it('keeps its invariants on any data set (property)', () => {
    const accountIds = userA.map((a) => a.id);
    const txArb = fc.record({
      account: fc.integer({ min: 0, max: 3 }),
      amount: fc.integer({ min: -5, max: 5 }).map((k) => k * 1000),
      day: fc.integer({ min: 0, max: 20 }),
      paired: fc.boolean(),
      currency: fc.constantFrom('GBP', 'USD'),
    });
    fc.assert(
      fc.property(fc.array(txArb, { maxLength: 40 }), fc.integer({ min: 0, max: 5 }), fc.boolean(), (rows, maxDays, withFx) => {
        const txs = rows.map((r, i) => makeTx({
          id: testId(i + 1), accountId: accountIds[r.account] as string, amount: r.amount, currency: r.currency,
          date: addDays('2026-03-01', r.day), transferId: r.paired ? testId(900) : null,
        }));
        const byId = new Map(txs.map((t) => [t.id, t]));
        const options: DetectOptions = withFx ? { maxDays, crossCurrency: { rates: fxRates, toleranceBps: 200 } } : { maxDays };
        const got = detectTransfers(txs, userA, options);
        const seen = new Set<string>();
        for (const s of got) {
          const o = byId.get(s.outflowId) as Transaction;
          const i = byId.get(s.inflowId) as Transaction;
          expect(seen.has(o.id) || seen.has(i.id)).toBe(false);
          seen.add(o.id).add(i.id);
          expect(o.amount).toBeLessThan(0);
          expect(i.amount).toBeGreaterThan(0);
          expect(o.accountId).not.toBe(i.accountId);
          expect(o.transferId ?? i.transferId).toBeNull();
          expect(Math.abs(daysBetween(o.date, i.date))).toBeLessThanOrEqual(maxDays);
          if (o.currency === i.currency) expect(-o.amount).toBe(i.amount);
          else expect(withFx).toBe(true);
        }
        // Maximal: no two unused transactions that could pair are left over (same currency).
        const free = txs.filter((t) => !seen.has(t.id) && t.transferId === null && t.amount !== 0);
        for (const a of free) {
          for (const b of free) {
            const couldPair = a.amount < 0 && -a.amount === b.amount && a.currency === b.currency && a.accountId !== b.accountId
              && Math.abs(daysBetween(a.date, b.date)) <= maxDays;
            expect(couldPair).toBe(false);
          }
        }
      }),
      { numRuns: 300, seed: 20260325 },
    );
  });
});

describe('confirming, rejecting and recording transfers', () => {
  const out = makeTx({ id: testId(1), accountId: current.id, amount: -10_000, categoryId: testId(50), description: 'To savings' });
  const inflow = makeTx({ id: testId(2), accountId: savings.id, amount: 10_000, description: 'From current' });

  it('confirm gives both legs each other\'s id and the transfer category, leaving the inputs alone', () => {
    const [a, b] = confirmTransfer(out, inflow, TRANSFER_CAT);
    expect(a).toMatchObject({ id: out.id, transferId: inflow.id, categoryId: TRANSFER_CAT, amount: -10_000 });
    expect(b).toMatchObject({ id: inflow.id, transferId: out.id, categoryId: TRANSFER_CAT, amount: 10_000 });
    expect(out.transferId).toBeNull();
    expect(detectTransfers([a, b], userA)).toEqual([]);
    const [u1, u2] = unlinkTransfer(a, b);
    expect([u1.transferId, u2.transferId]).toEqual([null, null]);
    expect(() => unlinkTransfer(out, inflow)).toThrow(/not linked/);
  });

  it('refuses pairs detection would not make', () => {
    expect(() => confirmTransfer(out, out, TRANSFER_CAT)).toThrow(/itself/);
    expect(() => confirmTransfer(out, { ...inflow, accountId: current.id }, TRANSFER_CAT)).toThrow(/same account/);
    expect(() => confirmTransfer(out, { ...inflow, amount: 9_999 }, TRANSFER_CAT)).toThrow(/differ/);
    expect(() => confirmTransfer(out, { ...inflow, amount: -10_000 }, TRANSFER_CAT)).toThrow(/outflow and one inflow/);
    expect(() => confirmTransfer(out, { ...inflow, transferId: testId(77) }, TRANSFER_CAT)).toThrow(/already/);
    const usd = { ...inflow, accountId: dollars.id, currency: 'USD', amount: 12_500 };
    expect(() => confirmTransfer(out, usd, TRANSFER_CAT)).toThrow(/without a rate table/);
    expect(confirmTransfer(out, usd, TRANSFER_CAT, { crossCurrency: { rates: fxRates, toleranceBps: 0 } })[1].transferId).toBe(out.id);
    expect(() => confirmTransfer(out, { ...usd, amount: 13_000 }, TRANSFER_CAT, { crossCurrency: { rates: fxRates, toleranceBps: 100 } })).toThrow(/tolerance/);
  });

  it('reject remembers the pair so it is not suggested again', () => {
    const [s] = detectTransfers([out, inflow], userA);
    expect(s).toBeDefined();
    if (!s) return;
    const rejected = rejectSuggestion([], s);
    expect(rejected).toEqual([pairKey(inflow.id, out.id)]);
    expect(rejectSuggestion(rejected, s)).toEqual(rejected);
    expect(detectTransfers([out, inflow], userA, { rejected })).toEqual([]);
  });

  it('recording a transfer creates both linked legs', () => {
    const [a, b] = transferLegs({ from: current, to: savings, amount: 2_500, date: '2026-03-01', description: 'Pot', categoryId: TRANSFER_CAT, ids: [testId(10), testId(11)] });
    expect(a).toMatchObject({ id: testId(10), accountId: current.id, amount: -2_500, currency: 'GBP', transferId: testId(11) });
    expect(b).toMatchObject({ id: testId(11), accountId: savings.id, amount: 2_500, currency: 'GBP', transferId: testId(10) });
    const [, usd] = transferLegs({ from: current, to: dollars, amount: 40_000, toAmount: 50_000, date: '2026-03-01', description: 'FX', categoryId: null, ids: [testId(12), testId(13)] });
    expect(usd).toMatchObject({ amount: 50_000, currency: 'USD' });
    expect(() => transferLegs({ from: current, to: dollars, amount: 40_000, date: '2026-03-01', description: '', categoryId: null, ids: [testId(12), testId(13)] })).toThrow(/USD/);
    expect(() => transferLegs({ from: current, to: current, amount: 1, date: '2026-03-01', description: '', categoryId: null, ids: [testId(12), testId(13)] })).toThrow(/different accounts/);
    expect(() => transferLegs({ from: current, to: savings, amount: -1, date: '2026-03-01', description: '', categoryId: null, ids: [testId(12), testId(13)] })).toThrow(/positive/);
    expect(() => transferLegs({ from: current, to: savings, amount: 1, date: '2026-02-30', description: '', categoryId: null, ids: [testId(12), testId(13)] })).toThrow();
  });
});
