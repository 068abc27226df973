import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../http/app.ts';
import { dailyPurge } from '../replication/purge-job.ts';
import { ReplicationService } from '../replication/service.ts';
import type { Services } from '../services.ts';
import { upsertDoc } from '../store/documents.ts';
import { openTestServices, signedInUser, testBackends } from '../testing/harness.ts';
import { AttachmentStore, ORPHAN_BLOB_GRACE_MS } from './store.ts';

const PNG_HEADER = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
const QUOTA = 1_000;

/** A file the server takes for a PNG, `size` bytes long; `fill` makes files of one size differ. */
function png(size: number, fill = 0): Buffer {
  const bytes = Buffer.alloc(size, fill);
  Buffer.from(PNG_HEADER).copy(bytes);
  return bytes;
}

describe.each(testBackends())('attachment storage limits on %s', (backend) => {
  let services: Services;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    ({ services } = await openTestServices(backend, { ATTACHMENT_QUOTA_BYTES: String(QUOTA) }));
    app = createApp(services, { log: () => undefined });
  });
  afterAll(async () => {
    await services.close();
  });

  const upload = (token: string, id: string, body: Buffer) =>
    request(app).post(`/api/v1/attachments/${id}`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/octet-stream').send(body);
  const storedOf = async (userId: string) =>
    (await services.db.asOwner((sql) => sql.query<{ id: string; size: number }>('SELECT id, size FROM attachment_blobs WHERE user_id = $1', [userId]))).rows;

  it('refuses an upload past the user\'s quota with a 413 problem and stores nothing of it', async () => {
    const alice = await signedInUser(services);
    const first = randomUUID();
    expect((await upload(alice.token, first, png(600))).status).toBe(201);
    // The same bytes again (a retry) are not counted twice.
    expect((await upload(alice.token, first, png(600))).status).toBe(200);

    const second = randomUUID();
    const refused = await upload(alice.token, second, png(600, 1));
    expect(refused.status).toBe(413);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/attachment-quota-exceeded$/), status: 413, quotaBytes: QUOTA, usedBytes: 600 });
    expect((await request(app).get(`/api/v1/attachments/${second}`).set('Authorization', `Bearer ${alice.token}`)).status).toBe(404);
    expect(await storedOf(alice.userId)).toEqual([{ id: first, size: 600 }]);

    // A file that still fits is taken; another user's quota is their own.
    expect((await upload(alice.token, randomUUID(), png(400, 2))).status).toBe(201);
    const bob = await signedInUser(services);
    expect((await upload(bob.token, randomUUID(), png(600, 3))).status).toBe(201);
  });

  it('lets uploads sent at the same moment together take no more than the quota', async () => {
    const carol = await signedInUser(services);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => upload(carol.token, randomUUID(), png(300, 10 + i))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 413)).toHaveLength(3);
    const stored = await storedOf(carol.userId);
    expect(stored.reduce((sum, r) => sum + r.size, 0)).toBe(900);
  });

  it('purges bytes uploaded without a record once their grace period is over, and keeps every other upload', async () => {
    const dave = await signedInUser(services);
    const [abandoned, recorded, recent] = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, id] of [abandoned, recorded, recent].entries()) expect((await upload(dave.token, id, png(100, 20 + i))).status).toBe(201);
    await services.db.withUser(dave.userId, (sql) =>
      upsertDoc(sql, services.cipher, 'attachments', dave.userId, {
        id: recorded, hlc: '1764052800000:0000:dev-a', transactionId: randomUUID(), fileName: 'receipt.png', mimeType: 'image/png', size: 100,
        sha256: 'a'.repeat(64), uploadedAt: null,
      }),
    );
    // Another user's record with the abandoned bytes' id does not make them anyone's.
    const eve = await signedInUser(services);
    await services.db.withUser(eve.userId, (sql) =>
      upsertDoc(sql, services.cipher, 'attachments', eve.userId, {
        id: randomUUID(), hlc: '1764052800000:0000:dev-b', transactionId: randomUUID(), fileName: 'x.png', mimeType: 'image/png', size: 100,
        sha256: 'b'.repeat(64), uploadedAt: null,
      }),
    );
    const past = new Date(Date.now() - ORPHAN_BLOB_GRACE_MS - 60_000);
    await services.db.asOwner((sql) => sql.query('UPDATE attachment_blobs SET created_at = $1 WHERE id = ANY($2::uuid[])', [past, [abandoned, recorded]]));

    const purge = dailyPurge(new ReplicationService({ db: services.db, cipher: services.cipher }), new AttachmentStore({ db: services.db, cipher: services.cipher }));
    const counts = await purge();
    expect(counts['attachment_blobs without a record']).toBe(1);
    expect((await storedOf(dave.userId)).map((r) => r.id).sort()).toEqual([recorded, recent].sort());
    expect((await request(app).get(`/api/v1/attachments/${abandoned}`).set('Authorization', `Bearer ${dave.token}`)).status).toBe(404);
    expect((await request(app).get(`/api/v1/attachments/${recorded}`).set('Authorization', `Bearer ${dave.token}`)).status).toBe(200);
    // Run again: nothing more goes.
    expect((await purge())['attachment_blobs without a record']).toBe(0);
  });
});
