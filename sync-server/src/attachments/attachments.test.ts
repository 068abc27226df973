import { randomBytes, randomUUID } from 'node:crypto';
import { MAX_ATTACHMENT_BYTES, sniffAttachmentType as sniffType } from '@mymidas/shared/protocol';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../http/app.ts';
import { ReplicationService } from '../replication/service.ts';
import type { Services } from '../services.ts';
import { openTestServices, signedInUser, testBackends } from '../testing/harness.ts';

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR receipt from Corner Shop')]);
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)]);
const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x10, 0, 0, 0]), Buffer.from('WEBPVP8 '), randomBytes(16)]);
const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n');

describe('magic bytes', () => {
  it('knows the four accepted types by content and nothing else', () => {
    expect(sniffType(png)).toBe('image/png');
    expect(sniffType(jpeg)).toBe('image/jpeg');
    expect(sniffType(webp)).toBe('image/webp');
    expect(sniffType(pdf)).toBe('application/pdf');
    expect(sniffType(Buffer.from('GIF89a....'))).toBeNull();
    expect(sniffType(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
    expect(sniffType(Buffer.from('<html>%PDF-'))).toBeNull();
    expect(sniffType(new Uint8Array([0xff, 0xd8]))).toBeNull();
  });
});

describe.each(testBackends())('attachments on %s', (backend) => {
  let services: Services;
  let app: ReturnType<typeof createApp>;
  let alice: { token: string };
  let bob: { token: string };

  beforeAll(async () => {
    ({ services } = await openTestServices(backend));
    app = createApp(services, { log: () => undefined });
    alice = await signedInUser(services);
    bob = await signedInUser(services);
  });
  afterAll(async () => {
    await services.close();
  });

  const upload = (who: { token: string }, id: string, bytes: Buffer, type = 'application/octet-stream') =>
    request(app).post(`/api/v1/attachments/${id}`).set('Authorization', `Bearer ${who.token}`).set('Content-Type', type).send(bytes);

  it('stores each accepted type and gives back the same bytes with the sniffed type', async () => {
    for (const [bytes, type] of [[png, 'image/png'], [jpeg, 'image/jpeg'], [webp, 'image/webp'], [pdf, 'application/pdf']] as const) {
      const id = randomUUID();
      const res = await upload(alice, id, bytes, 'text/plain');
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toEqual({ id, mimeType: type, size: bytes.length });
      const back = await request(app).get(`/api/v1/attachments/${id}`).set('Authorization', `Bearer ${alice.token}`).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(back.status).toBe(200);
      expect(back.headers['content-type']).toBe(type);
      expect(Buffer.compare(back.body as Buffer, bytes)).toBe(0);
    }
  });

  it('refuses bytes that are none of the four types, whatever the name or declared type, with 415', async () => {
    const id = randomUUID();
    const res = await upload(alice, id, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/png');
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(/JPEG, PNG, WebP or PDF/);
    expect((await request(app).get(`/api/v1/attachments/${id}`).set('Authorization', `Bearer ${alice.token}`)).status).toBe(404);
  });

  it('refuses more than 10 MB with 413 and stores nothing', async () => {
    const id = randomUUID();
    const big = Buffer.concat([pdf, Buffer.alloc(MAX_ATTACHMENT_BYTES + 1 - pdf.length)]);
    const res = await upload(alice, id, big);
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/at most 10 MB/);
    const ok = await upload(alice, randomUUID(), Buffer.concat([pdf, Buffer.alloc(MAX_ATTACHMENT_BYTES - pdf.length)]));
    expect(ok.status).toBe(201);
    expect((await request(app).get(`/api/v1/attachments/${id}`).set('Authorization', `Bearer ${alice.token}`)).status).toBe(404);
  });

  it('keeps the bytes sealed at rest: the stored row does not contain them and does not open without the key', async () => {
    const id = randomUUID();
    await upload(alice, id, png).expect(201);
    const raw = await services.db.asOwner((sql) => sql.query<{ content: Uint8Array; size: number }>('SELECT content, size FROM attachment_blobs WHERE id = $1', [id]));
    const stored = Buffer.from(raw.rows[0]!.content);
    expect(stored.includes(Buffer.from('Corner Shop'))).toBe(false);
    expect(stored.includes(png.subarray(0, 8))).toBe(false);
    expect(raw.rows[0]!.size).toBe(png.length);
    const { testCipher } = await import('../testing/harness.ts');
    expect(() => testCipher().open(stored, 'attachment_blobs', id, 'content')).toThrow();
  });

  it('hides one user\'s attachment from another and refuses to overwrite it', async () => {
    const id = randomUUID();
    await upload(alice, id, png).expect(201);
    expect((await request(app).get(`/api/v1/attachments/${id}`).set('Authorization', `Bearer ${bob.token}`)).status).toBe(404);
    expect((await upload(bob, id, jpeg)).status).toBe(409);
    // The same bytes again (a retried upload) is fine; different bytes under the same id are not.
    expect((await upload(alice, id, png)).status).toBe(200);
    expect((await upload(alice, id, jpeg)).status).toBe(409);
  });

  it('purges the stored bytes with the attachment document once its deletion is past the retention period, and nothing else', async () => {
    const push = (who: { token: string }, rows: unknown) =>
      request(app).post('/api/v1/replication/attachments/push').set('Authorization', `Bearer ${who.token}`).send(rows as object);
    const transactionId = randomUUID();
    const meta = (id: string) => ({
      id, hlc: '1790000000000:0000:phone', transactionId, fileName: 'receipt.png', mimeType: 'image/png',
      size: png.length, sha256: 'a'.repeat(64), uploadedAt: '2026-12-01T10:00:00.000Z', _deleted: false,
    });
    const get = (who: { token: string }, id: string) => request(app).get(`/api/v1/attachments/${id}`).set('Authorization', `Bearer ${who.token}`);
    const [kept, deleted, bobsDeleted] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [kept, deleted]) expect((await upload(alice, id, png)).status).toBe(201);
    expect((await upload(bob, bobsDeleted, png)).status).toBe(201);
    const first = await push(alice, [{ newDocumentState: meta(kept) }, { newDocumentState: meta(deleted) }]);
    expect(first.body.written, JSON.stringify(first.body)).toBe(2);
    const wrote = async (res: Promise<request.Response>) => {
      const r = await res;
      expect(r.body.written, JSON.stringify(r.body)).toBe(1);
    };
    await wrote(push(bob, [{ newDocumentState: meta(bobsDeleted) }]));
    const gone = (id: string) => ({ assumedMasterState: meta(id), newDocumentState: { ...meta(id), hlc: '1790000000001:0000:phone', _deleted: true } });
    await wrote(push(alice, [gone(deleted)]));
    await wrote(push(bob, [gone(bobsDeleted)]));

    const service = new ReplicationService({ db: services.db, cipher: services.cipher });
    // Inside the retention period every device may still be catching up: nothing goes.
    await service.purgeDeleted(new Date(Date.now() + 89 * 86_400_000));
    expect((await get(alice, deleted)).status).toBe(200);
    const late = await service.purgeDeleted(new Date(Date.now() + 91 * 86_400_000));
    expect(late.attachment_blobs).toBeGreaterThanOrEqual(2);
    expect((await get(alice, deleted)).status).toBe(404);
    expect((await get(bob, bobsDeleted)).status).toBe(404);
    expect((await get(alice, kept)).status).toBe(200);
  });

  it('requires sign-in and a UUID id', async () => {
    expect((await request(app).post(`/api/v1/attachments/${randomUUID()}`).send(png)).status).toBe(401);
    expect((await upload(alice, 'receipt.png', png)).status).toBe(400);
  });
});
