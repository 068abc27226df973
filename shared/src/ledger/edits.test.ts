import { describe, expect, it } from 'vitest';
import type { Category, Transaction } from '../schema/registry.ts';
import { makeAccount, makeTx, testId } from './__fixtures__/ledger-data.ts';
import { LedgerEditError, MAX_TAGS, affectsBalance, categorisable, checkLedgerEdit, mirrorTransferEdit, retag, withTransferPartners } from './edits.ts';
import type { EditContext, LedgerChange } from './edits.ts';
import { transferLegs } from './transfers.ts';

const current = makeAccount({ id: testId(1, 1), name: 'Current' });
const savings = makeAccount({ id: testId(2, 1), name: 'Savings', type: 'savings' });
const old = makeAccount({ id: testId(3, 1), name: 'Old ISA', type: 'cash_isa', closed: true });
const dollars = makeAccount({ id: testId(4, 1), name: 'Dollars', currency: 'USD' });
const food: Category = { id: testId(1, 2), hlc: '1764000000000:0000:device-a', name: 'Food', parentId: null, kind: 'expense', color: '#336699', icon: 'tag', sortOrder: 0, hidden: false };

function ctx(stored: readonly Transaction[] = []): EditContext {
  const byId = new Map(stored.map((t) => [t.id, t]));
  return {
    accounts: new Map([current, savings, old, dollars].map((a) => [a.id, a])),
    categories: new Map([[food.id, food]]),
    stored: (id) => byId.get(id),
  };
}

const check = (changes: readonly LedgerChange[], stored: readonly Transaction[] = []) => () => checkLedgerEdit(changes, ctx(stored));
const legs = (from = current, to = savings, toAmount?: number) => transferLegs({
  from, to, amount: 5_000, ...(toAmount !== undefined ? { toAmount } : {}), date: '2026-03-10', description: 'Move', categoryId: null, ids: [testId(10, 3), testId(11, 3)],
}).map((l) => ({ ...l, hlc: '1764000000000:0000:device-a' })) as [Transaction, Transaction];

describe('checkLedgerEdit', () => {
  it('accepts a new expense, a category change and a delete in open accounts', () => {
    const t = makeTx({ id: testId(1, 3), accountId: current.id, amount: -1_200, description: 'Lunch' });
    expect(check([{ before: null, after: t }])).not.toThrow();
    expect(check([{ before: t, after: { ...t, categoryId: food.id } }])).not.toThrow();
    expect(check([{ before: t, after: null }])).not.toThrow();
  });

  it('refuses money into or out of a closed account, naming it', () => {
    const t = makeTx({ id: testId(1, 3), accountId: old.id, amount: -1_200 });
    expect(check([{ before: null, after: t }])).toThrow(new LedgerEditError('The account "Old ISA" is closed: reopen it on the Accounts page to change its transactions.'));
    expect(check([{ before: t, after: { ...t, amount: -900 } }])).toThrow(/"Old ISA" is closed/);
    expect(check([{ before: t, after: null }])).toThrow(/"Old ISA" is closed/);
    const moved = makeTx({ id: testId(2, 3), accountId: current.id, amount: -1 });
    expect(check([{ before: { ...moved, accountId: old.id }, after: moved }])).toThrow(/"Old ISA" is closed/);
  });

  it('lets tags, notes and the category of a closed account\'s transactions change (its balance stays)', () => {
    const t = makeTx({ id: testId(1, 3), accountId: old.id, amount: -1_200 });
    expect(check([{ before: t, after: { ...t, tags: ['tax'], notes: 'kept', categoryId: food.id } }])).not.toThrow();
  });

  it('refuses a transaction in a missing account or another currency than its account', () => {
    expect(check([{ before: null, after: makeTx({ id: testId(1, 3), accountId: testId(99, 1), amount: -1 }) }])).toThrow(/account of .* is not on this device/);
    expect(check([{ before: null, after: makeTx({ id: testId(1, 3), accountId: dollars.id, amount: -1, currency: 'GBP' }) }])).toThrow(/in GBP but the account "Dollars" is in USD/);
  });

  it('refuses a category or split line category that does not exist, but not one the transaction already had', () => {
    const t = makeTx({ id: testId(1, 3), accountId: current.id, amount: -1_000, description: 'Shop' });
    expect(check([{ before: null, after: { ...t, categoryId: testId(77, 2) } }])).toThrow('The category chosen for "Shop" no longer exists.');
    const split = { ...t, splits: [{ id: testId(1, 4), categoryId: food.id, amount: -600, memo: null }, { id: testId(2, 4), categoryId: testId(77, 2), amount: -400, memo: null }] };
    expect(check([{ before: null, after: split }])).toThrow(/no longer exists/);
    const stale = { ...t, categoryId: testId(77, 2) };
    expect(check([{ before: stale, after: { ...stale, tags: ['x'] } }])).not.toThrow();
  });

  it('accepts a transfer recorded as two linked legs, in one currency or across currencies', () => {
    expect(check(legs().map((after) => ({ before: null, after })))).not.toThrow();
    expect(check(legs(current, dollars, 6_250).map((after) => ({ before: null, after })))).not.toThrow();
  });

  it('refuses a transfer into a closed account', () => {
    const [out, inflow] = legs(current, savings);
    const intoClosed = { ...inflow, accountId: old.id };
    expect(check([{ before: null, after: out }, { before: null, after: intoClosed }])).toThrow(/"Old ISA" is closed/);
  });

  it('refuses transfer legs that disagree', () => {
    const [out, inflow] = legs();
    const pair = (a: Transaction, b: Transaction) => check([{ before: null, after: a }, { before: null, after: b }]);
    expect(pair(out, { ...inflow, amount: 4_999 })).toThrow(/carry the same amount/);
    expect(pair(out, { ...inflow, amount: -5_000 })).toThrow(/opposite signs/);
    expect(pair(out, { ...inflow, accountId: current.id })).toThrow(/same account/);
    expect(pair(out, { ...inflow, transferId: null })).toThrow(/does not link back/);
    expect(check([{ before: null, after: out }])).toThrow(/other leg of the transfer "Move" is missing/);
    expect(check([{ before: null, after: { ...out, transferId: out.id } }])).toThrow(/with itself/);
  });

  it('checks an edited leg against the stored other leg', () => {
    const [out, inflow] = legs();
    expect(check([{ before: out, after: { ...out, amount: -4_000 } }], [inflow])).toThrow(/carry the same amount/);
    expect(check([{ before: out, after: { ...out, amount: -4_000 } }, { before: inflow, after: { ...inflow, amount: 4_000 } }], [])).not.toThrow();
    expect(check([{ before: out, after: { ...out, tags: ['rent'] } }], [])).not.toThrow();
  });

  it('refuses deleting one leg of a transfer while the other stays linked; both together or after unlinking is fine', () => {
    const [out, inflow] = legs();
    expect(check([{ before: out, after: null }], [inflow])).toThrow('The two legs of the transfer "Move" are deleted together.');
    expect(check([{ before: out, after: null }, { before: inflow, after: null }])).not.toThrow();
    expect(check([{ before: out, after: null }, { before: inflow, after: { ...inflow, transferId: null } }])).not.toThrow();
  });

  it('refuses touching one transaction twice in one action', () => {
    const t = makeTx({ id: testId(1, 3), accountId: current.id, amount: -1 });
    expect(check([{ before: null, after: t }, { before: t, after: null }])).toThrow(/twice/);
  });
});

