import type { Database, Sql } from '../store/database.ts';

export interface AuditEvent {
  userId: string | null;
  action: string;
  entity?: string;
  entityId?: string;
  ip?: string;
  userAgent?: string;
  /** Never a password, token or PII value: ids, counts and outcomes only. */
  details?: Record<string, string | number | boolean | null>;
}

export async function audit(sql: Sql, e: AuditEvent): Promise<void> {
  await sql.query(
    `INSERT INTO audit_logs (user_id, action, entity, entity_id, ip, user_agent, details) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [e.userId, e.action, e.entity ?? null, e.entityId ?? null, e.ip ?? null, (e.userAgent ?? '').slice(0, 300) || null, e.details ?? {}],
  );
}

/** Who made a data change: where the request came from. */
export interface RequestOrigin {
  ip?: string;
  userAgent?: string;
}

export type DataAction = 'data.create' | 'data.update' | 'data.delete';

/**
 * One audit row per changed document, in one statement. `entity` is the collection or table, `entityId`
 * the document id; no document content is recorded. The chain trigger sees the earlier rows of the same
 * statement, so the hash chain stays linear.
 */
export async function auditDataChanges(sql: Sql, userId: string, entity: string, changes: readonly { action: DataAction; id: string }[], origin: RequestOrigin = {}): Promise<void> {
  if (changes.length === 0) return;
  await sql.query(
    `INSERT INTO audit_logs (user_id, action, entity, entity_id, ip, user_agent, details)
     SELECT $1, c.action, $2, c.entity_id, $3, $4, '{}'::jsonb
       FROM unnest($5::text[], $6::text[]) WITH ORDINALITY AS c(action, entity_id, n)
      ORDER BY c.n`,
    [userId, entity, origin.ip ?? null, (origin.userAgent ?? '').slice(0, 300) || null, changes.map((c) => c.action), changes.map((c) => c.id)],
  );
}

export interface AuditRow {
  id: number;
  at: string;
  action: string;
  entity: string | null;
  entityId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export async function listAudit(db: Database, userId: string, opts: { before?: number; limit: number }): Promise<AuditRow[]> {
  const res = await db.withUser(userId, (sql) =>
    sql.query<{ id: number; at: Date; action: string; entity: string | null; entity_id: string | null; ip: string | null; user_agent: string | null; details: Record<string, unknown> }>(
      `SELECT id, at, action, entity, entity_id, ip, user_agent, details FROM audit_logs
        WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
      [opts.before ?? null, opts.limit],
    ),
  );
  return res.rows.map((r) => ({ id: r.id, at: new Date(r.at).toISOString(), action: r.action, entity: r.entity, entityId: r.entity_id, ip: r.ip, userAgent: r.user_agent, details: r.details }));
}

export interface ChainReport {
  ok: boolean;
  rows: number;
  /** First row whose hash does not match, if any. */
  brokenAt?: number;
  head?: string;
}

/** Recomputes the hash chain as the owner; any edited, inserted or deleted row breaks it. */
export async function verifyAuditChain(db: Database): Promise<ChainReport> {
  return db.asOwner(async (sql) => {
    const res = await sql.query<{ id: number; ok_prev: boolean; ok_hash: boolean; hash: Uint8Array }>(
      `SELECT id,
              prev_hash = coalesce(lag(hash) OVER (ORDER BY id), '\\x'::bytea) AS ok_prev,
              hash = sha256(prev_hash || audit_content(a)) AS ok_hash,
              hash
         FROM audit_logs a ORDER BY id`,
    );
    const broken = res.rows.find((r) => !r.ok_prev || !r.ok_hash);
    const last = res.rows.at(-1);
    return {
      ok: !broken,
      rows: res.rows.length,
      ...(broken ? { brokenAt: broken.id } : {}),
      ...(last ? { head: Buffer.from(last.hash).toString('hex') } : {}),
    };
  });
}
