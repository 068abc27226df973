import type { AttachmentType } from '@mymidas/shared/protocol';
import { auditDataChanges, type RequestOrigin } from '../audit/audit.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { Database } from '../store/database.ts';

const TABLE = 'attachment_blobs';
const FIELD = 'content';

/** Storage each user may fill with attachment bytes unless configured otherwise: 1 GiB. */
export const DEFAULT_ATTACHMENT_QUOTA_BYTES = 1024 ** 3;
/** Bytes uploaded without an `attachments` record are kept this long for the record to arrive: 7 days. */
export const ORPHAN_BLOB_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

export interface QuotaExceeded {
  outcome: 'over-quota';
  quotaBytes: number;
  usedBytes: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Attachment bytes sealed with the field cipher (bound to table, id and column), under the user's RLS. */
export class AttachmentStore {
  constructor(private readonly deps: { db: Database; cipher: FieldCipher; quotaBytes?: number }) {}

  /**
   * 'created', 'unchanged' (same bytes uploaded again), 'taken' (the id holds other bytes or is another
   * user's), or over-quota (the user's stored bytes plus these would pass the quota: nothing is stored).
   */
  async put(userId: string, id: string, mimeType: AttachmentType, bytes: Uint8Array, origin: RequestOrigin = {}): Promise<'created' | 'unchanged' | 'taken' | QuotaExceeded> {
    const sealed = this.deps.cipher.seal(bytes, TABLE, id, FIELD);
    const quotaBytes = this.deps.quotaBytes ?? DEFAULT_ATTACHMENT_QUOTA_BYTES;
    return this.deps.db.withUser(userId, async (sql) => {
      const existing = await sql.query<{ content: Uint8Array }>(`SELECT content FROM ${TABLE} WHERE id = $1`, [id]);
      const row = existing.rows[0];
      if (row) return sameBytes(this.deps.cipher.open(row.content, TABLE, id, FIELD), bytes) ? 'unchanged' : 'taken';
      // One upload of this user's at a time from here to commit, so two at once cannot both fit the quota.
      await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`attachment-quota:${userId}`]);
      const used = await sql.query<{ n: number | string }>(`SELECT coalesce(sum(size), 0)::bigint AS n FROM ${TABLE}`);
      const usedBytes = Number(used.rows[0]?.n ?? 0);
      if (usedBytes + bytes.length > quotaBytes) return { outcome: 'over-quota', quotaBytes, usedBytes };
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

  /**
   * Removes, as the owner, bytes that no `attachments` record of the same user names and that were
   * uploaded before `now - graceMs` (an upload whose record never came: an abandoned upload, or bytes sent
   * only to fill the disk). Returns how many went. The daily purge job runs it.
   */
  async purgeOrphans(now = new Date(), graceMs = ORPHAN_BLOB_GRACE_MS): Promise<number> {
    const cutoff = new Date(now.getTime() - graceMs);
    const res = await this.deps.db.asOwner((sql) =>
      sql.query(
        `DELETE FROM ${TABLE} b WHERE b.created_at < $1
            AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.id = b.id AND a.user_id = b.user_id)`,
        [cutoff],
      ),
    );
    return res.rowCount;
  }

  async get(userId: string, id: string): Promise<{ mimeType: string; bytes: Uint8Array } | null> {
    const res = await this.deps.db.withUser(userId, (sql) => sql.query<{ mime_type: string; content: Uint8Array }>(`SELECT mime_type, content FROM ${TABLE} WHERE id = $1`, [id]));
    const row = res.rows[0];
    if (!row) return null;
    return { mimeType: row.mime_type, bytes: this.deps.cipher.open(row.content, TABLE, id, FIELD) };
  }
}
