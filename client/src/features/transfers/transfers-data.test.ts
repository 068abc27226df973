// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { docsFromDailyQuotes } from '@mymidas/shared/quotes';
import type { Quote } from '@mymidas/shared/schema';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, category, openTestReplica, testUuid, transaction } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import RecordTransferForm from './RecordTransferForm.vue';
import TransfersPage from './TransfersPage.vue';
import { confirmSuggestion, detectSuggestions, loadFxRates, recordTransfer, rejectPair, todayLocal } from './transfers-data.ts';

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const MAIN = testUuid(1);
const SAVER = testUuid(2);
const EURO = testUuid(3);
const TRANSFER_CAT = testUuid(40);

const fx = (series: string, date: string, close: string): Quote => ({
  id: `fx-${series.replace('/', '')}-${date}`, hlc: '1764000000000:0000:server', kind: 'fx', series, date, open: null, high: null, low: null, close, volume: null, currency: series.slice(4), source: 'test',
});

let db: ReplicaDatabase;
beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.bulkInsert([
    account({ id: MAIN, name: 'Main', sortOrder: 0 }),
    account({ id: SAVER, name: 'Saver', sortOrder: 1 }),
    account({ id: EURO, name: 'Euro wallet', currency: 'EUR', sortOrder: 2 }),
  ]);
  await db.categories.insert(category({ id: TRANSFER_CAT, name: 'Transfers', kind: 'transfer' }));
  vi.stubGlobal('requestAnimationFrame', (f: () => void) => setTimeout(f, 0));
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await db.close();
});

describe('recording a transfer', () => {
  it('saves both legs, linked, with the transfer category', async () => {
    const [out, inn] = await recordTransfer(db, { fromAccountId: MAIN, toAccountId: SAVER, amount: 25_000, date: '2026-11-20', description: '' });
    const saved = (await db.transactions.find().exec()).map((d) => d.toMutableJSON());
    expect(saved).toHaveLength(2);
    expect(out).toMatchObject({ accountId: MAIN, amount: -25_000, currency: 'GBP', transferId: inn.id, categoryId: TRANSFER_CAT, description: 'Transfer to Saver' });
    expect(inn).toMatchObject({ accountId: SAVER, amount: 25_000, transferId: out.id });
  });

  it('between currencies needs the amount received, and records it', async () => {
    await expect(recordTransfer(db, { fromAccountId: MAIN, toAccountId: EURO, amount: 10_000, date: '2026-11-20', description: 'Holiday money' })).rejects.toThrow(/amount received in EUR/);
    expect(await db.transactions.count().exec()).toBe(0);
    const [out, inn] = await recordTransfer(db, { fromAccountId: MAIN, toAccountId: EURO, amount: 10_000, toAmount: 11_412, date: '2026-11-20', description: 'Holiday money' });
    expect([out.amount, out.currency, inn.amount, inn.currency]).toEqual([-10_000, 'GBP', 11_412, 'EUR']);
  });
});

describe('detection review', () => {
  const today = '2026-11-25';
  beforeEach(async () => {
    await db.transactions.bulkInsert([
      transaction({ id: testUuid(10, 1), accountId: MAIN, amount: -50_000, date: '2026-11-10', description: 'To savings' }),
      transaction({ id: testUuid(11, 1), accountId: SAVER, amount: 50_000, date: '2026-11-11', description: 'From current' }),
      // Same amount but 10 days apart: not suggested.
      transaction({ id: testUuid(12, 1), accountId: MAIN, amount: -7_000, date: '2026-11-01' }),
      transaction({ id: testUuid(13, 1), accountId: SAVER, amount: 7_000, date: '2026-11-11' }),
      // GBP out, EUR in with equal digits: never paired without a rate, paired with one only if it agrees.
      transaction({ id: testUuid(14, 1), accountId: MAIN, amount: -20_000, date: '2026-11-15', description: 'Wise' }),
      transaction({ id: testUuid(15, 1), accountId: EURO, amount: 22_800, currency: 'EUR', date: '2026-11-16', description: 'Wise' }),
      // Outside the look-back window.
      transaction({ id: testUuid(16, 1), accountId: MAIN, amount: -3_000, date: '2026-01-10' }),
      transaction({ id: testUuid(17, 1), accountId: SAVER, amount: 3_000, date: '2026-01-10' }),
    ]);
  });

  it('suggests same-currency pairs only, when there are no FX rates', async () => {
    const r = await detectSuggestions(db, { lookBackDays: 90, today });
    expect(r.crossCurrency).toBe(false);
    expect(r.scanned).toBe(6);
    expect(r.items.map((i) => [i.outflow.id, i.inflow.id])).toEqual([[testUuid(10, 1), testUuid(11, 1)]]);
  });

  it('pairs across currencies with a rate from the quotes, within the tolerance', async () => {
    await db.quotes.bulkInsert(docsFromDailyQuotes([fx('GBP/EUR', '2026-11-14', '1.14'), fx('GBP/EUR', '2026-10-01', '1.30')]));
    expect((await loadFxRates(db)).get('GBP/EUR')).toEqual({ rate: '1.14', date: '2026-11-14' });
    const r = await detectSuggestions(db, { lookBackDays: 90, today });
    expect(r.items.map((i) => i.inflow.id)).toContain(testUuid(15, 1));
    const fxItem = r.items.find((i) => i.inflow.id === testUuid(15, 1));
    expect(fxItem?.suggestion).toMatchObject({ rate: '1.14', deviation: 0 });
  });

  it('confirm links both legs; reject hides the pair from later scans', async () => {
    const first = await detectSuggestions(db, { lookBackDays: 90, today });
    const [item] = first.items;
    await confirmSuggestion(db, item!.suggestion);
    const a = await db.transactions.findOne(testUuid(10, 1)).exec();
    const b = await db.transactions.findOne(testUuid(11, 1)).exec();
    expect([a?.transferId, b?.transferId, a?.categoryId, b?.categoryId]).toEqual([testUuid(11, 1), testUuid(10, 1), TRANSFER_CAT, TRANSFER_CAT]);
    expect(a && a.hlc > '1764000000000:0000:test').toBe(true);
    await expect(confirmSuggestion(db, item!.suggestion)).rejects.toThrow(/already part of a transfer/);

    await db.transactions.bulkInsert([
      transaction({ id: testUuid(20, 1), accountId: MAIN, amount: -1_500, date: '2026-11-20', description: 'Lunch' }),
      transaction({ id: testUuid(21, 1), accountId: SAVER, amount: 1_500, date: '2026-11-20', description: 'Refund' }),
    ]);
    const second = await detectSuggestions(db, { lookBackDays: 90, today });
    expect(second.items.map((i) => i.outflow.id)).toEqual([testUuid(20, 1)]);
    await rejectPair(db, second.items[0]!.suggestion);
    expect((await detectSuggestions(db, { lookBackDays: 90, today })).items).toEqual([]);
  });
});

