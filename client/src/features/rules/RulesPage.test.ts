// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, category, openTestReplica, testUuid, transaction } from '../../testing/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import CreateRuleFromTransaction from './CreateRuleFromTransaction.vue';
import RulesPage from './RulesPage.vue';
import { loadRules } from './rules-data.ts';

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const ACC = testUuid(1);
const GROCERIES = testUuid(20);

let db: ReplicaDatabase;
beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.insert(account({ id: ACC, name: 'Current' }));
  await db.categories.insert(category({ id: GROCERIES, name: 'Groceries' }));
  vi.stubGlobal('requestAnimationFrame', (f: () => void) => setTimeout(f, 0));
  vi.stubGlobal('confirm', () => true);
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await db.close();
});

const globalOpts = () => ({ plugins: [createPinia()], provide: { [REPLICA_PORT as symbol]: portFor(db) }, stubs: { RouterLink: { template: '<a><slot /></a>' } } });

describe('RulesPage', () => {
  it('creates rules through the form, lists them in order and moves one up from the keyboard', async () => {
    const w = mount(RulesPage, { global: globalOpts(), attachTo: document.body });
    await until(() => w.text().includes('No rules yet'), 'empty list');
    for (const word of ['tesco', 'aldi']) {
      await w.findAll('button').find((b) => b.text() === 'New rule')!.trigger('click');
      const valueInput = w.get('input[placeholder="e.g. tesco"]');
      await valueInput.setValue(word);
      await until(() => w.findAll('option').some((o) => o.text() === 'Groceries'), 'the category options');
      const cat = w.findAll('select').find((s) => s.findAll('option').some((o) => o.text() === 'Groceries'))!;
      await cat.setValue(GROCERIES);
      await w.get('form').trigger('submit');
      await until(() => w.text().includes(`Description contains “${word}”: set category Groceries`), `rule ${word}`);
    }
    const names = () => w.findAll('ol > li h2').map((h) => h.text().replace(/\s+/g, ' '));
    expect(names()).toEqual(['1. Description contains tesco', '2. Description contains aldi']);
    const aldiUp = w.findAll('ol > li')[1]!.findAll('button').find((b) => b.text().startsWith('Up'))!;
    expect(aldiUp.text()).toContain('move Description contains aldi earlier');
    await aldiUp.trigger('click');
    await until(() => names()[0] === '1. Description contains aldi', 'the move');
    expect(w.get('[role="status"]').text()).toBe('“Description contains aldi” moved to position 1 of 2.');
    expect((await loadRules(db)).map((r) => r.conditions[0]?.value)).toEqual(['aldi', 'tesco']);
    w.unmount();
  });

  it('shows the engine’s reason when a pattern is unsafe, and saves nothing', async () => {
    const w = mount(RulesPage, { global: globalOpts(), attachTo: document.body });
    await until(() => w.text().includes('No rules yet'), 'empty list');
    await w.findAll('button').find((b) => b.text() === 'New rule')!.trigger('click');
    const selects = w.findAll('.condition select');
    await selects[1]!.setValue('regex');
    await w.get('.condition input').setValue('(a+)+');
    await until(() => w.findAll('option').some((o) => o.text() === 'Groceries'), 'the category options');
    await w.findAll('select').find((s) => s.findAll('option').some((o) => o.text() === 'Groceries'))!.setValue(GROCERIES);
    await w.get('form').trigger('submit');
    await until(() => w.find('[role="alert"]').exists(), 'the alert');
    expect(w.get('[role="alert"]').text()).toMatch(/condition 1/);
    expect(await db.rules.count().exec()).toBe(0);
    w.unmount();
  });
});

describe('CreateRuleFromTransaction', () => {
  it('proposes the merchant rule and saves it', async () => {
    const tx = transaction({ id: testUuid(5), accountId: ACC, amount: -900, merchant: 'SQ *BLUE BOTTLE 0042', description: 'card', categoryId: GROCERIES, tags: ['treats'] });
    const w = mount(CreateRuleFromTransaction, { props: { transaction: tx, categories: [category({ id: GROCERIES, name: 'Groceries' })], accountName: 'Current' }, global: globalOpts() });
    expect(w.text()).toContain('When Merchant contains “blue bottle”: set category Groceries.');
    await w.findAll('input[type="checkbox"]')[1]!.setValue(true);
    expect(w.text()).toContain('set category Groceries; tags treats');
    await w.get('button').trigger('click');
    await until(() => w.emitted('created') !== undefined, 'created');
    const [rule] = await loadRules(db);
    expect(rule?.actions).toEqual({ categoryId: GROCERIES, tags: ['treats'] });
  });

  it('explains why no rule can be made for an uncategorised transaction', () => {
    const tx = transaction({ id: testUuid(6), accountId: ACC, amount: -900, description: 'card' });
    const w = mount(CreateRuleFromTransaction, { props: { transaction: tx }, global: globalOpts() });
    expect(w.text()).toContain('Give the transaction a category first');
    expect(w.find('button').exists()).toBe(false);
  });
});
