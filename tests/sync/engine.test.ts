import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { replicaStorageExtras } from '../../client/src/db/encrypted-storage.ts';
import { runBootstrap } from '../../client/src/sync/bootstrap.ts';
import { listConflicts } from '../../client/src/sync/conflict-log.ts';
import { createTransport } from '../../client/src/sync/transport.ts';
import { patchDoc, removeDoc } from '../../client/src/sync/local-edits.ts';
import { testBackends } from '../../sync-server/src/testing/harness.ts';
import { Device } from './device.ts';
import { newAccount, wireForm, until } from './fixtures.ts';
import { TestSyncServer } from './server.ts';

/** Every record of every IndexedDB database of a factory, as one string (names of stores included). */
async function rawIndexedDb(factory: IDBFactory): Promise<string> {
  const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  let out = '';
  for (const { name } of await factory.databases()) {
    if (!name) continue;
    const open = factory.open(name);
    const idb = await request(open);
    out += `\n# ${name}\n`;
    for (const store of [...idb.objectStoreNames]) {
      out += `## ${store}\n${JSON.stringify(await request(idb.transaction(store, 'readonly').objectStore(store).getAll()))}\n`;
    }
    idb.close();
  }
  return out;
}


describe.each(testBackends())('client sync engine against the real server (%s)', (backend) => {
  let server: TestSyncServer;
  const devices: Device[] = [];
  beforeAll(async () => {
    server = await TestSyncServer.open(backend);
  }, 300_000);
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.close();
    await server.up();
  });
  afterAll(async () => {
    await server.close();
  });

  async function pair(collections: ('accounts' | 'quotes')[] = ['accounts']) {
    const user = await server.newUser();
    const a = await Device.open(server, { name: 'dev-a', token: () => user.token, collections });
    const b = await Device.open(server, { name: 'dev-b', token: () => user.token, collections });
    devices.push(a, b);
    return { user, a, b };
  }

  it('a document created on one device reaches the other live, through the event stream', async () => {
    const { a, b } = await pair();
    await a.engine.start();
    await b.engine.start();
    await b.engine.awaitInSync();
    const doc = newAccount(a.clock);
    await a.replica.db.accounts.insert(doc);
    await until('b has the account', async () => (await b.replica.db.accounts.findOne(doc.id).exec()) !== null);
    const onB = (await b.replica.db.accounts.findOne(doc.id).exec())!;
    expect(wireForm(onB.toJSON(true))).toEqual({ ...doc, _deleted: false });
    await until('a reports nothing queued', () => a.status.queued === 0 && a.status.lastSyncedAt !== null);
  });

  it('a new device\'s first pull reports how many documents have arrived, page by page', async () => {
    const user = await server.newUser();
    const a = await Device.open(server, { name: 'dev-a', token: () => user.token });
    devices.push(a);
    await a.engine.start();
    await a.replica.db.accounts.bulkInsert(Array.from({ length: 25 }, () => newAccount(a.clock)));
    await until('a has sent all 25', () => a.status.queued === 0 && a.status.lastSyncedAt !== null);
    const b = await Device.open(server, { name: 'dev-b', token: () => user.token, pullBatchSize: 10 });
    devices.push(b);
    await b.engine.start();
    await b.engine.awaitInSync();
    expect(await b.replica.db.accounts.count().exec()).toBe(25);
    expect(b.status.received).toEqual([10, 20, 25]);
  });

  /** Device a holds `n` accounts on the server; device b (pages of 10) is new. */
  async function newDeviceAfter(n: number, bOptions: Partial<Parameters<typeof Device.open>[1]> = {}) {
    const user = await server.newUser();
    const a = await Device.open(server, { name: 'dev-a', token: () => user.token });
    devices.push(a);
    await a.engine.start();
    await a.replica.db.accounts.bulkInsert(Array.from({ length: n }, () => newAccount(a.clock)));
    await until(`a has sent all ${n}`, () => a.status.queued === 0 && a.status.lastSyncedAt !== null);
    const b = await Device.open(server, { name: 'dev-b', token: () => user.token, pullBatchSize: 10, ...bOptions });
    devices.push(b);
    return { user, a, b };
  }

  /** The stored form of a document, `_meta` included (RxDB's document API hides it). */
  async function storedMeta(d: Device, id: string): Promise<Record<string, unknown>> {
    const [doc] = await d.replica.db.accounts.storageInstance.findDocumentsById([id], true);
    return (doc as unknown as { _meta: Record<string, unknown> })._meta;
  }

  it('a new device\'s first pull goes through the bootstrap: full pages stored straight, the last page by RxDB, nothing pushed back, not even after a restart', async () => {
    const { user, b } = await newDeviceAfter(25);
    await b.engine.start();
    await b.engine.awaitInSync();
    const onServer = await server.pullAll(user.token, 'accounts');
    const onB = (await b.replica.db.accounts.find().exec()).map((d) => wireForm(d.toJSON(true)));
    expect(new Map(onB.map((d) => [d.id, d]))).toEqual(new Map(onServer.map((d) => [d.id, d])));
    // The two full pages were inserted by the bootstrap (marked), the last five by RxDB's own path.
    const marks = await Promise.all(onServer.map(async (d) => (await storedMeta(b, d.id)).bs === 1));
    expect(marks.filter(Boolean)).toHaveLength(20);
    expect(marks.slice(20).some(Boolean)).toBe(false);
    expect(b.pushed).toEqual([]);
    await b.engine.stop();
    await b.engine.start();
    await b.engine.awaitInSync();
    await new Promise((r) => setTimeout(r, 100));
    expect(b.pushed).toEqual([]);
    expect(await b.replica.db.accounts.count().exec()).toBe(25);
  });

  it('a bootstrapped document follows later server changes, and its first local edit is sent with its base: a concurrent edit of another field merges without a conflict', async () => {
    const { a, b } = await newDeviceAfter(20);
    await b.engine.start();
    await b.engine.awaitInSync();
    const [first, second] = await a.replica.db.accounts.find({ sort: [{ sortOrder: 'asc' }] }).exec();
    expect((await storedMeta(b, first!.id)).bs).toBe(1);
    // A server change reaches the bootstrapped copy.
    await patchDoc(first!, { name: 'Renamed on A' }, a.clock);
    await until('b has the rename', async () => (await b.replica.db.accounts.findOne(first!.id).exec())?.name === 'Renamed on A');
    // Both edit the second document offline, different fields.
    b.online.set(false);
    await until('b paused', () => b.engine.state === 'paused');
    await patchDoc(second!, { notes: 'note from A' }, a.clock);
    await a.engine.awaitInSync();
    await patchDoc((await b.replica.db.accounts.findOne(second!.id).exec())!, { name: 'Name from B' }, b.clock);
    b.online.set(true);
    await b.engine.awaitInSync();
    const pushedSecond = b.pushed.find((r) => r.newDocumentState.id === second!.id);
    expect(pushedSecond?.assumedMasterState).toMatchObject({ id: second!.id, name: second!.name, hlc: second!.hlc });
    await until('a has the merge', async () => {
      const doc = await a.replica.db.accounts.findOne(second!.id).exec();
      return doc?.name === 'Name from B' && doc.notes === 'note from A';
    });
    const onB = (await b.replica.db.accounts.findOne(second!.id).exec())!;
    expect([onB.name, onB.notes]).toEqual(['Name from B', 'note from A']);
    expect(await listConflicts(a.replica.db)).toEqual([]);
    expect(await listConflicts(b.replica.db)).toEqual([]);
  });

  it('a first pull cut off mid-way resumes after the last page it stored, not from the start', async () => {
    let failed = false;
    const { user, b } = await newDeviceAfter(35, {
      // The third pull (read ahead while the second page is stored) fails once.
      failRequest: (_url, pulls) => !failed && pulls === 3 && (failed = true),
    });
    await b.engine.start();
    await b.engine.awaitInSync();
    expect(failed).toBe(true);
    expect(await b.replica.db.accounts.count().exec()).toBe(35);
    const onServer = await server.pullAll(user.token, 'accounts');
    const onB = (await b.replica.db.accounts.find().exec()).map((d) => wireForm(d.toJSON(true)));
    expect(new Map(onB.map((d) => [d.id, d]))).toEqual(new Map(onServer.map((d) => [d.id, d])));
    // Only the very first request started from nothing.
    expect(b.pulls.filter((u) => !u.includes('checkpoint='))).toHaveLength(1);
    expect(b.pushed).toEqual([]);
  });

  it('a first sync killed before RxDB stored its upstream checkpoint: the next start sends none of those documents back (the server has them), no conflict is logged, nothing changes', async () => {
    const { user, b } = await newDeviceAfter(20);
    const before = await server.pullAll(user.token, 'accounts');
    // The bootstrap's writes with no replication running to take its events (as if the app died right after).
    const transport = createTransport({ baseUrl: server.apiBase, getAccessToken: () => user.token });
    const last = await runBootstrap({
      db: b.replica.db,
      key: `mymidas-sync:${server.apiBase}:accounts`,
      extras: replicaStorageExtras(b.replica.db.accounts.storageInstance)!,
      state: { downstreamBulkWriteFlag: Promise.resolve('replication-downstream-killed'), input: { hashFunction: b.replica.db.hashFunction, identifier: `rxdbreplicationmymidas-sync:${server.apiBase}:accounts` } } as never,
      batchSize: 10,
      fetchPage: (from) => transport.pull('accounts', from, 10),
    });
    expect(last.documents).toEqual([]);
    expect(await b.replica.db.accounts.count().exec()).toBe(20);
    await b.engine.start();
    await b.engine.awaitInSync();
    await until('b is idle', () => b.status.queued === 0 && b.status.lastSyncedAt !== null);
    // RxDB's upstream finds them with no stored server state; they are the bootstrap's, untouched: not sent.
    expect(b.pushed).toEqual([]);
    expect(await listConflicts(b.replica.db)).toEqual([]);
    expect(await server.pullAll(user.token, 'accounts')).toEqual(before);
    const onB = (await b.replica.db.accounts.find().exec()).map((d) => wireForm(d.toJSON(true)));
    expect(new Map(onB.map((d) => [d.id, d]))).toEqual(new Map(before.map((d) => [d.id, d])));
    // An edit of one of them is sent, with the base the bootstrap stored before the edit.
    const edited = await b.replica.db.accounts.findOne(before[0]!.id).exec();
    await edited!.incrementalPatch({ name: 'Renamed after a killed first sync', hlc: b.clock.nextStamp() });
    await until('the edit is sent', () => b.pushed.length === 1);
    expect(b.pushed[0]!.assumedMasterState).toMatchObject({ id: before[0]!.id, hlc: before[0]!.hlc });
    // Another restart, once the edit's upstream checkpoint is stored, sends nothing more. (Stopped between the
    // push's answer and that store — a loaded machine — the edit is sent again, which the server takes as a no-op.)
    await b.engine.awaitInSync();
    await b.engine.stop();
    await b.engine.start();
    await b.engine.awaitInSync();
    await new Promise((r) => setTimeout(r, 100));
    expect(b.pushed).toHaveLength(1);
  });

  it('a RESYNC hint while the bootstrap writes does not send the bootstrapped documents back', async () => {
    const { user, b } = await newDeviceAfter(60, { pullBatchSize: 10 });
    await b.engine.start();
    // The hint stream says RESYNC on connect; more of them while pages are still being written.
    for (let i = 0; i < 5; i++) {
      for (const r of b.engine.replications.values()) r.reSync();
      await new Promise((r) => setTimeout(r, 20));
    }
    await b.engine.awaitInSync();
    await until('b is idle', () => b.status.lastSyncedAt !== null);
    expect(await b.replica.db.accounts.count().exec()).toBe(60);
    expect(b.pushed).toEqual([]);
    expect(await server.pullAll(user.token, 'accounts')).toHaveLength(60);
  });

  it('with the bootstrap off, a first pull takes RxDB\'s path for every page (the same result)', async () => {
    const { user, b } = await newDeviceAfter(25, { bootstrap: false });
    await b.engine.start();
    await b.engine.awaitInSync();
    const onServer = await server.pullAll(user.token, 'accounts');
    expect(await b.replica.db.accounts.count().exec()).toBe(onServer.length);
    const marks = await Promise.all(onServer.map(async (d) => (await storedMeta(b, d.id)).bs));
    expect(marks.every((m) => m === undefined)).toBe(true);
  });

  it('a stored queue entry that no send will ever match (written by a tab that did not replicate) is cleared once sync goes idle', async () => {
    const user = await server.newUser();
    const a = await Device.open(server, {
      name: 'dev-a',
      token: () => user.token,
      beforeEngine: async (replica) => {
        await replica.db.upsertLocal('sync-queue', { entries: [['accounts/0196a1b2-0000-7000-8000-00000000dead', '1750000000000:0000:other-tab']] });
      },
    });
    devices.push(a);
    await until('the stored entry is counted', () => a.status.queued === 1);
    await a.engine.start();
    await a.replica.db.accounts.insert(newAccount(a.clock));
    await until('a reports nothing queued after an idle sync', () => a.status.queued === 0 && a.status.lastSyncedAt !== null);
    const stored = await a.replica.db.getLocal<{ entries: unknown[] }>('sync-queue');
    await until('the stored queue is empty', async () => ((await a.replica.db.getLocal<{ entries: unknown[] }>('sync-queue'))?.toJSON().data.entries.length ?? -1) === 0);
    expect(stored).not.toBeNull();
  });

  it('offline edits on both sides of the same field: later stamp wins, loser is in the conflict log, other fields merge', async () => {
    const { a, b } = await pair();
    await a.engine.start();
    await b.engine.start();
    const doc = newAccount(a.clock, { name: 'Original', notes: null, sortOrder: 1 });
    await a.replica.db.accounts.insert(doc);
    await until('b has it', async () => (await b.replica.db.accounts.findOne(doc.id).exec()) !== null);
    a.online.set(false);
    b.online.set(false);
    await until('both paused', () => a.engine.state === 'paused' && b.engine.state === 'paused');
    const onA = (await a.replica.db.accounts.findOne(doc.id).exec())!;
    const onB = (await b.replica.db.accounts.findOne(doc.id).exec())!;
    await patchDoc(onA, { name: 'Name from A', sortOrder: 7 }, a.clock);
    await new Promise((r) => setTimeout(r, 5));
    await patchDoc(onB, { name: 'Name from B (later)', notes: 'note from B' }, b.clock);
    expect(a.status.queued).toBe(1);
    a.online.set(true);
    await a.engine.awaitInSync();
    b.online.set(true);
    await b.engine.awaitInSync();
    await until('a has the merge', async () => (await a.replica.db.accounts.findOne(doc.id).exec())?.notes === 'note from B');
    for (const d of [a, b]) {
      const final = (await d.replica.db.accounts.findOne(doc.id).exec())!;
      expect(final.name).toBe('Name from B (later)');
      expect(final.sortOrder).toBe(7);
      expect(final.notes).toBe('note from B');
    }
    const log = await listConflicts(b.replica.db);
    expect(log).toMatchObject([{ collection: 'accounts', docId: doc.id, field: 'name', lostValue: 'Name from A' }]);
    await until('b counts the conflict', () => b.status.conflicts === 1);
  });

  it('a delete on one side and an edit on the other give a deleted document that carries the edit', async () => {
    const { user, a, b } = await pair();
    await a.engine.start();
    await b.engine.start();
    const doc = newAccount(a.clock);
    await a.replica.db.accounts.insert(doc);
    await until('b has it', async () => (await b.replica.db.accounts.findOne(doc.id).exec()) !== null);
    a.partitioned = true;
    await removeDoc((await a.replica.db.accounts.findOne(doc.id).exec())!, a.clock);
    await patchDoc((await b.replica.db.accounts.findOne(doc.id).exec())!, { notes: 'edited while A deleted' }, b.clock);
    await b.engine.awaitInSync();
    a.partitioned = false;
    await until('server has the merge', async () => {
      const [s] = (await server.pullAll(user.token, 'accounts')).filter((d) => d.id === doc.id);
      return s?._deleted === true && s.notes === 'edited while A deleted';
    });
    await until('b sees it deleted', async () => (await b.replica.db.accounts.findOne(doc.id).exec()) === null);
  });

  it('resumes after a server crash: local writes made while it was down are pushed once it is back', async () => {
    const { user, a } = await pair();
    await a.engine.start();
    await a.engine.awaitInSync();
    await server.down();
    const docs = [newAccount(a.clock), newAccount(a.clock)];
    await a.replica.db.accounts.bulkInsert(docs);
    await until('a saw the failure', () => a.status.lastError !== null && !a.status.serverReachable);
    await server.up();
    await until('both on the server', async () => (await server.pullAll(user.token, 'accounts')).length === 2);
    await until('a reports success', () => a.status.queued === 0 && a.status.serverReachable);
  });

  it('refreshes an expired token once; pauses for sign-in when the session is over, keeps queueing, resumes on sign-in', async () => {
    const user = await server.newUser();
    let token: string | null = 'expired-token';
    let refreshes = 0;
    let sessionOver = false;
    const a = await Device.open(server, {
      name: 'dev-a', collections: ['accounts'], token: () => token,
      refresh: async () => {
        refreshes++;
        token = sessionOver ? null : user.token;
        return token;
      },
    });
    devices.push(a);
    await a.engine.start();
    await a.engine.awaitInSync();
    expect(refreshes).toBe(1);
    sessionOver = true;
    token = 'revoked';
    const doc = newAccount(a.clock);
    await a.replica.db.accounts.insert(doc);
    await until('paused for sign-in', () => a.engine.state === 'paused' && a.engine.pauseReasons.has('signed-out'));
    expect(a.status.lastError).toMatch(/Sign in again/);
    await a.replica.db.accounts.insert(newAccount(a.clock));
    expect(a.status.queued).toBe(2);
    token = user.token;
    await a.engine.signedIn();
    await a.engine.awaitInSync();
    await until('both on the server', async () => (await server.pullAll(user.token, 'accounts')).length === 2);
  });

  it('the replication bookkeeping (last known server state) is sealed at rest like the documents', async () => {
    const { a, b } = await pair();
    await a.engine.start();
    await b.engine.start();
    const doc = newAccount(a.clock, { name: 'Very private account name', notes: 'private note 1234' });
    await a.replica.db.accounts.insert(doc);
    await until('b has it', async () => (await b.replica.db.accounts.findOne(doc.id).exec()) !== null);
    await b.engine.awaitInSync();
    for (const device of [a, b]) {
      const raw = await rawIndexedDb((device.replica as unknown as { indexedDB: IDBFactory }).indexedDB);
      expect(raw).toContain('rx-replication-meta');
      // The scan sees the stored rows (ids are not secret)…
      expect(raw).toContain(doc.id);
      // …but no PII value, neither in the documents nor in the replication's copy of the server state.
      expect(raw).not.toContain('Very private account name');
      expect(raw).not.toContain('private note 1234');
    }
  });

  it('a server-owned collection is pulled, never pushed', async () => {
    const { a } = await pair(['quotes']);
    await a.engine.start();
    await a.engine.awaitInSync();
    expect(a.engine.replications.get('quotes')!.push).toBeUndefined();
  });

  it('a push refused by the server (invalid document) shows as a sync error, and the rest of the batch lands', async () => {
    const { user, a } = await pair();
    a.online.set(false);
    await a.engine.start();
    const good = [newAccount(a.clock), newAccount(a.clock)];
    // Valid for the local schema, refused by the server's zod schema (not a real currency code).
    const bad = newAccount(a.clock, { currency: 'gbp' });
    await a.replica.db.accounts.bulkInsert([good[0]!, bad, good[1]!]);
    a.online.set(true);
    await until('the refusal is reported', () => a.engine.refusals.length === 1);
    await a.engine.awaitInSync();
    expect(a.engine.refusals[0]).toMatchObject({ collection: 'accounts', id: bad.id, reason: 'invalid' });
    await until('the error is on the indicator', () => /refused a change to accounts/.test(a.status.lastError ?? ''));
    const onServer = await server.pullAll(user.token, 'accounts');
    expect(onServer.map((d) => d.id).sort()).toEqual(good.map((d) => d.id).sort());
    // Later pushes are not blocked by it.
    const later = newAccount(a.clock);
    await a.replica.db.accounts.insert(later);
    await until('later doc synced', async () => (await server.pullAll(user.token, 'accounts')).some((d) => d.id === later.id));
  });
});
