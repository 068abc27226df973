import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/audit.ts';
import { createApp } from '../http/app.ts';
import type { Services } from '../services.ts';
import { openTestServices, signedInUser, testBackends } from '../testing/harness.ts';
import { accountDoc } from './fixtures.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

describe.each(testBackends())('data changes in the audit log on %s', (backend) => {
  let services: Services;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    ({ services } = await openTestServices(backend));
    app = createApp(services, { log: () => undefined });
  });
  afterAll(async () => {
    await services.close();
  });

  const push = (token: string, rows: unknown) =>
    request(app).post('/api/v1/replication/accounts/push').set('Authorization', `Bearer ${token}`).set('User-Agent', 'audit-test/1').send(rows as object);
  const auditOf = async (token: string) => {
    const res = await request(app).get('/api/v1/audit').query({ limit: 100 }).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    return res.body.items as { action: string; entity: string | null; entityId: string | null; userAgent: string | null; details: unknown }[];
  };

  it('records a create, an update and a delete per document, with no document content, and only for written rows', async () => {
    const alice = await signedInUser(services);
    const doc = accountDoc({ notes: 'secret note about the joint account' });
    const stale = accountDoc();
    expect((await push(alice.token, [{ assumedMasterState: null, newDocumentState: doc }, { assumedMasterState: null, newDocumentState: { ...stale, currency: 'pounds' } }])).body.written).toBe(1);
    const edited = { ...doc, name: 'Renamed account', hlc: String(doc.hlc).replace(':0000:', ':0001:') };
    expect((await push(alice.token, [{ assumedMasterState: doc, newDocumentState: edited }])).body.written).toBe(1);
    // A conflicting push (stale assumed state) writes nothing and is not audited as a change.
    expect((await push(alice.token, [{ assumedMasterState: doc, newDocumentState: { ...doc, name: 'Lost edit' } }])).body.conflicts).toHaveLength(1);
    expect((await push(alice.token, [{ assumedMasterState: edited, newDocumentState: { ...edited, _deleted: true } }])).body.written).toBe(1);

    const entries = (await auditOf(alice.token)).filter((e) => e.action.startsWith('data.'));
    expect(entries.map((e) => [e.action, e.entity, e.entityId])).toEqual([
      ['data.delete', 'accounts', doc.id],
      ['data.update', 'accounts', doc.id],
      ['data.create', 'accounts', doc.id],
    ]);
    expect(entries.every((e) => e.userAgent === 'audit-test/1')).toBe(true);
    const text = JSON.stringify(entries);
    for (const secret of ['secret note', 'Renamed account', 'Current account', '12-34-56']) expect(text).not.toContain(secret);
    expect(text).not.toContain(stale.id);
  });

  it('records an uploaded attachment, keeps each user to their own rows, and the chain still verifies', async () => {
    const alice = await signedInUser(services);
    const bob = await signedInUser(services);
    const id = '0190f2a4-7b7c-7cc0-8a4e-0a0b0c0d0e0f';
    const up = await request(app).post(`/api/v1/attachments/${id}`).set('Authorization', `Bearer ${alice.token}`).set('Content-Type', 'application/octet-stream').send(Buffer.from(PNG));
    expect(up.status).toBe(201);
    expect((await auditOf(alice.token)).some((e) => e.action === 'data.create' && e.entity === 'attachment_blobs' && e.entityId === id)).toBe(true);
    expect((await auditOf(bob.token)).some((e) => e.entityId === id)).toBe(false);
    const report = await verifyAuditChain(services.db);
    expect(report.ok).toBe(true);
  });
});
