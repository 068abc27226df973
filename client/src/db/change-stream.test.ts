import { afterEach, describe, expect, it, vi } from 'vitest';
import { Subject } from 'rxjs';
import type { RxStorageInstance } from 'rxdb';
import { plaintextChangeStream, type StorageBulk } from './change-stream.ts';
import { ENVELOPE_FIELD, type Doc, type EnvelopeCodec } from './envelope-codec.ts';
import { DecryptionError } from './errors.ts';

type Row = { id: string; name?: string };

/** An inner storage whose change stream the test drives, and a codec that opens only envelopes it knows. */
function setup() {
  const inner$ = new Subject<StorageBulk<Row>>();
  const instance = { changeStream: () => inner$.asObservable(), findDocumentsById: async () => [] } as unknown as RxStorageInstance<Row, unknown, unknown>;
  const known = new Map<string, Doc>([['sealed-ours', { name: 'Groceries' }]]);
  const codec: EnvelopeCodec = {
    seal: async (doc) => doc,
    envelope: async () => 'sealed-ours',
    unseal: async (stored) => {
      const opened = known.get(String(stored[ENVELOPE_FIELD]));
      if (!opened) throw new DecryptionError('categories', String(stored.id));
      const { [ENVELOPE_FIELD]: _envelope, ...rest } = stored;
      return { ...rest, ...opened };
    },
    withoutSecrets: (doc) => doc,
  };
  const changes = plaintextChangeStream<Row>({ instance, codec, primaryPath: 'id', collection: 'categories' });
  return { inner$, changes };
}

function bulk(id: string, envelope: string): StorageBulk<Row> {
  return {
    id: `bulk-${id}`,
    events: [{ documentId: id, operation: 'INSERT', documentData: { id, [ENVELOPE_FIELD]: envelope } as never, previousDocumentData: undefined }],
    checkpoint: null,
    context: 'test',
  } as unknown as StorageBulk<Row>;
}

afterEach(() => vi.restoreAllMocks());

describe('plaintext change stream', () => {
  it('drops a bulk sealed under another key with a warning and goes on with the next (the stream never errors)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { inner$, changes } = setup();
    const seen: string[] = [];
    let failed: unknown = null;
    const sub = changes.stream.subscribe({ next: (b) => seen.push(...b.events.map((e) => String((e.documentData as Row).name))), error: (e: unknown) => (failed = e) });
    inner$.next(bulk('a', 'sealed-elsewhere'));
    inner$.next(bulk('b', 'sealed-ours'));
    await changes.settled();
    sub.unsubscribe();
    expect(failed).toBeNull();
    expect(seen).toEqual(['Groceries']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/categories could not be decrypted/);
  });

  it('own writes are reported with the plaintext they were given, without decrypting', async () => {
    const { inner$, changes } = setup();
    const seen: Row[] = [];
    const sub = changes.stream.subscribe((b) => seen.push(...b.events.map((e) => e.documentData as Row)));
    changes.remember('sealed-mine', { id: 'c', name: 'Rent' }, undefined);
    inner$.next(bulk('c', 'sealed-mine'));
    await changes.settled();
    sub.unsubscribe();
    expect(seen).toEqual([{ id: 'c', name: 'Rent' }]);
  });
});