describe('screens', () => {
  it('the form asks for the received amount between currencies, prefilled at the latest rate', async () => {
    const accounts = (await db.accounts.find().exec()).map((d) => d.toMutableJSON()).sort((a, b) => a.sortOrder - b.sortOrder);
    const rates = new Map([['GBP/EUR', { rate: '1.14', date: '2026-11-14' }]]);
    const w = mount(RecordTransferForm, { props: { db, accounts, rates }, global: { plugins: [createPinia()] } });
    const selects = w.findAll('select');
    await selects[1]!.setValue(EURO);
    await w.get('input[inputmode="decimal"]').setValue('100.00');
    await flushPromises();
    const received = w.get('label[for$="-to-amount"]');
    expect(received.text()).toBe('Amount received (EUR)');
    expect((w.get(`#${received.attributes('for')}`).element as HTMLInputElement).value).toBe('114.00');
    expect(w.text()).toContain('Latest rate: 1 GBP = 1.14 EUR (2026-11-14).');
    await w.get('form').trigger('submit');
    await until(() => w.emitted('recorded') !== undefined, 'recorded');
    expect(w.get('[role="status"]').text()).toBe('Transfer recorded: £100.00 from Main to Euro wallet (€114.00 received).');
    const legs = (await db.transactions.find().exec()).map((d) => d.amount).sort((a, b) => a - b);
    expect(legs).toEqual([-10_000, 11_400]);
  });

  it('the form undoes the transfer it just recorded: both legs go', async () => {
    const accounts = (await db.accounts.find().exec()).map((d) => d.toMutableJSON()).sort((a, b) => a.sortOrder - b.sortOrder);
    const w = mount(RecordTransferForm, { props: { db, accounts, rates: new Map() }, global: { plugins: [createPinia()] } });
    await w.findAll('select')[1]!.setValue(SAVER);
    await w.get('input[inputmode="decimal"]').setValue('25.00');
    expect(w.findAll('button').some((b) => b.text() === 'Undo transfer')).toBe(false);
    await w.get('form').trigger('submit');
    await until(() => w.findAll('button').some((b) => b.text() === 'Undo transfer'), 'the undo button');
    expect((await db.transactions.find().exec()).map((d) => d.amount).sort((a, b) => a - b)).toEqual([-2_500, 2_500]);
    await w.findAll('button').find((b) => b.text() === 'Undo transfer')!.trigger('click');
    await until(() => w.emitted('undone') !== undefined, 'undone');
    expect(w.get('[role="status"]').text()).toBe('Transfer undone: both legs removed.');
    expect(await db.transactions.find().exec()).toEqual([]);
    expect(w.findAll('button').some((b) => b.text() === 'Undo transfer')).toBe(false);
  });

  it('the page lists suggestions and confirms one from the keyboard', async () => {
    const today = todayLocal();
    await db.transactions.bulkInsert([
      transaction({ id: testUuid(30, 1), accountId: MAIN, amount: -12_345, date: today, description: 'Move' }),
      transaction({ id: testUuid(31, 1), accountId: SAVER, amount: 12_345, date: today, description: 'Move' }),
    ]);
    const w = mount(TransfersPage, { attachTo: document.body, global: { plugins: [createPinia()], provide: { [REPLICA_PORT as symbol]: portFor(db) }, stubs: { RouterLink: { template: '<a><slot /></a>' } } } });
    await until(() => w.findAll('.suggestion').length === 1, 'a suggestion');
    expect(w.get('.suggestion').attributes('aria-label')).toBe(`Possible transfer: -£123.45 in Main on ${today} and £123.45 in Saver on ${today}`);
    await w.findAll('.suggestion button').find((b) => b.text() === 'Confirm transfer')!.trigger('click');
    await until(() => w.findAll('.suggestion').length === 0, 'the suggestion to go');
    expect(w.text()).toContain('Linked as a transfer');
    expect((await db.transactions.findOne(testUuid(30, 1)).exec())?.transferId).toBe(testUuid(31, 1));
    w.unmount();
  });
});
