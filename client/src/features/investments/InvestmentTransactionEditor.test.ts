// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account, Asset, InvestmentTransaction } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';
import { until as untilWith } from '../../testing/test-port.ts';
import { account, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import InvestmentTransactionEditor from './InvestmentTransactionEditor.vue';

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
// AssetSearch (adding an asset through the server's providers) has its own tests; here it is stubbed.
const GIA = testUuid(1, 1);
const CURRENT = testUuid(2, 1);
const VWRL = testUuid(1, 2);
let db: ReplicaDatabase;
let accounts: Account[];

beforeEach(async () => {
  db = await openTestReplica();
  accounts = [account({ id: GIA, name: 'Broker GIA', type: 'investment_gia' }), account({ id: CURRENT, name: 'Current', type: 'current' })];
  await db.accounts.bulkInsert(accounts);
  const vwrl: Asset = { id: VWRL, hlc: '1764000000000:0000:test', symbol: 'VWRL', name: 'All-World', kind: 'etf', currency: 'GBP', provider: 'manual', providerId: null, isin: null };
  await db.assets.insert(vwrl);
});
afterEach(async () => {
  await db.close();
});

const stored = async () => (await db.investment_transactions.find().exec()).map((d) => d.toMutableJSON() as InvestmentTransaction);

describe('InvestmentTransactionEditor', () => {
  it('offers investment accounts only, shows the amount as it will be stored, and adds the buy', async () => {
    const w = mount(InvestmentTransactionEditor, { props: { db, accounts, preset: { assetId: VWRL } }, attachTo: document.body, global: { stubs: { AssetSearch: true } } });
    await until(() => w.findAll('option').some((o) => o.text().startsWith('VWRL')), 'the assets');
    const accountOptions = w.get('select[id$="-accountId"]').findAll('option').map((o) => o.text());
    expect(accountOptions).toEqual(['Choose an account…', 'Broker GIA']);
    // The only investment account is chosen already.
    expect((w.get('select[id$="-accountId"]').element as HTMLSelectElement).value).toBe(GIA);
    await w.get('input[id$="-date"]').setValue('2026-03-02');
    await w.get('input[id$="-quantity"]').setValue('10');
    await w.get('input[id$="-unitPrice"]').setValue('101.25');
    await w.get('input[id$="-fee"]').setValue('5.95');
    expect(w.get('[data-testid="trade-amount"]').text()).toContain('-£1,018.45');
    await w.get('form').trigger('submit');
    await until(() => (w.emitted('saved')?.length ?? 0) > 0, 'saved');
    expect(w.emitted('saved')![0]).toEqual(['Buy of VWRL on 2026-03-02 added.']);
    expect(await stored()).toMatchObject([{ kind: 'buy', accountId: GIA, assetId: VWRL, quantity: '10', amount: -101_845, fee: 595 }]);
    w.unmount();
  });

  it('refuses an oversized sell under the quantity field with the units held, and writes nothing', async () => {
    const w = mount(InvestmentTransactionEditor, { props: { db, accounts, preset: { assetId: VWRL, accountId: GIA } }, attachTo: document.body, global: { stubs: { AssetSearch: true } } });
    await until(() => w.findAll('option').some((o) => o.text().startsWith('VWRL')), 'the assets');
    await w.get('input[id$="-date"]').setValue('2026-03-02');
    await w.get('input[id$="-quantity"]').setValue('10');
    await w.get('input[id$="-unitPrice"]').setValue('100');
    await w.get('form').trigger('submit');
    await until(() => (w.emitted('saved')?.length ?? 0) > 0, 'the buy saved');

    await w.get('select[id$="-kind"]').setValue('sell');
    await w.get('input[id$="-date"]').setValue('2026-03-09');
    await until(() => w.find('[data-testid="trade-held"]').exists(), 'the holding shown');
    expect(w.get('[data-testid="trade-held"]').text()).toBe('Held in this account on 9 Mar 2026: 10 VWRL.');
    await w.get('input[id$="-quantity"]').setValue('25');
    await w.get('form').trigger('submit');
    await until(() => w.find('[data-testid="trade-quantity-error"]').exists(), 'the refusal');
    expect(w.get('[data-testid="trade-quantity-error"]').text()).toBe('you cannot sell 25 VWRL — Broker GIA held 10 on 9 Mar 2026.');
    expect(w.get('[data-testid="trade-form-problems"]').text()).toContain('Quantity: you cannot sell 25 VWRL');
    expect(w.get('input[id$="-quantity"]').attributes('aria-invalid')).toBe('true');
    expect(document.activeElement?.id).toMatch(/-quantity$/);
    expect(await stored()).toHaveLength(1);
    w.unmount();
  });

  it('lists every problem of the form and ties each to its field', async () => {
    const w = mount(InvestmentTransactionEditor, { props: { db, accounts }, attachTo: document.body, global: { stubs: { AssetSearch: true } } });
    await w.get('input[id$="-date"]').setValue('');
    await w.get('form').trigger('submit');
    await flushPromises();
    const problems = w.get('[data-testid="trade-form-problems"]');
    expect(problems.findAll('li').map((li) => li.text())).toEqual([
      'Asset: choose the asset', 'Date: enter the date', 'Quantity: enter the quantity', 'Unit price: enter the unit price',
    ]);
    const asset = w.get('select[id$="-assetId"]');
    expect(asset.attributes('aria-describedby')).toBe(`${asset.attributes('id')}-error`);
    expect(await stored()).toHaveLength(0);
    w.unmount();
  });
});
