import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../http/app.ts';
import type { Services } from '../services.ts';
import { openTestServices, signedInUser, testBackends } from '../testing/harness.ts';
import { accountDoc } from './fixtures.ts';
import { ReplicationService } from './service.ts';

describe.each(testBackends())('replication endpoints on %s', (backend) => {
  let services: Services;
  let app: ReturnType<typeof createApp>;
  let alice: { userId: string; token: string };
  let bob: { userId: string; token: string };

  beforeAll(async () => {
    ({ services } = await openTestServices(backend));
    app = createApp(services, { log: () => undefined });
    alice = await signedInUser(services);
    bob = await signedInUser(services);
  });
  afterAll(async () => {
    await services.close();
  });

  const push = (who: { token: string }, collection: string, rows: unknown) =>
    request(app).post(`/api/v1/replication/${collection}/push`).set('Authorization', `Bearer ${who.token}`).send(rows as object);
  const pull = (who: { token: string }, collection: string, query: Record<string, string> = {}) =>
    request(app).get(`/api/v1/replication/${collection}/pull`).query(query).set('Authorization', `Bearer ${who.token}`);

  it('requires a signed-in user', async () => {
    const res = await request(app).get('/api/v1/replication/accounts/pull');
    expect(res.status).toBe(401);
  });

  it('round-trips pushed documents through pull, PII sealed at rest and opened on the way out', async () => {
    const doc = accountDoc({ notes: 'joint with Sam' });
    const res = await push(alice, 'accounts', [{ assumedMasterState: null, newDocumentState: doc }]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ conflicts: [], refused: [], written: 1 });

    const pulled = await pull(alice, 'accounts');
    expect(pulled.status).toBe(200);
    expect(pulled.body.documents).toContainEqual(doc);
    expect(pulled.body.checkpoint).toMatch(/^\d+:[0-9a-f-]{36}$/);

    const raw = await services.db.asOwner((sql) => sql.query<Record<string, unknown>>('SELECT doc, name, notes, account_ref FROM accounts WHERE id = $1', [doc.id]));
    const row = raw.rows[0]!;
    expect(JSON.stringify(row.doc)).not.toContain('Current account');
    expect(row.doc).not.toHaveProperty('notes');
    for (const col of ['name', 'notes', 'account_ref']) {
      expect(row[col]).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(row[col] as Uint8Array).toString('latin1')).not.toMatch(/joint|12-34-56|Current/);
    }
    // Another user sees none of it.
    const other = await pull(bob, 'accounts');
    expect(other.body.documents.map((d: { id: string }) => d.id)).not.toContain(doc.id);
  });

  it('pages by checkpoint in seq order without skipping or repeating, including updated rows', async () => {
    const user = await signedInUser(services);
    const docs = Array.from({ length: 25 }, () => accountDoc());
    await push(user, 'accounts', docs.map((d) => ({ newDocumentState: d }))).expect(200);
    // Update the first one: it moves to the end of the sequence.
    const edited = { ...docs[0]!, name: 'Renamed', hlc: '1790000000000:0000:test-node' };
    await push(user, 'accounts', [{ assumedMasterState: docs[0], newDocumentState: edited }]).expect(200);

    const seen: Record<string, unknown>[] = [];
    let checkpoint: string | null = null;
    for (let page = 0; page < 20; page++) {
      const query: Record<string, string> = checkpoint ? { limit: '7', checkpoint } : { limit: '7' };
      const res: request.Response = await pull(user, 'accounts', query).expect(200);
      if (res.body.documents.length === 0) {
        expect(res.body.checkpoint).toBe(checkpoint);
        break;
      }
      expect(res.body.documents.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.documents);
      checkpoint = res.body.checkpoint;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen.map((d) => d.id)).size).toBe(25);
    expect(seen.at(-1)).toEqual(edited);
  });

  it('rejects a malformed checkpoint or limit', async () => {
    expect((await pull(alice, 'accounts', { checkpoint: 'yesterday' })).status).toBe(400);
    expect((await pull(alice, 'accounts', { limit: '0' })).status).toBe(400);
    expect((await pull(alice, 'accounts', { limit: '5000' })).status).toBe(400);
    expect((await pull(alice, 'nope')).status).toBe(404);
  });

  it('returns the current master as a conflict when assumedMasterState is stale, and writes nothing', async () => {
    const v1 = accountDoc();
    await push(alice, 'accounts', [{ newDocumentState: v1 }]).expect(200);
    const v2 = { ...v1, name: 'Desktop edit', hlc: '1790000000001:0000:desktop' };
    await push(alice, 'accounts', [{ assumedMasterState: v1, newDocumentState: v2 }]).expect(200);
    const phone = { ...v1, name: 'Phone edit', hlc: '1790000000002:0000:phone' };
    const res = await push(alice, 'accounts', [{ assumedMasterState: v1, newDocumentState: phone }]).expect(200);
    expect(res.body.conflicts).toEqual([v2]);
    expect(res.body.written).toBe(0);
    // No assumed state for an existing document is a conflict too.
    const blind = await push(alice, 'accounts', [{ newDocumentState: phone }]).expect(200);
    expect(blind.body.conflicts).toEqual([v2]);
    // Re-sending the state that is already master is accepted without a conflict (a retried batch).
    const again = await push(alice, 'accounts', [{ assumedMasterState: v1, newDocumentState: v2 }]).expect(200);
    expect(again.body).toEqual({ conflicts: [], refused: [], written: 0 });
  });

  it('refuses a document id owned by another user while the rest of the batch lands', async () => {
    const bobs = accountDoc({ name: 'Bob private' });
    await push(bob, 'accounts', [{ newDocumentState: bobs }]).expect(200);
    const mine1 = accountDoc();
    const mine2 = accountDoc();
    const hijack = { ...bobs, name: 'Taken over', hlc: '1790000000003:0000:eve' };
    const res = await push(alice, 'accounts', [{ newDocumentState: mine1 }, { newDocumentState: hijack }, { newDocumentState: mine2 }]).expect(200);
    expect(res.body.written).toBe(2);
    expect(res.body.refused).toEqual([expect.objectContaining({ index: 1, id: bobs.id, reason: 'id-taken' })]);
    const ids = (await pull(alice, 'accounts', { limit: '1000' })).body.documents.map((d: { id: string }) => d.id);
    expect(ids).toEqual(expect.arrayContaining([mine1.id, mine2.id]));
    expect(ids).not.toContain(bobs.id);
    const bobView = (await pull(bob, 'accounts', { limit: '1000' })).body.documents;
    expect(bobView).toContainEqual(bobs);
  });

  it('refuses an invalid document with the path of the bad field and keeps the rest', async () => {
    const good = accountDoc();
    const bad = accountDoc({ openingBalance: 12.5 });
    const res = await push(alice, 'accounts', [{ newDocumentState: bad }, { newDocumentState: good }]).expect(200);
    expect(res.body.written).toBe(1);
    expect(res.body.refused).toHaveLength(1);
    expect(res.body.refused[0]).toMatchObject({ index: 0, id: bad.id, reason: 'invalid' });
    expect(res.body.refused[0].errors).toContainEqual(expect.objectContaining({ path: 'newDocumentState.openingBalance' }));
    const ids = (await pull(alice, 'accounts', { limit: '1000' })).body.documents.map((d: { id: string }) => d.id);
    expect(ids).toContain(good.id);
    expect(ids).not.toContain(bad.id);
  });

  it('refuses a push to a server-owned collection with a 403 problem', async () => {
    for (const name of ['quotes', 'net_worth_snapshots']) {
      const res = await push(alice, name, [{ newDocumentState: { id: accountDoc().id, _deleted: false } }]);
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.type).toMatch(/server-owned-collection$/);
    }
  });

  it('refuses a body that is not a batch', async () => {
    const res = await push(alice, 'accounts', { newDocumentState: accountDoc() });
    expect(res.status).toBe(422);
  });

  it('soft-deletes, replicates the deletion, and purges it only after the retention period', async () => {
    const doc = accountDoc();
    await push(alice, 'accounts', [{ newDocumentState: doc }]).expect(200);
    const gone = { ...doc, _deleted: true, hlc: '1790000000004:0000:phone' };
    await push(alice, 'accounts', [{ assumedMasterState: doc, newDocumentState: gone }]).expect(200);
    const docs = (await pull(alice, 'accounts', { limit: '1000' })).body.documents;
    expect(docs).toContainEqual(gone);

    const service = new ReplicationService({ db: services.db, cipher: services.cipher });
    const early = await service.purgeDeleted(new Date(Date.now() + 89 * 86_400_000));
    expect(early.accounts).toBe(0);
    const late = await service.purgeDeleted(new Date(Date.now() + 91 * 86_400_000));
    expect(late.accounts).toBeGreaterThanOrEqual(1);
    const after = (await pull(alice, 'accounts', { limit: '1000' })).body.documents.map((d: { id: string }) => d.id);
    expect(after).not.toContain(doc.id);
  });
});
