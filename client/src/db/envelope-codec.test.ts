import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from './bytes.ts';
import { ENVELOPE_FIELD, ENVELOPE_VERSION, IV_BYTES, TAG_BYTES, createEnvelopeCodec, envelopeAdditionalData } from './envelope-codec.ts';
import type { Doc, EncryptionCounters, EnvelopeCodec } from './envelope-codec.ts';
import { DecryptionError, ReplicaLockedError } from './errors.ts';

const newKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

async function codecFor(options: { collection?: string; key?: CryptoKey | null; counters?: EncryptionCounters } = {}): Promise<EnvelopeCodec> {
  const key = options.key === undefined ? await newKey() : options.key;
  return createEnvelopeCodec({
    collection: options.collection ?? 'transactions',
    primaryPath: 'id',
    encrypted: new Set(['description', 'notes']),
    key: () => {
      if (!key) throw new ReplicaLockedError();
      return key;
    },
    crypto,
    counters: options.counters,
  });
}

const doc = (id: string, description: string, notes: string | null = null): Doc => ({ id, amount: -1250, description, notes, _rev: '1-a', _meta: { lwt: 1 } });

/** The envelope's bytes with one byte changed. */
function flipByte(envelope: string, at: number): string {
  const bytes = fromBase64(envelope);
  bytes[at] = bytes[at]! ^ 0x01;
  return toBase64(bytes);
}

describe('envelope codec', () => {
  it('seals the PII fields into one envelope and opens them back, other fields untouched', async () => {
    const codec = await codecFor();
    const stored = await codec.seal(doc('t1', 'Coffee at Étoile ☕', 'with Sam'));
    expect(Object.keys(stored).sort()).toEqual(['_meta', '_rev', 'amount', 'id', ENVELOPE_FIELD].sort());
    expect(JSON.stringify(stored)).not.toContain('Coffee');
    expect(JSON.stringify(stored)).not.toContain('Sam');
    expect(await codec.unseal(stored)).toEqual(doc('t1', 'Coffee at Étoile ☕', 'with Sam'));
  });

  it('lays the envelope out as version ‖ IV ‖ ciphertext ‖ tag, with a fresh IV for every seal', async () => {
    const codec = await codecFor();
    const a = fromBase64(String((await codec.seal(doc('t1', 'same'))).sealed));
    const b = fromBase64(String((await codec.seal(doc('t1', 'same'))).sealed));
    expect(a[0]).toBe(ENVELOPE_VERSION);
    const plaintext = new TextEncoder().encode(JSON.stringify({ description: 'same', notes: null }));
    expect(a.length).toBe(1 + IV_BYTES + plaintext.length + TAG_BYTES);
    expect(a.subarray(1, 1 + IV_BYTES)).not.toEqual(b.subarray(1, 1 + IV_BYTES));
  });

  it('leaves an undefined PII field out of the envelope, and the opened document without it', async () => {
    const codec = await codecFor();
    const opened = await codec.unseal(await codec.seal({ id: 't1', description: 'only this', notes: undefined }));
    expect(opened).toEqual({ id: 't1', description: 'only this' });
    expect(Object.hasOwn(opened, 'notes')).toBe(false);
  });

  it('keeps every document its own when many are sealed at once, of every size (the scratch buffers grow)', async () => {
    const codec = await codecFor();
    const docs = Array.from({ length: 200 }, (_, i) => doc(`t${i}`, `${i}:`.padEnd(i === 7 ? 40_000 : 1 + (i % 50), 'x'), i % 3 === 0 ? `note ${i}` : null));
    const stored = await Promise.all(docs.map((d) => codec.seal(d)));
    expect(await Promise.all(stored.map((s) => codec.unseal(s)))).toEqual(docs);
  });

  it('opens a document with an id longer than the additional-data buffer', async () => {
    const codec = await codecFor();
    const long = doc('ü'.repeat(2000), 'long id');
    expect(await codec.unseal(await codec.seal(long))).toEqual(long);
  });

  it('counts one encrypt per seal and one decrypt per open', async () => {
    const counters = { encrypt: 0, decrypt: 0 };
    const codec = await codecFor({ counters });
    const stored = await Promise.all([1, 2, 3].map((i) => codec.seal(doc(`t${i}`, 'x'))));
    await Promise.all(stored.map((s) => codec.unseal(s)));
    expect(counters).toEqual({ encrypt: 3, decrypt: 3 });
  });

  it('drops the PII fields from a previous-row stand-in without sealing anything', async () => {
    const counters = { encrypt: 0, decrypt: 0 };
    const codec = await codecFor({ counters });
    expect(codec.withoutSecrets(doc('t1', 'secret', 'also secret'))).toEqual({ id: 't1', amount: -1250, _rev: '1-a', _meta: { lwt: 1 } });
    expect(counters.encrypt).toBe(0);
  });

  it('names the additional data after collection and id', () => {
    expect(envelopeAdditionalData('transactions', 't1')).toBe('mymidas/v1/transactions/t1');
  });
});

