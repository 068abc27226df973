import type { AttachmentType } from '@mymidas/shared/protocol';
import { auditDataChanges, type RequestOrigin } from '../audit/audit.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { Database } from '../store/database.ts';

const TABLE = 'attachment_blobs';
const FIELD = 'content';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Attachment bytes sealed with the field cipher (bound to table, id and column), under the user's RLS. */
export class AttachmentStore {
  constructor(private readonly deps: { db: Database; cipher: FieldCipher }) {}

  /** 'created', 'unchanged' (same bytes uploaded again), or 'taken' (the id holds other bytes or is another user's). */
  async put(userId: string, id: string, mimeType: AttachmentType, bytes: Uint8Array, origin: RequestOrigin = {}): Promise<'created' | 'unchanged' | 'taken'> {
    const sealed = this.deps.cipher.seal(bytes, TABLE, id, FIELD);
    return this.deps.db.withUser(userId, async (sql) => {
      const existing = await sql.query<{ content: Uint8Array }>(`SELECT content FROM ${TABLE} WHERE id = $1`, [id]);
      const row = existing.rows[0];
      if (row) return sameBytes(this.deps.cipher.open(row.content, TABLE, id, FIELD), bytes) ? 'unchanged' : 'taken';
      await sql.query('SAVEPOINT put_blob');
      try {
        await sql.query(`INSERT INTO ${TABLE} (id, user_id, mime_type, size, content) VALUES ($1, $2, $3, $4, $5)`, [id, userId, mimeType, bytes.length, sealed]);
        await sql.query('RELEASE SAVEPOINT put_blob');
        await auditDataChanges(sql, userId, TABLE, [{ action: 'data.create', id }], origin);
        return 'created';
      } catch (err) {
        await sql.query('ROLLBACK TO SAVEPOINT put_blob');
        if ((err as { code?: unknown }).code === '23505') return 'taken';
        throw err;
      }
    });
  }

  async get(userId: string, id: string): Promise<{ mimeType: string; bytes: Uint8Array } | null> {
    const res = await this.deps.db.withUser(userId, (sql) => sql.query<{ mime_type: string; content: Uint8Array }>(`SELECT mime_type, content FROM ${TABLE} WHERE id = $1`, [id]));
    const row = res.rows[0];
    if (!row) return null;
    return { mimeType: row.mime_type, bytes: this.deps.cipher.open(row.content, TABLE, id, FIELD) };
  }
}
