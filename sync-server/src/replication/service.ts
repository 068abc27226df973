import { COLLECTIONS, replicatedDocValidator, type CollectionName } from '@mymidas/shared/schema';
import { idKind, type PullCheckpoint as Checkpoint, type PushAnswer as PushResult, type PushRow, type Refusal, type WireDoc } from '@mymidas/shared/protocol';
import { jsonEqual, stripMeta } from '@mymidas/shared/sync';
import { auditDataChanges, type DataAction, type RequestOrigin } from '../audit/audit.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { Database, Sql, SqlValue } from '../store/database.ts';
import { docJsonSelectList, openDoc, openDocJson, piiColumns, piiSelectList, sealDoc } from '../store/documents.ts';
import { retiredShapeDetail } from './retired-shapes.ts';

export type { PullCheckpoint as Checkpoint, PushAnswer as PushResult, PushRow, Refusal, WireDoc } from '@mymidas/shared/protocol';

/** Soft-deleted rows are kept this long so every device pulls the deletion before it disappears. */
export const DELETED_RETENTION_DAYS = 90;

const MAX_ID = '00000000-0000-0000-0000-000000000000';

function selectList(collection: CollectionName): string {
  return ['id', 'seq', 'deleted', 'doc', ...piiSelectList(collection)].join(', ');
}

/**
 * Keyset pagination wants one plan: walk the `(user_id, seq, id)` index in order and stop after `limit`
 * rows. With stale statistics — always on PGlite, which has no autovacuum, and on PostgreSQL until the
 * first auto-analyze after a bulk load — the planner believes a user has a handful of rows and picks a
 * bitmap scan of every row after the checkpoint plus a sort, so a first sync of 100,000 documents read
 * about 5 million rows. Turned off for the pull's own transaction only.
 */
export const PULL_PLANNER_SETTINGS = "SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)";

/** The pull's SELECT (parameters: user id, checkpoint seq, checkpoint id, limit); rows for `openDocJson`. */
export function pullQuery(collection: CollectionName): string {
  return `SELECT ${['id', 'seq', 'deleted', ...docJsonSelectList(collection)].join(', ')} FROM ${collection}
          WHERE user_id = $1 AND (seq, id) > ($2::bigint, $3::${idKind(collection)}) ORDER BY seq, id LIMIT $4`;
}

function toWire(cipher: FieldCipher, collection: CollectionName, row: Record<string, unknown>): WireDoc {
  return { ...openDoc(cipher, collection, row), id: String(row.id), _deleted: Boolean(row.deleted) } as WireDoc;
}

/** Serialises every replicated write of one user, so seq order equals commit order (docs/sync-protocol.md). */
export async function lockUserWrites(sql: Sql, userId: string): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`replication:${userId}`]);
}

export class ReplicationService {
  constructor(private readonly deps: { db: Database; cipher: FieldCipher }) {}

  /**
   * One page of a pull with each document as its wire JSON text (`openDocJson`): the route joins them into the
   * answer without parsing or serialising a document (a first sync sends every row the user has).
   */
  async pullJson(userId: string, collection: CollectionName, after: Checkpoint | null, limit: number): Promise<{ documents: string[]; checkpoint: Checkpoint | null }> {
    // The route parsed `after` for this collection (parseCheckpoint), so its id has the column's type.
    const from = after ?? { seq: 0, id: MAX_ID };
    const rows = await this.deps.db.withUser(userId, async (sql) => {
      await sql.query(PULL_PLANNER_SETTINGS);
      return sql.query<Record<string, unknown>>(pullQuery(collection), [userId, from.seq, from.id, limit]);
    });
    const documents = rows.rows.map((r) => openDocJson(this.deps.cipher, collection, r, Boolean(r.deleted)));
    const last = rows.rows.at(-1);
    return { documents, checkpoint: last ? { seq: Number(last.seq), id: String(last.id) } : after };
  }

  /** `pullJson` with the documents parsed: what a client receives. */
  async pull(userId: string, collection: CollectionName, after: Checkpoint | null, limit: number): Promise<{ documents: WireDoc[]; checkpoint: Checkpoint | null }> {
    const page = await this.pullJson(userId, collection, after, limit);
    return { documents: page.documents.map((d) => JSON.parse(d) as WireDoc), checkpoint: page.checkpoint };
  }

