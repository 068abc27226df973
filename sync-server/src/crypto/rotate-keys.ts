import { COLLECTION_NAMES } from '@mymidas/shared/schema';
import type { Database, SqlValue } from '../store/database.ts';
import { piiColumns } from '../store/documents.ts';
import type { FieldCipher } from './field-cipher.ts';

interface SealedTable {
  table: string;
  /** Column holding the owner's id (RLS key). */
  owner: string;
  columns: string[];
}

/** Every place a sealed envelope lives. */
export function sealedTables(): SealedTable[] {
  const out: SealedTable[] = COLLECTION_NAMES.map((c) => ({ table: c, owner: 'user_id', columns: piiColumns(c) })).filter((t) => t.columns.length > 0);
  out.push({ table: 'users', owner: 'id', columns: ['totp_secret'] });
  out.push({ table: 'attachment_blobs', owner: 'user_id', columns: ['content'] });
  return out;
}

export interface RotationProgress {
  table: string;
  userId: string;
  resealed: number;
}

export interface RotationOptions {
  batchSize?: number;
  /** Called after each committed batch (progress display; tests use it to simulate a crash). */
  onBatch?: (p: RotationProgress) => void | Promise<void>;
}

/**
 * Re-seals every envelope not under the cipher's current key. Works in small batches, each its own
 * transaction as the runtime role with that user's id (RLS still applies). Any envelope is readable
 * throughout because the cipher accepts the previous keys; an interrupted run is resumed by running
 * it again, since it only ever selects rows still sealed with an old key.
 */
export async function rotateKeys(db: Database, cipher: FieldCipher, opts: RotationOptions = {}): Promise<{ resealed: number }> {
  const batchSize = opts.batchSize ?? 500;
  const users = (await db.asOwner((sql) => sql.query<{ id: string }>('SELECT id FROM users ORDER BY id'))).rows.map((r) => r.id);
  let total = 0;
  const current = Buffer.from(cipher.current.id);
  for (const t of sealedTables()) {
    const stale = t.columns.map((c) => `(${c} IS NOT NULL AND substring(${c} from 2 for 4) <> $1)`).join(' OR ');
    for (const userId of users) {
      for (;;) {
        const n = await db.withUser(userId, async (sql) => {
          await sql.query(`SELECT set_config('app.reseal', 'on', true)`);
          const rows = await sql.query<Record<string, unknown>>(
            `SELECT id, ${t.columns.join(', ')} FROM ${t.table} WHERE ${stale} ORDER BY id LIMIT ${batchSize} FOR UPDATE`,
            [current],
          );
          for (const row of rows.rows) {
            const id = String(row.id);
            const values: SqlValue[] = t.columns.map((c) => {
              const env = row[c];
              if (!(env instanceof Uint8Array)) return null;
              return cipher.isCurrent(env) ? env : cipher.seal(cipher.open(env, t.table, id, c), t.table, id, c);
            });
            await sql.query(`UPDATE ${t.table} SET ${t.columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`, [id, ...values]);
          }
          return rows.rows.length;
        });
        if (n === 0) break;
        total += n;
        await opts.onBatch?.({ table: t.table, userId, resealed: n });
      }
    }
  }
  return { resealed: total };
}

/** Counts envelopes per key id, so an operator can see when no row needs an old key any more. */
export async function envelopeCensus(db: Database): Promise<Record<string, number>> {
  const users = (await db.asOwner((sql) => sql.query<{ id: string }>('SELECT id FROM users'))).rows.map((r) => r.id);
  const counts: Record<string, number> = {};
  for (const t of sealedTables()) {
    for (const userId of users) {
      await db.withUser(userId, async (sql) => {
        for (const c of t.columns) {
          const res = await sql.query<{ k: string; n: number }>(
            `SELECT encode(substring(${c} from 2 for 4), 'hex') AS k, count(*)::int AS n FROM ${t.table} WHERE ${c} IS NOT NULL GROUP BY 1`,
          );
          for (const r of res.rows) counts[r.k] = (counts[r.k] ?? 0) + r.n;
        }
      });
    }
  }
  return counts;
}
