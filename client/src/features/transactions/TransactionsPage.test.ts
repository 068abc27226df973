// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { reactive } from 'vue';
import { routeLocationKey } from 'vue-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Transaction } from '@mymidas/shared/schema';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, category, openTestReplica, testUuid, transaction } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import { addDays, todayLocal } from '@mymidas/shared/date';
import TransactionsPage from './TransactionsPage.vue';

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const MAIN = testUuid(1);
const SAVINGS = testUuid(2);
const FOOD = testUuid(1, 5);
const today = todayLocal();
let db: ReplicaDatabase;
let w: VueWrapper | null = null;

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.bulkInsert([account({ id: MAIN, name: 'Main', sortOrder: 0 }), account({ id: SAVINGS, name: 'Savings', type: 'savings', sortOrder: 10 })]);
  await db.categories.insert(category({ id: FOOD, name: 'Food' }));
  await db.transactions.bulkInsert([
    transaction({ id: testUuid(1, 3), accountId: MAIN, amount: -350, date: today, description: 'Pret coffee', status: 'uncleared' }),
    transaction({ id: testUuid(2, 3), accountId: MAIN, amount: -820, date: today, description: 'Pret lunch', status: 'uncleared' }),
    transaction({ id: testUuid(3, 3), accountId: MAIN, amount: -4_210, date: today, description: 'Tesco', status: 'uncleared' }),
    transaction({ id: testUuid(4, 3), accountId: MAIN, amount: -10_000, date: today, description: 'Move', transferId: testUuid(5, 3) }),
    transaction({ id: testUuid(5, 3), accountId: SAVINGS, amount: 10_000, date: today, description: 'Move', transferId: testUuid(4, 3) }),
  ]);
});
afterEach(async () => {
  w?.unmount();
  w = null;
  await db.close();
});

async function mountPage(): Promise<VueWrapper> {
  w = mount(TransactionsPage, {
    attachTo: document.body,
    global: { plugins: [createPinia()], provide: { [REPLICA_PORT as symbol]: portFor(db) }, stubs: { RouterLink: { template: '<a><slot /></a>' } } },
  });
  await until(() => count() === '5 transactions', 'the list');
  return w;
}
const page = () => w!;
const count = () => page().find('[data-testid="tx-count"]').text().trim();
const statusText = () => page().get('[data-testid="tx-status"]').text();
const button = (name: string) => {
  const b = page().findAll('button').find((x) => x.text() === name || x.attributes('aria-label') === name);
  if (!b) throw new Error(`no button ${name}`);
  return b;
};
const rowOf = (text: string) => page().findAll('.row').find((r) => r.text().includes(text))!;
const stored = async (id: string) => (await db.transactions.findOne(id).exec())?.toMutableJSON() as Transaction | undefined;

