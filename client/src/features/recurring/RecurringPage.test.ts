// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import { addDays, todayLocal } from '@mymidas/shared/date';
import RecurringPage from './RecurringPage.vue';
import { createRecurring, loadRecurring } from './recurring-data.ts';

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const ACC = testUuid(1);
let db: ReplicaDatabase;
beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.insert(account({ id: ACC, name: 'Main' }));
  vi.stubGlobal('confirm', () => true);
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await db.close();
});

const mountPage = () => mount(RecurringPage, { attachTo: document.body, global: { plugins: [createPinia()], provide: { [REPLICA_PORT as symbol]: portFor(db) }, stubs: { RouterLink: { template: '<a><slot /></a>' } } } });

describe('RecurringPage', () => {
  it('builds a "last working day" salary in the editor, with its next dates, and saves RRULE text', async () => {
    const w = mountPage();
    await until(() => w.text().includes('No recurring items yet'), 'empty page');
    await w.findAll('button').find((b) => b.text() === 'New recurring item')!.trigger('click');
    await until(() => w.findAll('option').some((o) => o.text() === 'Main (GBP)'), 'the accounts');
    const byLabel = (text: string) => {
      const label = w.findAll('label').find((l) => l.text().startsWith(text))!;
      return w.get(`#${label.attributes('for')}`);
    };
    await byLabel('Name').setValue('Salary');
    await w.findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'in')!.setValue(true);
    await byLabel('Amount').setValue('2900.00');
    await byLabel('Repeats').setValue('monthly-last-working-day');
    await byLabel('Starts').setValue('2026-08-01');
    expect(w.text()).toContain('Monthly on the last working day (bank holidays skipped)');
    expect(w.text()).toContain('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1');
    expect(w.findAll('.preview li').length).toBe(6);
    await w.get('form').trigger('submit');
    await until(() => w.text().includes('Saved Salary.'), 'saved');
    const [rule] = await loadRecurring(db);
    expect(rule).toMatchObject({ name: 'Salary', amount: 290_000, rrule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', startDate: '2026-08-01', autoPost: true });
    expect(w.get('.rule').text()).toContain('£2,900.00');
    w.unmount();
  });

  it('shows a due manual occurrence under "Waiting for you" and posts it on Confirm', async () => {
    const today = todayLocal();
    await createRecurring(db, {
      name: 'Window cleaner', rrule: 'FREQ=WEEKLY', startDate: addDays(today, -2), endDate: null, accountId: ACC, amount: -1_500,
      currency: 'GBP', categoryId: null, payee: null, autoPost: false, lastPostedDate: null, skippedDates: [],
    });
    const w = mountPage();
    await until(() => w.text().includes('Waiting for you'), 'waiting list');
    const confirmButton = w.findAll('.waiting button').find((b) => b.text().startsWith('Confirm'))!;
    expect(confirmButton.text()).toBe(`Confirm Window cleaner on ${addDays(today, -2)}`);
    await confirmButton.trigger('click');
    await until(() => !w.text().includes('Waiting for you'), 'waiting list to clear');
    await until(() => w.get('[role="status"]').text() !== '', 'the status');
    expect(w.get('[role="status"]').text()).toBe(`Posted Window cleaner on ${addDays(today, -2)}.`);
    expect((await db.transactions.find().exec()).map((t) => [t.date, t.amount])).toEqual([[addDays(today, -2), -1_500]]);
    w.unmount();
  });
});