describe('helpers', () => {
  it('affectsBalance: amount, date, account, create and delete do; tags do not', () => {
    const t = makeTx({ id: testId(1, 3), accountId: current.id, amount: -1 });
    expect(affectsBalance(null, t)).toBe(true);
    expect(affectsBalance(t, null)).toBe(true);
    expect(affectsBalance(t, { ...t, date: '2026-03-11' })).toBe(true);
    expect(affectsBalance(t, { ...t, tags: ['a'] })).toBe(false);
  });

  it('withTransferPartners adds each picked leg\'s other leg once', () => {
    const [out, inflow] = legs();
    const plain = makeTx({ id: testId(1, 3), accountId: current.id, amount: -1 });
    const lookup = (id: string) => [out, inflow].find((t) => t.id === id);
    expect(withTransferPartners([plain, out], lookup).map((t) => t.id)).toEqual([plain.id, out.id, inflow.id]);
    expect(withTransferPartners([out, inflow], lookup)).toHaveLength(2);
  });

  it('mirrorTransferEdit carries date, description and (same currency) the opposite amount', () => {
    const [out, inflow] = legs();
    expect(mirrorTransferEdit({ ...out, amount: -4_000, date: '2026-03-12' }, inflow)).toMatchObject({ amount: 4_000, date: '2026-03-12' });
    expect(mirrorTransferEdit(out, inflow)).toBeNull();
    const [usdOut, usdIn] = legs(current, dollars, 6_250);
    expect(mirrorTransferEdit({ ...usdOut, amount: -4_000 }, usdIn)).toBeNull();
  });

  it('categorisable leaves transfers and splits out', () => {
    const [out] = legs();
    const plain = makeTx({ id: testId(1, 3), accountId: current.id, amount: -1 });
    const split = makeTx({ id: testId(2, 3), accountId: current.id, amount: -2, splits: [{ id: testId(1, 4), categoryId: null, amount: -1, memo: null }, { id: testId(2, 4), categoryId: null, amount: -1, memo: null }] });
    expect(categorisable([out, plain, split])).toEqual([plain]);
  });

  it('retag adds without duplicates up to the limit, removes, and says when nothing changes', () => {
    expect(retag(['a'], ['b', 'a', 'b'], 'add')).toEqual(['a', 'b']);
    expect(retag(['a', 'b'], ['a'], 'remove')).toEqual(['b']);
    expect(retag(['a'], ['a'], 'add')).toBeNull();
    expect(retag(['a'], ['z'], 'remove')).toBeNull();
    const full = Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`);
    expect(retag(full, ['more'], 'add')).toBeNull();
  });
});