describe('envelope codec, from the side of someone who can write to the IndexedDB', () => {
  it('refuses an envelope moved onto another document', async () => {
    const codec = await codecFor();
    const victim = await codec.seal(doc('t1', 'salary from Acme'));
    const moved = { ...(await codec.seal(doc('t2', 'coffee'))), [ENVELOPE_FIELD]: victim[ENVELOPE_FIELD] };
    await expect(codec.unseal(moved)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('refuses an envelope moved into another collection', async () => {
    const key = await newKey();
    const transactions = await codecFor({ key, collection: 'transactions' });
    const payees = await codecFor({ key, collection: 'payees' });
    await expect(payees.unseal(await transactions.seal(doc('t1', 'x')))).rejects.toBeInstanceOf(DecryptionError);
  });

  it('refuses a changed byte anywhere: version, IV, ciphertext or tag', async () => {
    const codec = await codecFor();
    const stored = await codec.seal(doc('t1', 'rent'));
    const envelope = String(stored[ENVELOPE_FIELD]);
    const length = fromBase64(envelope).length;
    for (const at of [0, 1, 1 + IV_BYTES, length - 1]) {
      await expect(codec.unseal({ ...stored, [ENVELOPE_FIELD]: flipByte(envelope, at) })).rejects.toBeInstanceOf(DecryptionError);
    }
  });

  it('refuses a missing, truncated or non-base64 envelope, naming the document and not its content', async () => {
    const codec = await codecFor();
    const stored = await codec.seal(doc('t1', 'rent to Mr Smith'));
    const truncated = toBase64(fromBase64(String(stored[ENVELOPE_FIELD])).subarray(0, 1 + IV_BYTES + TAG_BYTES - 1));
    for (const envelope of [undefined, 42, '', truncated, '%%% not base64 %%%']) {
      const error = await codec.unseal({ ...stored, [ENVELOPE_FIELD]: envelope }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DecryptionError);
      expect((error as Error).message).toContain('transactions/t1');
      expect((error as Error).message).not.toContain('Smith');
    }
  });

  it('refuses an envelope sealed under another key', async () => {
    const mine = await codecFor();
    const theirs = await codecFor();
    await expect(mine.unseal(await theirs.seal(doc('t1', 'x')))).rejects.toBeInstanceOf(DecryptionError);
  });

  it('while locked, seals nothing and opens nothing, with ReplicaLockedError', async () => {
    const open = await codecFor();
    const stored = await open.seal(doc('t1', 'x'));
    const locked = await codecFor({ key: null });
    await expect(locked.seal(doc('t1', 'x'))).rejects.toBeInstanceOf(ReplicaLockedError);
    await expect(locked.unseal(stored)).rejects.toBeInstanceOf(ReplicaLockedError);
  });
});
