import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, effectScope } from 'vue';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import { portFor } from '../../testing/test-port.ts';
import { addDays, todayLocal } from '@mymidas/shared/date';
import { createRecurring } from './recurring-data.ts';
import { useRecurringAutoPost } from './use-recurring-auto-post.ts';

let db: ReplicaDatabase;
beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.insert(account({ id: testUuid(1) }));
});
afterEach(async () => {
  await db.close();
});

async function waitFor(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('useRecurringAutoPost', () => {
  it('posts on unlock, again when a rule arrives later, and settles without repeating', async () => {
    const rule = (name: string) => ({
      name, rrule: 'FREQ=WEEKLY', startDate: addDays(todayLocal(), -15), endDate: null, accountId: testUuid(1), amount: -500,
      currency: 'GBP', categoryId: null, payee: null, autoPost: true, lastPostedDate: null, skippedDates: [],
    });
    await createRecurring(db, rule('Milk'));
    const app = createApp({});
    app.provide(REPLICA_PORT, portFor(db));
    const scope = effectScope();
    const auto = app.runWithContext(() => scope.run(() => useRecurringAutoPost({ debounceMs: 20 })))!;
    await waitFor(async () => (await db.transactions.count().exec()) === 3, 'the first rule posted');
    // A rule pulled later (as sync does on a new device) is posted without another unlock.
    await createRecurring(db, rule('Paper'));
    await waitFor(async () => (await db.transactions.count().exec()) === 6, 'the second rule posted');
    await new Promise((r) => setTimeout(r, 200));
    expect(await db.transactions.count().exec()).toBe(6);
    expect(auto.last.value?.posted).toBe(0);
    expect(auto.error.value).toBeNull();
    scope.stop();
  });
});
