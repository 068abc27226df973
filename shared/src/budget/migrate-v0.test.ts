import { describe, expect, it } from 'vitest';
import { budgetSchema, budgetSchemaV0 } from '../schema/registry.ts';
import { BudgetMigrationError, budgetToV1, isBudgetV0Shaped, migrateBudgetV0, type BudgetV0 } from './migrate-v0.ts';

const v0 = (over: Partial<BudgetV0> = {}): BudgetV0 => ({
  id: '01939a6e-0000-7000-8000-000000000001',
  hlc: '1764052800000:0000:dev-a',
  month: '2026-03',
  categoryId: '01939a6e-0000-7000-8000-0000000000c1',
  amount: 46_000,
  currency: 'GBP',
  rollover: false,
  ...over,
});

describe('migrateBudgetV0', () => {
  it('turns a month budget into a monthly budget for that month only, keeping id, stamp, category, amount and currency', () => {
    expect(migrateBudgetV0(v0())).toEqual({
      id: '01939a6e-0000-7000-8000-000000000001',
      hlc: '1764052800000:0000:dev-a',
      categoryId: '01939a6e-0000-7000-8000-0000000000c1',
      period: 'monthly',
      weekStart: 1,
      startDate: '2026-03-01',
      endDate: '2026-03-01',
      amounts: [{ from: '2026-03-01', amount: 46_000 }],
      currency: 'GBP',
      rollover: 'none',
      alertThreshold: 80,
      alerts: [],
    });
  });

  it('carries rollover true as "unspent" and false as "none"', () => {
    expect(migrateBudgetV0(v0({ rollover: true })).rollover).toBe('unspent');
    expect(migrateBudgetV0(v0({ rollover: false })).rollover).toBe('none');
  });

  it('covers one period, the one its month begins in (it starts and ends on the 1st), so consecutive months never overlap', () => {
    for (const month of ['2026-04', '2026-12', '2028-02', '0000-01', '9999-12']) {
      const b = migrateBudgetV0(v0({ month }));
      expect([b.startDate, b.endDate]).toEqual([`${month}-01`, `${month}-01`]);
    }
  });

  it('keeps negative, zero and large amounts exactly (whole minor units, in the document currency)', () => {
    for (const amount of [0, -1, 1, 123_456_789, Number.MAX_SAFE_INTEGER]) {
      const out = migrateBudgetV0(v0({ amount, currency: 'JPY' }));
      expect(out.amounts).toEqual([{ from: '2026-03-01', amount }]);
      expect(out.currency).toBe('JPY');
    }
  });

  it('loses nothing: every version-0 field can be read back from the version-1 document', () => {
    for (const doc of [v0(), v0({ month: '1999-12', amount: -500, rollover: true, currency: 'EUR' })]) {
      const out = migrateBudgetV0(doc);
      const back: BudgetV0 = {
        id: out.id, hlc: out.hlc, month: out.startDate.slice(0, 7), categoryId: out.categoryId,
        amount: out.amounts[0]!.amount, currency: out.currency, rollover: out.rollover === 'unspent',
      };
      expect(back).toEqual(doc);
    }
  });

  it('produces documents the version-1 schema accepts', () => {
    for (const month of ['2026-01', '2026-02', '2028-02', '0001-01', '9999-12']) {
      expect(budgetSchema.safeParse(migrateBudgetV0(v0({ month, rollover: month < '5000' }))).success, month).toBe(true);
    }
  });
});

describe('budgetToV1 (what the replica migration applies to each stored document)', () => {
  it('converts a stored version-0 document and drops storage fields the schemas do not know', () => {
    const stored = { ...v0({ rollover: true }), _attachments: {} };
    expect(budgetToV1(stored)).toEqual(migrateBudgetV0(v0({ rollover: true })));
  });

  it('returns a document already in the version-1 shape as it is', () => {
    const v1 = migrateBudgetV0(v0());
    expect(budgetToV1(v1)).toBe(v1);
    expect(isBudgetV0Shaped(v1)).toBe(false);
    expect(isBudgetV0Shaped(v0())).toBe(true);
  });

  it('refuses a version-0 document that is not valid, naming it and the field', () => {
    const bad = { ...v0(), amount: 12.5 };
    expect(budgetSchemaV0.safeParse(bad).success).toBe(false);
    expect(() => budgetToV1(bad)).toThrow(BudgetMigrationError);
    expect(() => budgetToV1(bad)).toThrow(/01939a6e-0000-7000-8000-000000000001.*amount/);
    expect(() => budgetToV1({ ...v0(), month: '2026-13' })).toThrow(/month/);
  });
});
