import { idKind } from '@mymidas/shared/protocol';
import { COLLECTION_NAMES, COLLECTIONS, type CollectionName } from '@mymidas/shared/schema';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { Database, SqlValue } from './database.ts';
import { columnOf } from './documents.ts';

export interface ClearFieldProgress {
  collection: CollectionName;
  userId: string;
  /** Rows whose clear PII values this batch sealed. */
  sealed: number;
}

export interface SealClearFieldsOptions {
  batchSize?: number;
  /** Called after each committed batch (tests use it to simulate a crash part-way). */
  onBatch?: (p: ClearFieldProgress) => void | Promise<void>;
}

/**
 * Moves PII values still held in clear in a row's `doc` into their sealed columns. A field that joins a
 * collection's `pii` list (the shared registry) was stored in `doc` by every earlier write; the migration
 * that added its column (postgres/init/006_seal_free_text.sql) cannot seal, as SQL never sees the key.
 * The server runs this at every start, after the migrations (services.ts).
 *
 * Same pattern as key rotation (crypto/rotate-keys.ts): small batches, each its own transaction as the
 * runtime role with one user's id (RLS applies), rows locked `FOR UPDATE` and rewritten by one UPDATE. Only rows whose `doc` still holds
 * a PII key are selected, so an interrupted run is resumed by running it again and a finished one does
 * nothing. The values do not change, so no row takes a new pull sequence number (`app.reseal`), and clients
 * are served the same documents before, during and after (store/documents.ts `openDoc`).
 */
export async function sealClearFields(db: Database, cipher: FieldCipher, opts: SealClearFieldsOptions = {}): Promise<{ sealed: number }> {
  const batchSize = opts.batchSize ?? 500;
  const users = (await db.asOwner((sql) => sql.query<{ id: string }>('SELECT id FROM users ORDER BY id'))).rows.map((r) => r.id);
  let total = 0;
  for (const collection of COLLECTION_NAMES) {
    const fields = [...COLLECTIONS[collection].pii];
    if (fields.length === 0) continue;
    for (const userId of users) {
      // Keyset pagination: each batch walks the primary key from the last row done, not from the start.
      let after: string | null = null;
      for (;;) {
        const from: string | null = after;
        const n = await db.withUser(userId, async (sql) => {
          await sql.query(`SELECT set_config('app.reseal', 'on', true)`);
          const rows = await sql.query<{ id: unknown; doc: Record<string, unknown> }>(
            `SELECT id, doc FROM ${collection} WHERE doc ?| $1::text[]${from === null ? '' : ` AND id > $2::${idKind(collection)}`} ORDER BY id LIMIT ${batchSize} FOR UPDATE`,
            from === null ? [fields] : [fields, from],
          );
          if (rows.rows.length === 0) return 0;
          after = String(rows.rows.at(-1)!.id);
          // One UPDATE for the batch: per field, the new envelope as base64 (null keeps the column: a field
          // this row's doc does not hold was sealed already).
          const ids = rows.rows.map((row) => String(row.id));
          const envelopes: SqlValue[] = fields.map((f) =>
            rows.rows.map((row) => (Object.hasOwn(row.doc, f) ? Buffer.from(cipher.encrypt(JSON.stringify(row.doc[f] ?? null), collection, String(row.id), columnOf(f))).toString('base64') : null)),
          );
          const cols = fields.map(columnOf);
          await sql.query(
            `UPDATE ${collection} AS t SET doc = t.doc - $2::text[], ${cols.map((c) => `${c} = coalesce(decode(v.${c}, 'base64'), t.${c})`).join(', ')}
               FROM unnest($1::text[], ${cols.map((_, i) => `$${i + 3}::text[]`).join(', ')}) AS v(id, ${cols.join(', ')})
              WHERE t.id = v.id::${idKind(collection)}`,
            [ids, fields, ...envelopes],
          );
          return rows.rows.length;
        });
        if (n === 0) break;
        total += n;
        await opts.onBatch?.({ collection, userId, sealed: n });
      }
    }
  }
  return { sealed: total };
}