  /**
   * One transaction for the batch, one savepoint per row: a refused row rolls back to its savepoint and
   * the others still commit together. Rows are compared with the master under FOR UPDATE.
   */
  async push(userId: string, collection: CollectionName, rows: readonly PushRow[], origin: RequestOrigin = {}): Promise<PushResult> {
    const validator = replicatedDocValidator(collection);
    const result: PushResult = { conflicts: [], refused: [], written: 0 };
    const candidates: Candidate[] = [];
    for (const [index, row] of rows.entries()) {
      const parsed = validator.safeParse(row.newDocumentState);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({ path: ['newDocumentState', ...i.path.map(String)].join('.'), message: i.message }));
        const rawId = (row.newDocumentState as { id?: unknown } | null)?.id;
        const detail = retiredShapeDetail(collection, row.newDocumentState) ?? errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        result.refused.push({ index, id: typeof rawId === 'string' ? rawId : null, reason: 'invalid', detail, errors });
        continue;
      }
      const next = parsed.data as WireDoc;
      const assumed = row.assumedMasterState ? stripMeta(row.assumedMasterState) : null;
      if (assumed && assumed.id !== next.id) {
        result.refused.push({ index, id: next.id, reason: 'invalid', detail: 'assumedMasterState.id differs from newDocumentState.id', errors: [{ path: 'assumedMasterState.id', message: 'must equal newDocumentState.id' }] });
        continue;
      }
      candidates.push({ index, next, assumed });
    }
    const changes: { action: DataAction; id: string }[] = [];
    await this.deps.db.withUser(userId, async (sql) => {
      await lockUserWrites(sql, userId);
      const distinct = new Set(candidates.map((c) => c.next.id)).size === candidates.length;
      if (distinct) await this.pushBatch(sql, userId, collection, candidates, result, changes);
      else for (const c of candidates) await this.pushOne(sql, userId, collection, c, result, changes);
      // In the batch's transaction: the audit rows commit exactly when the writes do.
      await auditDataChanges(sql, userId, collection, changes, origin);
    });
    result.refused.sort((a, b) => a.index - b.index);
    return result;
  }

  /**
   * Distinct ids: one locking read of every master, per-row updates, and the new documents in multi-row
   * INSERT … ON CONFLICT DO NOTHING. A new id that is not inserted is taken by a row this user cannot see.
   */
  private async pushBatch(sql: Sql, userId: string, collection: CollectionName, candidates: readonly Candidate[], result: PushResult, changes: { action: DataAction; id: string }[]): Promise<void> {
    if (candidates.length === 0) return;
    const found = await sql.query<Record<string, unknown>>(
      `SELECT ${selectList(collection)} FROM ${collection} WHERE id = ANY($1::${idKind(collection)}[]) ORDER BY id FOR UPDATE`,
      [candidates.map((c) => c.next.id)],
    );
    const masters = new Map(found.rows.map((r) => [String(r.id), toWire(this.deps.cipher, collection, r)]));
    const inserts: Candidate[] = [];
    for (const c of candidates) {
      const master = masters.get(c.next.id) ?? null;
      if (!master) {
        inserts.push(c);
      } else if (jsonEqual(master, c.next)) {
        // Already the master state (e.g. a batch re-sent after a lost response): nothing to write.
      } else if (!c.assumed || !jsonEqual(master, c.assumed)) {
        result.conflicts.push(master);
      } else {
        await this.update(sql, collection, c.next);
        changes.push({ action: c.next._deleted ? 'data.delete' : 'data.update', id: c.next.id });
        result.written++;
      }
    }
    const cols = piiColumns(collection);
    const names = ['id', 'user_id', 'deleted', 'deleted_at', 'doc', ...cols];
    const perChunk = Math.max(1, Math.floor(30_000 / names.length));
    for (let start = 0; start < inserts.length; start += perChunk) {
      const chunk = inserts.slice(start, start + perChunk);
      const values: SqlValue[] = [];
      const tuples = chunk.map((c) => {
        const { plain, sealed } = sealDoc(this.deps.cipher, collection, c.next);
        const base = values.length;
        values.push(c.next.id, userId, c.next._deleted, c.next._deleted ? new Date() : null, plain, ...(sealed as SqlValue[]));
        return `(${names.map((_, i) => `$${base + i + 1}`).join(', ')})`;
      });
      const res = await sql.query<{ id: unknown }>(
        `INSERT INTO ${collection} (${names.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING RETURNING id`,
        values,
      );
      const inserted = new Set(res.rows.map((r) => String(r.id)));
      for (const c of chunk) {
        if (inserted.has(c.next.id)) {
          changes.push({ action: c.next._deleted ? 'data.delete' : 'data.create', id: c.next.id });
          result.written++;
        } else {
          result.refused.push(idTaken(c));
        }
      }
    }
  }

  /** The row-at-a-time path, for a batch that names one id more than once: each row sees the one before. */
  private async pushOne(sql: Sql, userId: string, collection: CollectionName, c: Candidate, result: PushResult, changes: { action: DataAction; id: string }[]): Promise<void> {
    const { next, assumed } = c;
    await sql.query('SAVEPOINT push_row');
    try {
      const found = await sql.query<Record<string, unknown>>(`SELECT ${selectList(collection)} FROM ${collection} WHERE id = $1 FOR UPDATE`, [next.id]);
      const masterRow = found.rows[0];
      const master = masterRow ? toWire(this.deps.cipher, collection, masterRow) : null;
      if (master && jsonEqual(master, next)) {
        // nothing to write
      } else if (master && (!assumed || !jsonEqual(master, assumed))) {
        result.conflicts.push(master);
      } else if (master) {
        await this.update(sql, collection, next);
        changes.push({ action: next._deleted ? 'data.delete' : 'data.update', id: next.id });
        result.written++;
      } else {
        const cols = piiColumns(collection);
        const { plain, sealed } = sealDoc(this.deps.cipher, collection, next);
        const names = ['id', 'user_id', 'deleted', 'deleted_at', 'doc', ...cols];
        const values: SqlValue[] = [next.id, userId, next._deleted, next._deleted ? new Date() : null, plain, ...sealed];
        await sql.query(`INSERT INTO ${collection} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, values);
        changes.push({ action: next._deleted ? 'data.delete' : 'data.create', id: next.id });
        result.written++;
      }
      await sql.query('RELEASE SAVEPOINT push_row');
    } catch (err) {
      await sql.query('ROLLBACK TO SAVEPOINT push_row');
      if (!isUniqueViolation(err)) throw err;
      result.refused.push(idTaken(c));
    }
  }

  private async update(sql: Sql, collection: CollectionName, next: WireDoc): Promise<void> {
    const cols = piiColumns(collection);
    const { plain, sealed } = sealDoc(this.deps.cipher, collection, next);
    const sets = ['deleted = $2', `deleted_at = CASE WHEN $2 THEN coalesce(deleted_at, now()) ELSE NULL END`, 'doc = $3', ...cols.map((c, i) => `${c} = $${i + 4}`)];
    await sql.query(`UPDATE ${collection} SET ${sets.join(', ')} WHERE id = $1`, [next.id, next._deleted, plain, ...sealed] as SqlValue[]);
  }

  /**
   * Removes soft-deleted rows older than the retention period, in every replicated collection, and the
   * stored bytes of every attachment purged with them. Run daily by the server (start.ts) and callable
   * by an operator.
   */
  async purgeDeleted(now = new Date(), retentionDays = DELETED_RETENTION_DAYS): Promise<Record<string, number>> {
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
    const counts: Record<string, number> = {};
    await this.deps.db.asOwner(async (sql) => {
      const blobs = await sql.query(
        `DELETE FROM attachment_blobs b USING attachments a WHERE a.id = b.id AND a.user_id = b.user_id AND a.deleted AND a.deleted_at < $1`,
        [cutoff],
      );
      counts.attachment_blobs = blobs.rowCount;
      for (const name of Object.keys(COLLECTIONS)) {
        const res = await sql.query(`DELETE FROM ${name} WHERE deleted AND deleted_at < $1`, [cutoff]);
        counts[name] = res.rowCount;
      }
    });
    return counts;
  }
}

interface Candidate {
  index: number;
  next: WireDoc;
  assumed: Record<string, unknown> | null;
}

/** Not visible under RLS yet the primary key is taken: the id belongs to another user. */
function idTaken(c: Candidate): Refusal {
  return { index: c.index, id: c.next.id, reason: 'id-taken', detail: 'This id is already used by a document you cannot see. Give the document a new id.' };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
