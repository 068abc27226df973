import { afterEach, describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import type { Replica } from '../db/database.ts';
import { DeviceClock } from './clock.ts';
import { CONFLICT_LOG_ID, conflictCount$, dismissConflict, listConflicts, recordConflicts, restoreConflict, ConflictLogError } from './conflict-log.ts';
import { openNodeReplica } from './test-replica.ts';

const open: Replica[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function replica() {
  const r = await openNodeReplica();
  open.push(r);
  return r;
}

const ACCOUNT_ID = '0196a1b2-0000-7000-8000-000000000001';
function account(over: Record<string, unknown> = {}) {
  return {
    id: ACCOUNT_ID, hlc: '1750000000000:0000:dev-a', name: 'Joint current', type: 'current', currency: 'GBP',
    institution: 'Example Bank', accountRef: null, openingBalance: 10_000, openingDate: '2026-01-01',
    creditLimit: null, apr: null, closed: false, sortOrder: 1, notes: null, ...over,
  } as const;
}

describe('conflict log', () => {
  it('records lost values once, lists them newest first, and seals them at rest', async () => {
    const { db } = await replica();
    const rec = { collection: 'accounts', docId: ACCOUNT_ID, field: 'name', lostValue: 'My secret nickname', lostHlc: '1750000000000:0000:dev-a', keptHlc: '1750000000001:0000:dev-b' };
    expect(await recordConflicts(db, [rec])).toBe(1);
    expect(await recordConflicts(db, [rec])).toBe(0);
    const second = { ...rec, field: 'notes', lostValue: { nested: [1, 2] } };
    await recordConflicts(db, [second]);
    const list = await listConflicts(db);
    expect(list.map((e) => [e.field, e.lostValue])).toEqual([['notes', { nested: [1, 2] }], ['name', 'My secret nickname']]);
    expect(list[0]!.id).toMatch(/^[0-9a-f]{32}$/);
    const raw = JSON.stringify((await db.getLocal(CONFLICT_LOG_ID))!.toJSON());
    expect(raw).not.toContain('secret nickname');
    expect(await firstValueFrom(conflictCount$(db))).toBe(2);
  });

  it('dismisses an entry without touching documents; an unknown id is refused', async () => {
    const { db } = await replica();
    await db.accounts.insert(account());
    await recordConflicts(db, [{ collection: 'accounts', docId: ACCOUNT_ID, field: 'name', lostValue: 'Old', lostHlc: '1750000000000:0000:dev-a', keptHlc: '1750000000001:0000:dev-b' }]);
    const [entry] = await listConflicts(db);
    await dismissConflict(db, entry!.id);
    expect(await listConflicts(db)).toEqual([]);
    expect((await db.accounts.findOne(ACCOUNT_ID).exec())!.name).toBe('Joint current');
    await expect(dismissConflict(db, entry!.id)).rejects.toBeInstanceOf(ConflictLogError);
  });

  it('restores a lost value as a new, later-stamped local edit and removes the entry', async () => {
    const { db } = await replica();
    await db.accounts.insert(account({ hlc: '1750000000005:0000:dev-b', name: 'Kept name' }));
    await recordConflicts(db, [{ collection: 'accounts', docId: ACCOUNT_ID, field: 'name', lostValue: 'Lost name', lostHlc: '1750000000000:0000:dev-a', keptHlc: '1750000000005:0000:dev-b' }]);
    const clock = new DeviceClock({ node: 'dev-a', now: () => 1_750_000_000_001 });
    clock.observe('1750000000005:0000:dev-b');
    const [entry] = await listConflicts(db);
    await restoreConflict(db, entry!.id, { clock });
    const doc = (await db.accounts.findOne(ACCOUNT_ID).exec())!;
    expect(doc.name).toBe('Lost name');
    expect(doc.hlc > '1750000000005:0000:dev-b').toBe(true);
    expect(await listConflicts(db)).toEqual([]);
  });

  it('restoring a lost delete deletes the document; restoring a lost undelete brings it back', async () => {
    const { db } = await replica();
    const clock = new DeviceClock({ node: 'dev-a' });
    await db.accounts.insert(account());
    await recordConflicts(db, [{ collection: 'accounts', docId: ACCOUNT_ID, field: '_deleted', lostValue: true, lostHlc: '1750000000000:0000:dev-a', keptHlc: '1750000000001:0000:dev-b' }]);
    await restoreConflict(db, (await listConflicts(db))[0]!.id, { clock });
    expect(await db.accounts.findOne(ACCOUNT_ID).exec()).toBeNull();
    await recordConflicts(db, [{ collection: 'accounts', docId: ACCOUNT_ID, field: '_deleted', lostValue: false, lostHlc: '1750000000002:0000:dev-a', keptHlc: '1750000000003:0000:dev-b' }]);
    await restoreConflict(db, (await listConflicts(db))[0]!.id, { clock });
    expect((await db.accounts.findOne(ACCOUNT_ID).exec())!.name).toBe('Joint current');
  });

  it('a restore for a document that is gone says so and keeps the entry', async () => {
    const { db } = await replica();
    await recordConflicts(db, [{ collection: 'accounts', docId: ACCOUNT_ID, field: 'name', lostValue: 'x', lostHlc: '1750000000000:0000:dev-a', keptHlc: '1750000000001:0000:dev-b' }]);
    const [entry] = await listConflicts(db);
    await expect(restoreConflict(db, entry!.id, { clock: new DeviceClock({ node: 'dev-a' }) })).rejects.toMatchObject({ code: 'document-missing' });
    expect(await firstValueFrom(conflictCount$(db).pipe(filter((n) => n === 1)))).toBe(1);
  });

  it('counts the log as it changes, and only as it changes: writes to collections and other local documents emit nothing', async () => {
    const { db } = await replica();
    const counts: number[] = [];
    const sub = conflictCount$(db).subscribe((n) => counts.push(n));
    try {
      await firstValueFrom(conflictCount$(db));
      await db.accounts.insert(account());
      await db.accounts.bulkInsert([account({ id: '0196a1b2-0000-7000-8000-000000000002' }), account({ id: '0196a1b2-0000-7000-8000-000000000003' })]);
      await db.upsertLocal('another-record', { value: 1 });
      await recordConflicts(db, [{ collection: 'accounts', docId: ACCOUNT_ID, field: 'name', lostValue: 'x', lostHlc: '1750000000000:0000:dev-a', keptHlc: '1750000000001:0000:dev-b' }]);
      await firstValueFrom(conflictCount$(db).pipe(filter((n) => n === 1)));
      await dismissConflict(db, (await listConflicts(db))[0]!.id);
      await db.accounts.bulkRemove([ACCOUNT_ID]);
      await firstValueFrom(conflictCount$(db).pipe(filter((n) => n === 0)));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(counts).toEqual([0, 1, 0]);
    } finally {
      sub.unsubscribe();
    }
  });
});
