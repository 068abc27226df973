import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReplicaDatabase } from '../../db/database.ts';
import { openAttachmentCache, type AttachmentCache } from './attachment-cache.ts';
import { sniffAttachmentType } from '@mymidas/shared/protocol';
import { AttachmentFileError, checkAttachmentBytes, cleanFileName, sha256Hex } from './attachment-files.ts';
import { addAttachment, openAttachment, removeAttachment, uploadAttachment, uploadPending, type AttachmentDeps } from './attachment-service.ts';
import { account, openTestReplica, testUuid, transaction } from '../../testing/test-replica.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5]);
const PDF = new TextEncoder().encode('%PDF-1.4\n% receipt\n');
const TX = testUuid(10);

/** A fake attachment server with the protocol's answers (201 / 200 on retry / 409 / 404). */
function fakeServer() {
  const stored = new Map<string, Uint8Array>();
  const calls: string[] = [];
  let online = true;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${url}`);
    if (!online) throw new TypeError('Failed to fetch');
    const auth = new Headers(init?.headers).get('Authorization');
    if (auth !== 'Bearer token-1') return new Response(JSON.stringify({ type: 'x/unauthorised', title: 'Sign in', status: 401 }), { status: 401 });
    const id = url.split('/').pop() ?? '';
    if (method === 'POST') {
      const body = init?.body as Uint8Array;
      const prior = stored.get(id);
      if (prior && Buffer.compare(Buffer.from(prior), Buffer.from(body)) !== 0) {
        return new Response(JSON.stringify({ type: 'https://mymidas.app/problems/attachment-exists', title: 'Taken', status: 409, detail: 'This attachment id is already used' }), { status: 409 });
      }
      stored.set(id, new Uint8Array(body));
      return new Response(JSON.stringify({ id, size: body.length }), { status: prior ? 200 : 201 });
    }
    const bytes = stored.get(id);
    if (!bytes) return new Response(JSON.stringify({ type: 'https://mymidas.app/problems/not-found', title: 'Not found', status: 404, detail: 'No attachment with this id.' }), { status: 404 });
    return new Response(bytes.slice(), { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
  };
  return { stored, calls, fetch, setOnline: (v: boolean) => { online = v; } };
}

let db: ReplicaDatabase;
let cache: AttachmentCache;
let idb: IDBFactory;
let server: ReturnType<typeof fakeServer>;
let token: string | null;
let deps: AttachmentDeps;

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.insert(account({ id: testUuid(1) }));
  await db.transactions.insert(transaction({ id: TX, accountId: testUuid(1), amount: -1250 }));
  idb = new IDBFactory();
  cache = openAttachmentCache({ indexedDB: idb });
  server = fakeServer();
  token = 'token-1';
  deps = { cache, fetch: server.fetch, getAccessToken: () => token, baseUrl: '/api/v1', now: () => new Date('2026-11-25T10:00:00Z') };
});
afterEach(async () => {
  cache.close();
  await db.close();
});

describe('attachment files', () => {
  it('decides the type from the bytes, like the server', () => {
    expect(sniffAttachmentType(PNG)).toBe('image/png');
    expect(sniffAttachmentType(PDF)).toBe('application/pdf');
    expect(sniffAttachmentType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffAttachmentType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffAttachmentType(new TextEncoder().encode('GIF89a'))).toBeNull();
  });
  it('refuses empty, oversized and unknown files with the file name', () => {
    expect(() => checkAttachmentBytes(new Uint8Array(), 'a.png')).toThrow(/"a.png" is empty/);
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(PNG);
    expect(() => checkAttachmentBytes(big, 'big.png')).toThrow(/at most 10 MB/);
    expect(() => checkAttachmentBytes(new TextEncoder().encode('hello'), 'note.txt')).toThrow(AttachmentFileError);
  });
  it('keeps names within 255 characters with their extension, and names nameless photos', () => {
    expect(cleanFileName(`${'x'.repeat(300)}.jpeg`, 'image/jpeg')).toMatch(/^x{250}\.jpeg$/);
    expect(cleanFileName('C:\\Users\\me\\scan.pdf', 'application/pdf')).toBe('scan.pdf');
    expect(cleanFileName('  ', 'image/png')).toBe('receipt.png');
  });
});

describe('attachment cache', () => {
  it('stores the bytes sealed: the stored record does not contain them', async () => {
    const secret = new TextEncoder().encode('%PDF-1.4 ACME RECEIPT card 1234');
    await cache.put(testUuid(5), secret, 'application/pdf');
    const raw = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const open = idb.open('mymidas-attachments');
      open.onsuccess = () => {
        const r = open.result.transaction('blobs').objectStore('blobs').get(testUuid(5));
        r.onsuccess = () => resolve(r.result as Record<string, unknown>);
        r.onerror = () => reject(r.error);
      };
    });
    const sealed = Buffer.from(raw.sealed as ArrayBuffer).toString('latin1');
    expect(sealed).not.toContain('ACME');
    expect(sealed.length).toBe(secret.length + 16);
    const back = await cache.get(testUuid(5));
    expect(back && new TextDecoder().decode(back.bytes)).toBe('%PDF-1.4 ACME RECEIPT card 1234');
  });
  it('keeps the key across reopening, and binds each record to its id', async () => {
    await cache.put(testUuid(6), PNG, 'image/png');
    cache.close();
    const again = openAttachmentCache({ indexedDB: idb });
    expect((await again.get(testUuid(6)))?.bytes).toEqual(PNG);
    // Move the sealed record under another id: it no longer opens, and is dropped.
    const moved = await new Promise<void>((resolve, reject) => {
      const open = idb.open('mymidas-attachments');
      open.onsuccess = () => {
        const store = open.result.transaction('blobs', 'readwrite').objectStore('blobs');
        const r = store.get(testUuid(6));
        r.onsuccess = () => {
          store.put({ ...(r.result as object), id: testUuid(7) });
          resolve();
        };
        r.onerror = () => reject(r.error);
      };
    });
    expect(moved).toBeUndefined();
    expect(await again.get(testUuid(7))).toBeNull();
    expect(await again.has(testUuid(7))).toBe(false);
    again.close();
  });
});

describe('attachment cache with the device key', () => {
  it('seals with the provided key, refuses while locked without losing the bytes, and drops records of another key', async () => {
    let deviceKey: CryptoKey | null = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const factory = new IDBFactory();
    const keyed = openAttachmentCache({ indexedDB: factory, key: () => {
      if (!deviceKey) throw new Error('locked');
      return deviceKey;
    } });
    await keyed.put(testUuid(8), PNG, 'image/png');
    expect((await keyed.get(testUuid(8)))?.bytes).toEqual(PNG);
    // No key of its own is stored when the device key is used.
    const own = openAttachmentCache({ indexedDB: factory });
    expect(await own.get(testUuid(8))).toBeNull();
    own.close();
    await keyed.put(testUuid(9), PNG, 'image/png');
    const saved = deviceKey;
    deviceKey = null;
    await expect(keyed.get(testUuid(9))).rejects.toThrow('locked');
    deviceKey = saved;
    expect((await keyed.get(testUuid(9)))?.bytes).toEqual(PNG);
    deviceKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    expect(await keyed.get(testUuid(9))).toBeNull();
    expect(await keyed.has(testUuid(9))).toBe(false);
    keyed.close();
  });
});

describe('adding and uploading', () => {
  it('saves metadata with hash and size, and uploads with the bearer token', async () => {
    const doc = await addAttachment(db, deps, TX, { name: 'till.png', bytes: PNG });
    expect(doc).toMatchObject({ transactionId: TX, fileName: 'till.png', mimeType: 'image/png', size: PNG.length, uploadedAt: null, sha256: await sha256Hex(PNG) });
    expect(await uploadAttachment(db, deps, doc.id)).toBe('uploaded');
    expect(server.stored.get(doc.id)).toEqual(PNG);
    const saved = await db.attachments.findOne(doc.id).exec();
    expect(saved?.uploadedAt).toBe('2026-11-25T10:00:00.000Z');
    expect(saved && saved.hlc > doc.hlc).toBe(true);
    expect(await uploadAttachment(db, deps, doc.id)).toBe('already-uploaded');
  });

  it('refuses a file for a transaction that is not saved', async () => {
    await expect(addAttachment(db, deps, testUuid(99), { name: 'x.png', bytes: PNG })).rejects.toThrow(/Save the transaction/);
    expect(await db.attachments.count().exec()).toBe(0);
  });

  it('queues while offline or signed out and uploads everything once back', async () => {
    server.setOnline(false);
    const a = await addAttachment(db, deps, TX, { name: 'a.png', bytes: PNG });
    const b = await addAttachment(db, deps, TX, { name: 'b.pdf', bytes: PDF });
    expect(await uploadAttachment(db, deps, a.id)).toBe('offline');
    expect(await uploadPending(db, deps)).toEqual({ uploaded: 0, waiting: 2, errors: [] });
    server.setOnline(true);
    token = null;
    expect(await uploadPending(db, deps, TX)).toMatchObject({ uploaded: 0, waiting: 2 });
    token = 'token-1';
    expect(await uploadPending(db, deps, TX)).toEqual({ uploaded: 2, waiting: 0, errors: [] });
    expect([...server.stored.keys()].sort()).toEqual([a.id, b.id].sort());
    expect(await uploadPending(db, deps)).toEqual({ uploaded: 0, waiting: 0, errors: [] });
    const uploads = server.calls.filter((c) => c.startsWith('POST'));
    // One try while offline, one for the queue (which stops at the first network failure),
    // none while signed out, then one per file.
    expect(uploads.length).toBe(4);
  });

  it('reports a server refusal and keeps the attachment queued', async () => {
    const doc = await addAttachment(db, deps, TX, { name: 'a.png', bytes: PNG });
    server.stored.set(doc.id, PDF); // the id already holds other bytes
    const r = await uploadPending(db, deps);
    expect(r.uploaded).toBe(0);
    expect(r.waiting).toBe(1);
    expect(String(r.errors[0]?.error)).toMatch(/already used/);
    expect((await db.attachments.findOne(doc.id).exec())?.uploadedAt).toBeNull();
  });
});

describe('viewing', () => {
  it('opens from the device cache without the network', async () => {
    const doc = await addAttachment(db, deps, TX, { name: 'a.pdf', bytes: PDF });
    server.setOnline(false);
    const file = await openAttachment(deps, doc);
    expect(file.mimeType).toBe('application/pdf');
    expect(file.bytes).toEqual(PDF);
  });

  it('downloads a file added on another device, checks it and keeps it for offline', async () => {
    const doc = await addAttachment(db, deps, TX, { name: 'a.png', bytes: PNG });
    await uploadAttachment(db, deps, doc.id);
    await cache.delete(doc.id); // as if this device never had it
    const uploaded = (await db.attachments.findOne(doc.id).exec())!.toMutableJSON();
    expect((await openAttachment(deps, uploaded)).bytes).toEqual(PNG);
    server.setOnline(false);
    expect((await openAttachment(deps, uploaded)).bytes).toEqual(PNG);
    expect(server.calls.filter((c) => c.startsWith('GET')).length).toBe(1);
  });

  it('refuses bytes that do not match the metadata', async () => {
    const doc = await addAttachment(db, deps, TX, { name: 'a.png', bytes: PNG });
    await uploadAttachment(db, deps, doc.id);
    await cache.delete(doc.id);
    server.stored.set(doc.id, new Uint8Array([...PNG.slice(0, -1), 9]));
    const uploaded = (await db.attachments.findOne(doc.id).exec())!.toMutableJSON();
    await expect(openAttachment(deps, uploaded)).rejects.toThrow(/does not match/);
    expect(await cache.has(doc.id)).toBe(false);
  });

  it('explains a file not uploaded from another device, and a missing one', async () => {
    const doc = await addAttachment(db, deps, TX, { name: 'a.png', bytes: PNG });
    await cache.delete(doc.id);
    await expect(openAttachment(deps, doc)).rejects.toThrow(/not been uploaded yet/);
    await expect(openAttachment(deps, { ...doc, uploadedAt: '2026-11-25T10:00:00Z' })).rejects.toThrow(/No attachment with this id/);
  });

  it('removing deletes the metadata and the local copy', async () => {
    const doc = await addAttachment(db, deps, TX, { name: 'a.png', bytes: PNG });
    await removeAttachment(db, deps, doc.id);
    expect(await db.attachments.findOne(doc.id).exec()).toBeNull();
    expect(await cache.has(doc.id)).toBe(false);
  });
});
