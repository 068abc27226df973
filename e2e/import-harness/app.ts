import { createPinia } from 'pinia';
import { createApp, h } from 'vue';
import { RouterView, createMemoryHistory, createRouter } from 'vue-router';
import { detectAndParse } from '@mymidas/shared/import';
import type { Account, CategorisationRule, Category } from '@mymidas/shared/schema';
import { REPLICA_PORT } from '../../client/src/app/injection.ts';
import type { ReplicaPort } from '../../client/src/app/replica-port.ts';
import { openReplica } from '../../client/src/db/database.ts';
import ImportPage from '../../client/src/features/import/ImportPage.vue';
import { freshDrafts, planImport } from '../../client/src/features/import/import-plan.ts';
import { commitImport, readExistingHashes } from '../../client/src/features/import/import-store.ts';
import { replicaClock } from '../../client/src/sync/clock.ts';
import { applyTheme } from '../../client/src/stores/theme.ts';
import { DEFAULT_THEME, isThemeId } from '../../client/src/themes/themes.ts';
import '../../client/src/themes/base.css';
import '../../client/src/themes/themes.css';
import type { ImportAppHarness } from '../lib/import-harness-api.ts';

/**
 * The real import page on a seeded, encrypted replica: two accounts, categories, a rule, and one
 * earlier import (so a later statement shows duplicates). `?db=<name>` picks the database;
 * `?theme=<id>` the theme.
 */

const params = new URLSearchParams(location.search);
const ACCOUNT_ID = '0190f5a2-1111-7000-8000-00000000b001';
const stamp = (n: number) => `1700000000000:${n.toString(16).padStart(4, '0')}:seed`;

const accounts: Account[] = [
  { id: ACCOUNT_ID, hlc: stamp(1), name: 'Everyday current', type: 'current', currency: 'GBP', institution: 'Starling', accountRef: null, openingBalance: 0, openingDate: '2024-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 1, notes: null },
  { id: '0190f5a2-1111-7000-8000-00000000b002', hlc: stamp(2), name: 'Joint savings', type: 'savings', currency: 'GBP', institution: null, accountRef: null, openingBalance: 0, openingDate: '2024-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 2, notes: null },
];
const GROCERIES = '0190f5a2-2222-7000-8000-00000000c001';
const EATING_OUT = '0190f5a2-2222-7000-8000-00000000c002';
const categories: Category[] = [
  { id: GROCERIES, hlc: stamp(3), name: 'Groceries', parentId: null, kind: 'expense', color: '#22aa55', icon: 'cart', sortOrder: 1, hidden: false },
  { id: EATING_OUT, hlc: stamp(4), name: 'Eating out', parentId: null, kind: 'expense', color: '#aa5522', icon: 'cup', sortOrder: 2, hidden: false },
];
const rules: CategorisationRule[] = [
  { id: '0190f5a2-3333-7000-8000-00000000d001', hlc: stamp(5), name: 'Supermarkets', priority: 1, enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'tesco' }], actions: { categoryId: GROCERIES } },
  { id: '0190f5a2-3333-7000-8000-00000000d002', hlc: stamp(6), name: 'Coffee', priority: 2, enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'pret' }], actions: { categoryId: EATING_OUT } },
];

/** A statement imported before the page opens: its rows show as "Already imported" later. */
const EARLIER_STATEMENT = [
  'Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes',
  '01/03/2024,Tesco,TESCO STORES 3145,CONTACTLESS,-24.67,975.33,GROCERIES,',
  '02/03/2024,J Smith,Rent share,FASTER PAYMENT,450.00,"1,425.33",INCOME,',
].join('\n');

async function start() {
  const theme = params.get('theme');
  applyTheme(isThemeId(theme) ? theme : DEFAULT_THEME);
  const replica = await openReplica({ password: 'import app password', name: params.get('db') ?? 'import-app', kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 } });
  const { db } = replica;
  if ((await db.accounts.count().exec()) === 0) {
    await db.accounts.bulkInsert(accounts);
    await db.categories.bulkInsert(categories);
    await db.rules.bulkInsert(rules);
    const parse = detectAndParse(new TextEncoder().encode(EARLIER_STATEMENT), 'earlier.csv');
    const plan = await planImport(parse, { accountId: ACCOUNT_ID, accountCurrency: 'GBP', existingHashes: await readExistingHashes(db, ACCOUNT_ID), rules });
    const drafts = freshDrafts(plan);
    await commitImport(db, {
      accountId: ACCOUNT_ID, fileName: 'StarlingStatement_2024-02.csv', format: parse.format, total: drafts.length, duplicates: 0, skipped: 0,
      takeDrafts: async (o, n) => drafts.slice(o, o + n), stamper: await replicaClock(db), now: () => new Date('2024-03-03T09:30:00Z'),
    });
  }
  const port: ReplicaPort = {
    hasDeviceData: async () => true,
    unlock: async () => ({ created: false }),
    isUnlocked: () => true,
    lock: async () => undefined,
    changePassword: async () => undefined,
    erase: async () => [],
    countDocuments: (c) => db[c].count().exec(),
    database: () => db,
    onDatabase: () => () => undefined,
  };
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/import', component: ImportPage }] });
  await router.push('/import');
  const app = createApp({ render: () => h(RouterView) });
  app.use(createPinia());
  app.use(router);
  app.provide(REPLICA_PORT, port);
  app.mount('#app');
  const api: ImportAppHarness = { accountTotal: () => db.transactions.count({ selector: { accountId: ACCOUNT_ID } }).exec() };
  (window as unknown as { importApp: ImportAppHarness }).importApp = api;
  document.body.dataset.ready = 'true';
}

void start();
