import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecurringRule } from '@mymidas/shared/schema';
import type { RecurringRuleDraft } from '@mymidas/shared/ledger/recurring';
import type { ReplicaDatabase } from '../../db/database.ts';
import { account, openTestReplica, testUuid } from '../../testing/test-replica.ts';
import {
  confirmRecurring, createRecurring, editAllFuture, editThisOne, loadRecurring, occurrenceTransactionId, postDueRecurring, skipRecurring, updateRecurring,
} from './recurring-data.ts';

const ACC = testUuid(1);
let db: ReplicaDatabase;
beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.insert(account({ id: ACC }));
});
afterEach(async () => {
  await db.close();
});

const draft = (over: Partial<RecurringRuleDraft> = {}): RecurringRuleDraft => ({
  name: 'Rent', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1', startDate: '2026-09-01', endDate: null, accountId: ACC, amount: -125_000,
  currency: 'GBP', categoryId: null, payee: 'Oakfield Lettings', autoPost: true, lastPostedDate: null, skippedDates: [], ...over,
});
const txDates = async () => (await db.transactions.find({ sort: [{ date: 'asc' }] }).exec()).map((d) => `${d.date} ${d.amount}`);

describe('automatic posting', () => {
  it('posts every due occurrence once; a second run posts nothing', async () => {
    const rule = await createRecurring(db, draft());
    const first = await postDueRecurring(db, '2026-11-25');
    expect(first.posted).toBe(3);
    expect(await txDates()).toEqual(['2026-09-01 -125000', '2026-10-01 -125000', '2026-11-01 -125000']);
    const tx = await db.transactions.findOne(await occurrenceTransactionId(rule.id, '2026-10-01')).exec();
    expect(tx?.toMutableJSON()).toMatchObject({ description: 'Rent', merchant: 'Oakfield Lettings', accountId: ACC, status: 'uncleared' });
    expect((await loadRecurring(db))[0]?.lastPostedDate).toBe('2026-11-01');
    expect((await postDueRecurring(db, '2026-11-25')).posted).toBe(0);
    expect(await db.transactions.count().exec()).toBe(3);
  });

  it('never duplicates after a crash between saving the transactions and the rule', async () => {
    const rule = await createRecurring(db, draft());
    await postDueRecurring(db, '2026-11-25');
    // As if the rule's lastPostedDate had not been saved: the run repeats, the ids collide, nothing doubles.
    const doc = await db.recurring_rules.findOne(rule.id).exec();
    await doc!.incrementalPatch({ lastPostedDate: null });
    expect((await postDueRecurring(db, '2026-12-02')).posted).toBe(1);
    expect(await txDates()).toEqual(['2026-09-01 -125000', '2026-10-01 -125000', '2026-11-01 -125000', '2026-12-01 -125000']);
    expect((await loadRecurring(db))[0]?.lastPostedDate).toBe('2026-12-01');
  });

  it('leaves manual rules waiting, and confirm accepts only the earliest', async () => {
    const rule = await createRecurring(db, draft({ autoPost: false, name: 'Window cleaner', amount: -2_000 }));
    const r = await postDueRecurring(db, '2026-10-15');
    expect(r.posted).toBe(0);
    expect(r.awaiting.map((a) => [a.rule.id, a.dates])).toEqual([[rule.id, ['2026-09-01', '2026-10-01']]]);
    await expect(confirmRecurring(db, rule, '2026-10-01')).rejects.toThrow(/Confirm or skip the occurrence on 2026-09-01/);
    await skipRecurring(db, rule, '2026-09-01');
    const [afterSkip] = await loadRecurring(db);
    const tx = await confirmRecurring(db, afterSkip!, '2026-10-01');
    expect(tx).toMatchObject({ date: '2026-10-01', amount: -2_000 });
    expect((await postDueRecurring(db, '2026-10-15')).awaiting).toEqual([]);
  });

  it('a bad rule synced from elsewhere is reported, the others still post', async () => {
    await db.recurring_rules.insert({ ...draft({ name: 'Broken', rrule: 'FREQ=HOURLY' }), id: testUuid(70), hlc: '1764000000000:0000:test' });
    await createRecurring(db, draft());
    const r = await postDueRecurring(db, '2026-09-02');
    expect(r.posted).toBe(1);
    expect(r.failed.map((f) => f.rule.name)).toEqual(['Broken']);
  });
});

describe('editing', () => {
  it('"this one" moves one occurrence and changes its amount; the series skips it', async () => {
    const rule = await createRecurring(db, draft({ startDate: '2026-12-01' }));
    await editThisOne(db, rule, '2027-01-01', { date: '2027-01-04', amount: -130_000 });
    const all = await loadRecurring(db);
    expect(all).toHaveLength(2);
    await postDueRecurring(db, '2027-02-10');
    expect(await txDates()).toEqual(['2026-12-01 -125000', '2027-01-04 -130000', '2027-02-01 -125000']);
  });

  it('"all future" keeps posted history and changes what follows', async () => {
    const rule = await createRecurring(db, draft());
    await postDueRecurring(db, '2026-10-05');
    const [posted] = await loadRecurring(db);
    const next = await editAllFuture(db, posted!, '2026-11-01', { amount: -130_000 });
    const rules = await loadRecurring(db);
    const old = rules.find((r) => r.id === rule.id) as RecurringRule;
    expect(old.endDate).toBe('2026-10-31');
    expect(next).toMatchObject({ startDate: '2026-11-01', amount: -130_000, lastPostedDate: null });
    await postDueRecurring(db, '2026-12-05');
    expect(await txDates()).toEqual(['2026-09-01 -125000', '2026-10-01 -125000', '2026-11-01 -130000', '2026-12-01 -130000']);
  });

  it('saving the editor replaces an unposted rule in place, and splits a posted one at the next occurrence', async () => {
    const fresh = await createRecurring(db, draft({ startDate: '2027-01-01' }));
    const replaced = await updateRecurring(db, fresh, draft({ startDate: '2027-01-01', rrule: 'FREQ=MONTHLY;BYMONTHDAY=2' }), '2026-11-25');
    expect(replaced.id).toBe(fresh.id);
    expect((await loadRecurring(db)).map((r) => r.rrule)).toEqual(['FREQ=MONTHLY;BYMONTHDAY=2']);
    await db.recurring_rules.findOne(fresh.id).exec().then((d) => d!.remove());

    const posted = await createRecurring(db, draft());
    await postDueRecurring(db, '2026-10-05');
    const [current] = await loadRecurring(db);
    const created = await updateRecurring(db, current!, draft({ amount: -99_00 }), '2026-10-05');
    expect(created.id).not.toBe(posted.id);
    expect(created.startDate).toBe('2026-11-01');
    expect((await db.recurring_rules.findOne(posted.id).exec())?.endDate).toBe('2026-10-31');
  });
});