describe('TransactionsPage', () => {
  it('filters by search and by account, and clears the filters', async () => {
    await mountPage();
    await page().get('#tx-search').setValue('pret');
    await until(() => count() === '2 of 5 transactions match', 'the search');
    expect(page().findAll('.row').map((r) => r.find('.desc').text()).sort()).toEqual(['Pret coffee', 'Pret lunch']);
    await page().get('#tx-search').setValue('');
    await button('Filters').trigger('click');
    await page().get('#f-account').setValue(SAVINGS);
    await until(() => count() === '1 of 5 transactions match', 'the account filter');
    await page().get('#f-min').setValue('abc');
    expect(page().text()).toContain('Amounts as numbers, e.g. 12.50');
    expect(page().get('#f-min').attributes('aria-invalid')).toBe('true');
    await button('Clear filters').trigger('click');
    await until(() => count() === '5 transactions', 'no filter');
  });

  it('selects rows (one, a shift range, all) and keeps the selection to rows that still match', async () => {
    await mountPage();
    const boxes = () => page().findAll('.row input.sel');
    await boxes()[0]!.trigger('click');
    await until(() => count() === '1 selected', 'one selected');
    await boxes()[2]!.trigger('click', { shiftKey: true });
    await until(() => count() === '3 selected', 'a range');
    await page().get('.listbar .check input').trigger('change');
    await until(() => count() === '5 selected', 'all');
    await page().get('#tx-search').setValue('tesco');
    await until(() => count() === '1 selected', 'the selection narrowed by the search');
    await button('Clear selection').trigger('click');
    await until(() => count() === '1 of 5 transactions match', 'nothing selected');
  });

  it('sets a category on the selected rows, leaving a transfer leg as it was, and undoes it as one step', async () => {
    await mountPage();
    await rowOf('Pret coffee').get('input.sel').trigger('click');
    await rowOf('Pret lunch').get('input.sel').trigger('click');
    await rowOf('Main').get('input.sel').trigger('click');
    await until(() => count() === '3 selected', 'three selected');
    await page().get('#bulk-category').setValue(FOOD);
    await button('Set category').trigger('click');
    await until(() => statusText().startsWith('Categorised'), 'the status');
    expect(statusText()).toBe('Categorised 2 transactions as Food (1 transfers or splits left as they were).');
    expect((await stored(testUuid(1, 3)))?.categoryId).toBe(FOOD);
    expect((await stored(testUuid(2, 3)))?.categoryId).toBe(FOOD);
    await until(() => rowOf('Pret coffee').text().includes('Food'), 'the row to show Food');
    await button('Undo Categorised').trigger('click');
    await until(() => statusText() === 'Undone: Categorised.', 'undone');
    expect((await stored(testUuid(1, 3)))?.categoryId).toBeNull();
    expect((await stored(testUuid(2, 3)))?.categoryId).toBeNull();
    expect(button('Undo (nothing to undo)').attributes('disabled')).toBeDefined();
  });

  it('tags and marks cleared in bulk; an empty tag is refused with a message', async () => {
    await mountPage();
    await page().get('#tx-search').setValue('pret');
    await until(() => count() === '2 of 5 transactions match', 'the search');
    await page().get('.listbar .check input').trigger('change');
    await button('Add tag').trigger('click');
    await until(() => page().find('[role="alert"]').exists(), 'the message');
    expect(page().get('[role="alert"]').text()).toBe('Type a tag first.');
    await page().get('#bulk-tag').setValue('coffee, work');
    await button('Add tag').trigger('click');
    await until(() => statusText() === 'Tagged 2 transactions.', 'tagged');
    expect((await stored(testUuid(1, 3)))?.tags).toEqual(['coffee', 'work']);
    await button('Mark cleared').trigger('click');
    await until(() => statusText() === 'Marked cleared: 2 transactions.', 'cleared');
    expect((await stored(testUuid(2, 3)))?.status).toBe('cleared');
  });

  it('deleting one leg of a transfer deletes both, and Undo brings both back', async () => {
    await mountPage();
    await rowOf('Savings').get('input.sel').trigger('click');
    await button('Delete').trigger('click');
    await until(() => statusText() === 'Deleted 2 transactions. Undo is available.', 'deleted');
    expect(await stored(testUuid(4, 3))).toBeUndefined();
    expect(await stored(testUuid(5, 3))).toBeUndefined();
    await until(() => count() === '3 transactions', 'three left');
    await button('Undo Deleted').trigger('click');
    await until(() => count() === '5 transactions', 'both back');
    expect((await stored(testUuid(4, 3)))?.transferId).toBe(testUuid(5, 3));
  });

  it('a bulk edit refused by the ledger rules shows why and changes nothing', async () => {
    await mountPage();
    await rowOf('Pret coffee').get('input.sel').trigger('click');
    // The category is deleted (on another device) after the picker was filled.
    await page().get('#bulk-category').setValue(FOOD);
    await (await db.categories.findOne(FOOD).exec())!.remove();
    await button('Set category').trigger('click');
    await until(() => page().find('[role="alert"]').exists(), 'the message');
    expect(page().get('[role="alert"]').text()).toBe('The category chosen for "Pret coffee" no longer exists.');
    expect((await stored(testUuid(1, 3)))?.categoryId).toBeNull();
  });

  it('opens filtered by the category and dates of a link (?category=&from=&to=), and follows a new link', async () => {
    await db.transactions.bulkInsert([
      transaction({ id: testUuid(6, 3), accountId: MAIN, amount: -1_200, date: addDays(today, -40), description: 'Old groceries', categoryId: FOOD }),
      transaction({ id: testUuid(7, 3), accountId: MAIN, amount: -900, date: addDays(today, -3), description: 'Recent groceries', categoryId: FOOD }),
    ]);
    const route = reactive({ query: { category: FOOD, from: addDays(today, -10), to: today } as Record<string, string> });
    w = mount(TransactionsPage, {
      attachTo: document.body,
      global: {
        plugins: [createPinia()],
        provide: { [REPLICA_PORT as symbol]: portFor(db), [routeLocationKey as symbol]: route },
        stubs: { RouterLink: { template: '<a><slot /></a>' } },
      },
    });
    await until(() => count() === '1 of 7 transactions match', 'the linked filter');
    expect(page().findAll('.row').map((r) => r.find('.desc').text())).toEqual(['Recent groceries']);
    route.query = { category: FOOD, from: addDays(today, -60), to: addDays(today, -30) };
    await until(() => page().findAll('.row').map((r) => r.find('.desc').text()).join() === 'Old groceries', 'the new link');
    route.query = { from: 'not a date' };
    await until(() => count() === '7 transactions', 'no filter from a link without one');
  });
});
