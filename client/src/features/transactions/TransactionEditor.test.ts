// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import type { VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Transaction } from '@mymidas/shared/schema';
import { todayLocal } from '@mymidas/shared/date';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, category, openTestReplica, testUuid, transaction } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import TransactionsPage from './TransactionsPage.vue';

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const MAIN = testUuid(1);
const SAVINGS = testUuid(2);
const FOOD = testUuid(1, 5);
const HOME = testUuid(2, 5);
const today = todayLocal();
let db: ReplicaDatabase;
let w: VueWrapper | null = null;

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.bulkInsert([account({ id: MAIN, name: 'Main', sortOrder: 0 }), account({ id: SAVINGS, name: 'Savings', type: 'savings', sortOrder: 10 })]);
  await db.categories.bulkInsert([category({ id: FOOD, name: 'Food' }), category({ id: HOME, name: 'Home', sortOrder: 1 })]);
  await db.transactions.bulkInsert([
    transaction({ id: testUuid(1, 3), accountId: MAIN, amount: -350, date: today, description: 'Coffee', status: 'uncleared' }),
    transaction({ id: testUuid(4, 3), accountId: MAIN, amount: -10_000, date: today, description: 'Move', transferId: testUuid(5, 3) }),
    transaction({ id: testUuid(5, 3), accountId: SAVINGS, amount: 10_000, date: today, description: 'Move', transferId: testUuid(4, 3) }),
  ]);
});
afterEach(async () => {
  w?.unmount();
  w = null;
  await db.close();
});

const page = () => w!;
const count = () => page().find('[data-testid="tx-count"]').text().trim();
const statusText = () => page().get('[data-testid="tx-status"]').text();
const dialog = () => page().find('dialog');
const alertText = () => dialog().find('[role="alert"]').text();
const button = (name: string) => {
  const b = page().findAll('button').find((x) => x.text() === name);
  if (!b) throw new Error(`no button ${name}`);
  return b;
};
const all = async () => (await db.transactions.find().exec()).map((d) => d.toMutableJSON() as Transaction);
const stored = async (id: string) => (await db.transactions.findOne(id).exec())?.toMutableJSON() as Transaction | undefined;

async function openEditor(rowText?: string) {
  w = mount(TransactionsPage, {
    attachTo: document.body,
    global: { plugins: [createPinia()], provide: { [REPLICA_PORT as symbol]: portFor(db) }, stubs: { RouterLink: { template: '<a><slot /></a>' }, TransactionAttachments: true, CreateRuleFromTransaction: true } },
  });
  await until(() => count() === '3 transactions', 'the list');
  if (rowText) await page().findAll('.row').find((r) => r.text().includes(rowText))!.get('.open').trigger('click');
  else await button('Add transaction').trigger('click');
  await until(() => dialog().exists(), 'the editor');
}
const submit = () => dialog().get('form').trigger('submit');

