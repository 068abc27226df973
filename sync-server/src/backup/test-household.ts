import { createHash, randomBytes } from 'node:crypto';
import { generateHousehold, type HouseholdOptions } from '@mymidas/shared/demo';
import { COLLECTION_NAMES, COLLECTIONS, type CollectionName } from '@mymidas/shared/schema';
import { AttachmentStore } from '../attachments/store.ts';
import { writeServerOwned } from '../cli/demo-server-owned.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import { ReplicationService } from '../replication/service.ts';
import type { Database } from '../store/database.ts';

/**
 * For the backup tests and bench: the demo household stored for one user as devices and jobs store it —
 * client collections through the replication service's push (1,000 rows a request), server-owned ones as
 * the feeds do — plus `attachments` receipts whose bytes go through the attachment store.
 */
export async function loadHousehold(
  deps: { db: Database; cipher: FieldCipher },
  userId: string,
  options: HouseholdOptions,
  attachments = 0,
): Promise<{ counts: Record<string, number>; attachments: Map<string, Uint8Array> }> {
  const replication = new ReplicationService(deps);
  const pending = new Map<CollectionName, Record<string, unknown>[]>();
  const counts: Record<string, number> = {};
  const flush = async (name: CollectionName) => {
    const docs = pending.get(name) ?? [];
    if (!docs.length) return;
    pending.set(name, []);
    if (COLLECTIONS[name].serverOwned) await writeServerOwned(deps, userId, name, docs);
    else {
      const res = await replication.push(userId, name, docs.map((d) => ({ newDocumentState: { ...d, _deleted: false } })));
      if (res.conflicts.length || res.refused.length) throw new Error(`push of ${name} was not all accepted: ${JSON.stringify(res.refused.slice(0, 2))}`);
    }
  };
  for (const record of generateHousehold(options)) {
    const list = pending.get(record.collection) ?? [];
    list.push(record.doc as Record<string, unknown>);
    pending.set(record.collection, list);
    counts[record.collection] = (counts[record.collection] ?? 0) + 1;
    if (list.length >= 1000) await flush(record.collection);
  }
  for (const name of COLLECTION_NAMES) await flush(name);

  const bytes = new Map<string, Uint8Array>();
  if (attachments > 0) {
    const store = new AttachmentStore(deps);
    const txns = await deps.db.withUser(userId, (sql) => sql.query<{ id: string }>(`SELECT id FROM transactions ORDER BY id LIMIT ${attachments}`));
    const docs: Record<string, unknown>[] = [];
    for (const [i, t] of txns.rows.entries()) {
      const id = `0196b000-0000-7000-8000-${String(i).padStart(12, '0')}`;
      // A PDF header, then random bytes of a varied size (some over 64 KiB).
      const body = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1000 + i * 23_000)]));
      const put = await store.put(userId, id, 'application/pdf', body);
      if (put !== 'created') throw new Error(`attachment ${id}: ${JSON.stringify(put)}`);
      bytes.set(id, body);
      docs.push({
        id, hlc: '1767225600000:0000:backup-test', transactionId: t.id, fileName: `receipt-${i}.pdf`, mimeType: 'application/pdf',
        size: body.length, sha256: createHash('sha256').update(body).digest('hex'), uploadedAt: '2026-10-31T12:00:00.000Z',
      });
    }
    const res = await replication.push(userId, 'attachments', docs.map((d) => ({ newDocumentState: { ...d, _deleted: false } })));
    if (res.conflicts.length || res.refused.length) throw new Error(`attachment records were not all accepted: ${JSON.stringify(res.refused.slice(0, 2))}`);
    counts.attachments = (counts.attachments ?? 0) + docs.length;
  }
  return { counts, attachments: bytes };
}
