import { nextTick, shallowRef } from 'vue';
import { describe, expect, it } from 'vitest';
import type { RecurringRule } from '@mymidas/shared/schema';
import { account, category, testUuid } from '../../testing/test-replica.ts';
import { useRecurringForm } from './use-recurring-form.ts';

const MAIN = testUuid(1);
const accounts = [account({ id: MAIN, name: 'Main' }), account({ id: testUuid(2), name: 'Old', closed: true })];
const categories = [
  category({ id: testUuid(1, 5), name: 'Home' }),
  category({ id: testUuid(2, 5), name: 'Rent', parentId: testUuid(1, 5) }),
  category({ id: testUuid(3, 5), name: 'Transfers', kind: 'transfer' }),
];
const rule: RecurringRule = {
  id: testUuid(1, 7), hlc: '1764000000000:0000:test', name: 'Rent', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12', startDate: '2026-01-01', endDate: null,
  accountId: MAIN, amount: -95_000, currency: 'GBP', categoryId: testUuid(2, 5), payee: 'Landlord', autoPost: true, lastPostedDate: '2026-03-01', skippedDates: ['2026-02-01'],
};

describe('useRecurringForm', () => {
  it('starts a new rule monthly on today\'s day in the first open account, and asks for an amount', () => {
    const f = useRecurringForm({ rule: null, accounts, categories, today: () => '2026-05-14' });
    expect(f.form).toMatchObject({ accountId: MAIN, kind: 'monthly-day', day: 14, startDate: '2026-05-14', direction: 'out' });
    expect(f.rruleText.value).toBe('FREQ=MONTHLY;BYMONTHDAY=14');
    expect(f.draft.value).toEqual({ draft: null, problem: 'Enter an amount above zero.' });
    f.form.amountText = 'twelve';
    expect(f.draft.value.problem).toBe('Enter the amount in GBP, e.g. 12.99.');
  });

  it('loads a rule being edited, keeps its posted history in the draft, and previews the next dates', () => {
    const f = useRecurringForm({ rule, accounts, categories, today: () => '2026-05-14' });
    expect(f.form).toMatchObject({ name: 'Rent', payee: 'Landlord', amountText: '950.00', ending: 'count', count: 12, day: 1 });
    expect(f.draft.value.draft).toMatchObject({ amount: -95_000, rrule: 'FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12', lastPostedDate: '2026-03-01', skippedDates: ['2026-02-01'] });
    expect(f.preview.value.dates.slice(0, 2)).toEqual(['2026-06-01', '2026-07-01']);
  });

  it('warns about 29 February, lists categories by their full name without transfer ones, and toggles weekdays', () => {
    const f = useRecurringForm({ rule: null, accounts, categories });
    Object.assign(f.form, { kind: 'yearly', month: 2, day: 29 });
    expect(f.leapDay.value).toBe(true);
    expect(f.categoryOptions.value.map((c) => c.label)).toEqual(['Home', 'Home › Rent']);
    f.form.kind = 'weekly';
    f.toggleDay('MO');
    f.toggleDay('FR');
    f.toggleDay('MO');
    expect(f.form.weekdays).toEqual(['FR']);
  });

  it('reloads when the rule changes', async () => {
    const current = shallowRef<RecurringRule | null>(null);
    const f = useRecurringForm({ rule: current, accounts, categories });
    expect(f.form.name).toBe('');
    current.value = rule;
    await nextTick();
    expect(f.form.name).toBe('Rent');
  });
});