describe('TransactionEditor', () => {
  it('adds an expense in the chosen account and category', async () => {
    await openEditor();
    expect(dialog().get('#tx-editor-title').text()).toBe('Add transaction');
    await page().get('#tx-account').setValue(MAIN);
    await page().get('#tx-amount').setValue('42.10');
    await page().get('#tx-merchant').setValue('Tesco');
    await page().get('#tx-description').setValue('Weekly shop');
    await page().get('#tx-category').setValue(FOOD);
    await page().get('#tx-tags').setValue('food, weekly');
    await submit();
    await until(() => statusText() === 'Transaction added.', 'added');
    expect(dialog().exists()).toBe(false);
    const added = (await all()).find((t) => t.description === 'Weekly shop');
    expect(added).toMatchObject({ accountId: MAIN, amount: -4_210, merchant: 'Tesco', categoryId: FOOD, tags: ['food', 'weekly'], currency: 'GBP' });
    expect(page().findAll('button').some((b) => b.attributes('aria-label') === 'Undo Added')).toBe(true);
  });

  it('refuses a form without an amount, saying so, and writes nothing', async () => {
    await openEditor();
    await page().get('#tx-description').setValue('Nothing');
    await submit();
    await until(() => dialog().find('[role="alert"]').exists(), 'the message');
    expect(alertText()).toBe('Enter an amount other than zero.');
    expect(await all()).toHaveLength(3);
  });

  it('edits a transaction and Undo puts it back', async () => {
    await openEditor('Coffee');
    expect(dialog().get('#tx-editor-title').text()).toBe('Edit transaction');
    expect((page().get('#tx-amount').element as HTMLInputElement).value).toBe('3.50');
    await page().get('#tx-amount').setValue('4.20');
    await page().get('#tx-description').setValue('Coffee, large');
    await submit();
    await until(() => statusText() === 'Transaction saved.', 'saved');
    expect(await stored(testUuid(1, 3))).toMatchObject({ amount: -420, description: 'Coffee, large' });
    await page().findAll('button').find((b) => b.attributes('aria-label') === 'Undo Edited')!.trigger('click');
    await until(() => statusText() === 'Undone: Edited.', 'undone');
    expect(await stored(testUuid(1, 3))).toMatchObject({ amount: -350, description: 'Coffee' });
  });

  it('splits across categories: shows what is left, refuses lines that do not add up, saves lines that do', async () => {
    await openEditor();
    await page().get('#tx-amount').setValue('100.00');
    await page().get('#tx-description').setValue('Big shop');
    await page().get('#tx-split-title').element.closest('label')!.querySelector('input')!.click();
    await until(() => page().findAll('[aria-label^="Split line"][aria-label$="amount"]').length === 2, 'two lines');
    const line = (n: number, what: string) => page().get(`[aria-label="Split line ${n} ${what}"]`);
    await line(1, 'category').setValue(FOOD);
    await line(1, 'amount').setValue('60.00');
    await line(2, 'category').setValue(HOME);
    await line(2, 'amount').setValue('30.00');
    expect(page().get('.remainder').text()).toBe('£10.00 left to assign');
    await submit();
    await until(() => dialog().find('[role="alert"]').exists(), 'the message');
    expect(alertText()).toBe('The split lines must add up to the amount: £10.00 left to assign');
    expect(await all()).toHaveLength(3);
    await line(2, 'amount').setValue('40.00');
    expect(page().get('.remainder').text()).toBe('Lines add up to the amount.');
    await submit();
    await until(() => statusText() === 'Transaction added.', 'added');
    const split = (await all()).find((t) => t.description === 'Big shop')!;
    expect(split.categoryId).toBeNull();
    expect(split.splits.map((l) => [l.categoryId, l.amount])).toEqual([[FOOD, -6_000], [HOME, -4_000]]);
  });

  it('refuses a transfer into an account closed after the editor opened, with the reason, and writes nothing', async () => {
    await openEditor();
    await dialog().findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'transfer')!.setValue(true);
    await page().get('#tx-account').setValue(MAIN);
    await page().get('#tx-to-account').setValue(SAVINGS);
    await page().get('#tx-amount').setValue('200');
    expect(button('Record transfer').exists()).toBe(true);
    await (await db.accounts.findOne(SAVINGS).exec())!.incrementalPatch({ closed: true });
    await submit();
    await until(() => dialog().find('[role="alert"]').exists(), 'the message');
    expect(alertText()).toBe('The account "Savings" is closed: reopen it on the Accounts page to change its transactions.');
    expect(await all()).toHaveLength(3);
    expect(dialog().exists()).toBe(true);
  });

  it('records a transfer as two linked legs', async () => {
    await openEditor();
    await dialog().findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'transfer')!.setValue(true);
    await page().get('#tx-account').setValue(MAIN);
    await page().get('#tx-to-account').setValue(SAVINGS);
    await page().get('#tx-amount').setValue('25');
    await page().get('#tx-description').setValue('To savings');
    await submit();
    await until(() => statusText() === 'Transfer of £25.00 recorded: both legs saved.', 'recorded');
    const legs = (await all()).filter((t) => t.description === 'To savings');
    expect(legs.map((t) => t.amount).sort((a, b) => a - b)).toEqual([-2_500, 2_500]);
    expect(legs[0]!.transferId).toBe(legs[1]!.id);
  });

  it('an edit of one transfer leg carries to the other; deleting a leg deletes both', async () => {
    await openEditor('Savings');
    expect(dialog().text()).toContain('One leg of a transfer');
    await page().get('#tx-amount').setValue('120.00');
    await submit();
    await until(() => statusText() === 'Transaction saved.', 'saved');
    expect((await stored(testUuid(4, 3)))?.amount).toBe(-12_000);
    expect((await stored(testUuid(5, 3)))?.amount).toBe(12_000);
    await page().findAll('.row').find((r) => r.text().includes('Savings'))!.get('.open').trigger('click');
    await until(() => dialog().exists(), 'the editor');
    await button('Delete').trigger('click');
    await button('Confirm delete (both legs)').trigger('click');
    await until(() => statusText() === 'Both legs of the transfer deleted.', 'deleted');
    expect(await all()).toHaveLength(1);
  });
});
