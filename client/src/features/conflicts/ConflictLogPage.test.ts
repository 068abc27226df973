// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { Replica } from '../../db/database.ts';
import { listConflicts, recordConflicts } from '../../sync/conflict-log.ts';
import { openNodeReplica } from '../../sync/test-replica.ts';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import ConflictLogPage from './ConflictLogPage.vue';

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);
const ACCOUNT_ID = '0196a1b2-0000-7000-8000-000000000001';
const KEPT_HLC = '1750000000001:0000:dev-b';

const open: Replica[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function replicaWithConflicts() {
  const r = await openNodeReplica({ collections: ['accounts'] });
  open.push(r);
  await r.db.accounts.insert({
    id: ACCOUNT_ID, hlc: KEPT_HLC, name: 'Household bills', type: 'current', currency: 'GBP', institution: 'Example Bank',
    accountRef: null, openingBalance: 250_000, openingDate: '2026-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 1, notes: null,
  });
  await recordConflicts(r.db, [
    { collection: 'accounts', docId: ACCOUNT_ID, field: 'name', lostValue: 'Joint current', lostHlc: '1750000000000:0000:dev-a', keptHlc: KEPT_HLC },
    { collection: 'accounts', docId: ACCOUNT_ID, field: 'openingBalance', lostValue: 125_000, lostHlc: '1750000000000:0001:dev-a', keptHlc: KEPT_HLC },
  ]);
  return r;
}

function mountPage(r: Replica) {
  return mount(ConflictLogPage, {
    global: { plugins: [createPinia()], provide: { [REPLICA_PORT as symbol]: portFor(r.db) }, stubs: { RouterLink: { template: '<a><slot /></a>' } } },
    attachTo: document.body,
  });
}

describe('ConflictLogPage', () => {
  it('lists each lost value next to the kept one, in plain words and the account currency', async () => {
    const r = await replicaWithConflicts();
    const w = mountPage(r);
    await until(() => w.findAll('li.item').length === 2, 'two conflicts');
    const items = w.findAll('li.item');
    // Newest first: the opening balance was recorded last.
    expect(items[0]!.get('h2').text()).toContain('Household bills — opening balance');
    expect(items[0]!.get('[data-testid="kept-value"]').text()).toBe('£2,500.00');
    expect(items[0]!.get('[data-testid="lost-value"]').text()).toBe('£1,250.00');
    expect(items[1]!.get('h2').text()).toContain('Household bills — name');
    expect(items[1]!.get('[data-testid="kept-value"]').text()).toBe('Household bills');
    expect(items[1]!.get('[data-testid="lost-value"]').text()).toBe('Joint current');
    w.unmount();
  });

  it('restore writes the lost value back with a later stamp and removes the entry; dismiss changes nothing', async () => {
    const r = await replicaWithConflicts();
    const w = mountPage(r);
    await until(() => w.findAll('li.item').length === 2, 'two conflicts');
    const nameItem = () => w.findAll('li.item').find((li) => li.get('h2').text().includes('— name'));
    await nameItem()!.findAll('button').find((b) => b.text() === 'Restore this value')!.trigger('click');
    await until(() => w.findAll('li.item').length === 1, 'the restored entry to leave the list');
    const doc = (await r.db.accounts.findOne(ACCOUNT_ID).exec())!;
    expect(doc.name).toBe('Joint current');
    expect(doc.hlc > KEPT_HLC).toBe(true);
    expect(w.get('[role="status"]').text()).toContain('Restored name');

    await w.findAll('li.item')[0]!.findAll('button').find((b) => b.text() === 'Dismiss')!.trigger('click');
    await until(() => w.text().includes('Nothing to review'), 'the empty log');
    expect((await r.db.accounts.findOne(ACCOUNT_ID).exec())!.openingBalance).toBe(250_000);
    expect(await listConflicts(r.db)).toEqual([]);
    w.unmount();
  });
});
