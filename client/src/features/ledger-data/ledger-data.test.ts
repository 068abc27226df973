import { describe, expect, it } from 'vitest';
import { ACCOUNT_TYPES, accountSchema, transactionSchema } from '@mymidas/shared/schema';
import type { Account, Transaction } from '@mymidas/shared/schema';
import { ACCOUNT_TYPE_GROUPS, ACCOUNT_TYPE_LABELS, CREDIT_TYPES, groupAccountsByType, isLiability, nextSortOrder, reorderAccounts, sortAccounts } from './accounts-model.ts';
import { CATEGORY_ICONS, categoryIconPath } from './category-icons.ts';
import { CATEGORY_TREE } from '@mymidas/shared/demo/catalogue';
import { todayLocal } from '@mymidas/shared/date';
import { amountInputText, money, parseAmountInput } from './format.ts';
import { describeAction, undoPlan } from './undo.ts';

function acc(n: number, over: Partial<Account> = {}): Account {
  return accountSchema.parse({
    id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`, hlc: '1764000000000:0000:test', name: `Account ${n}`, type: 'current', currency: 'GBP',
    institution: null, accountRef: null, openingBalance: 0, openingDate: '2026-01-01', creditLimit: null, apr: null, closed: false, sortOrder: n * 10, notes: null, ...over,
  });
}

describe('account types', () => {
  it('puts every one of the fifteen types in exactly one group, with a label', () => {
    const grouped = ACCOUNT_TYPE_GROUPS.flatMap((g) => g.types);
    expect(ACCOUNT_TYPES).toHaveLength(15);
    expect([...grouped].sort()).toEqual([...ACCOUNT_TYPES].sort());
    for (const t of ACCOUNT_TYPES) expect(ACCOUNT_TYPE_LABELS[t].length).toBeGreaterThan(2);
    expect(isLiability('credit_card') && isLiability('mortgage') && !isLiability('savings')).toBe(true);
    expect([...CREDIT_TYPES].every(isLiability)).toBe(true);
  });

  it('groups accounts by type in the model order, sorted inside a group', () => {
    const list = [acc(3, { type: 'savings' }), acc(1, { type: 'credit_card' }), acc(2, { type: 'current', sortOrder: 50 }), acc(4, { type: 'current', sortOrder: 5 })];
    const groups = groupAccountsByType(list);
    expect(groups.map((g) => g.type)).toEqual(['current', 'savings', 'credit_card']);
    expect(groups[0]!.accounts.map((a) => a.name)).toEqual(['Account 4', 'Account 2']);
  });
});

describe('reordering', () => {
  it('moves an account and renumbers only what changed', () => {
    const list = sortAccounts([acc(0), acc(1), acc(2)]);
    const changes = reorderAccounts(list, list[2]!.id, -1);
    expect(changes).toEqual([{ id: list[2]!.id, sortOrder: 10 }, { id: list[1]!.id, sortOrder: 20 }]);
    expect(reorderAccounts(list, list[0]!.id, -1)).toEqual([]);
    expect(reorderAccounts(list, list[2]!.id, 1)).toEqual([]);
    expect(nextSortOrder(list)).toBe(30);
    expect(nextSortOrder([])).toBe(0);
  });
});

describe('formatting', () => {
  it('reads typed amounts into minor units and refuses what is not one', () => {
    expect(parseAmountInput('1,234.50', 'GBP')).toBe(123_450);
    expect(parseAmountInput('£12', 'GBP')).toBe(1200);
    expect(parseAmountInput('(3.20)', 'GBP')).toBe(-320);
    expect(parseAmountInput('500', 'JPY')).toBe(500);
    expect(() => parseAmountInput('1.234', 'GBP')).toThrow(RangeError);
    expect(() => parseAmountInput('abc', 'GBP')).toThrow(RangeError);
    expect(() => parseAmountInput('  ', 'GBP')).toThrow('Enter an amount');
    expect(amountInputText(-1230, 'GBP')).toBe('-12.30');
    expect(money(-4210, 'GBP')).toBe('-£42.10');
    expect(todayLocal(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});

describe('undo', () => {
  const t = (n: number, over: Partial<Transaction> = {}): Transaction => transactionSchema.parse({
    id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`, hlc: '1764000000000:0000:test', accountId: '00000000-0000-7000-8000-0000000000a1', date: '2026-03-01',
    amount: -100, currency: 'GBP', categoryId: null, tags: [], merchant: null, description: 'x', notes: null, transferId: null, importHash: null, status: 'uncleared', splits: [], ...over,
  });

  it('deletes what an action created and restores what it changed or deleted', () => {
    const created = t(1);
    const before = t(2);
    const edited = { ...before, description: 'changed' };
    const deleted = t(3);
    const plan = undoPlan({ label: 'x', changes: [{ before: null, after: created }, { before, after: edited }, { before: deleted, after: null }] });
    expect(plan.remove).toEqual([created.id]);
    expect(plan.restore).toEqual([before, deleted]);
    expect(describeAction('Deleted', 1)).toBe('Deleted 1 transaction');
    expect(describeAction('Tagged', 1200)).toBe('Tagged 1,200 transactions');
  });
});

describe('category icons', () => {
  it('has a drawing for every icon the demo household uses, and none for an unknown name', () => {
    const used = new Set(CATEGORY_TREE.map((c) => c.icon));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(categoryIconPath(name), name).toMatch(/^M/);
    expect(categoryIconPath('no-such-icon')).toBeNull();
    expect(categoryIconPath(null)).toBeNull();
    for (const d of Object.values(CATEGORY_ICONS)) expect(d).toMatch(/^M[\d.\s,MLHVCSQTAZmlhvcsqtaz-]+$/);
  });
});
