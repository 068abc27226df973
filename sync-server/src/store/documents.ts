import { COLLECTION_NAMES, COLLECTIONS, type CollectionName } from '@mymidas/shared/schema';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { Sql, SqlValue } from './database.ts';

/** camelCase field → snake_case column: accountRef → account_ref. */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** Each collection's PII fields with their columns, worked out once (a pull opens six fields of every row). */
const PII_FIELDS = new Map(COLLECTION_NAMES.map((name) => [name, COLLECTIONS[name].pii.map((field) => ({ field, column: columnOf(field) }))]));
const piiFields = (collection: CollectionName) => PII_FIELDS.get(collection) ?? [];

export function piiColumns(collection: CollectionName): string[] {
  return COLLECTIONS[collection].pii.map(columnOf);
}

/**
 * The PII columns for a SELECT whose rows go to `openDoc`, as base64 text: PGlite turns a bytea into bytes
 * in JavaScript, a byte at a time, which made the sealed columns the larger part of a pull's database time;
 * base64 text is decoded natively (Buffer). `encode` is the same in PostgreSQL 15, 16 and 18.
 */
export function piiSelectList(collection: CollectionName): string[] {
  return piiColumns(collection).map((c) => `encode(${c}, 'base64') AS ${c}`);
}

/** A sealed column as selected: bytes (a plain `SELECT col`) or base64 text (`piiSelectList`). */
function envelopeBytes(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  return typeof value === 'string' ? Buffer.from(value, 'base64') : null;
}

export interface StoredDoc {
  id: string;
  seq: number;
  deleted: boolean;
  doc: Record<string, unknown>;
}

/**
 * Splits a document into its plain part (jsonb) and one sealed envelope per PII field. A null PII value is
 * sealed too, so the database does not reveal which rows have notes.
 */
export function sealDoc(cipher: FieldCipher, collection: CollectionName, doc: Record<string, unknown>): { plain: Record<string, unknown>; sealed: Uint8Array[] } {
  const id = String(doc.id);
  const pii = COLLECTIONS[collection].pii;
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!pii.includes(k) && k !== '_deleted') plain[k] = v;
  const sealed = pii.map((field) => cipher.encrypt(JSON.stringify(doc[field] ?? null), collection, id, columnOf(field)));
  return { plain, sealed };
}

/**
 * The document a row holds. A PII field still present in `doc` was written before that field was sealed
 * (this code never writes one there) and is the row's latest value for it: it is served as it is, until
 * `sealClearFields` (store/seal-clear-fields.ts) moves it into its column.
 */
export function openDoc(cipher: FieldCipher, collection: CollectionName, row: Record<string, unknown>): Record<string, unknown> {
  const id = String(row.id);
  const doc = { ...(row.doc as Record<string, unknown>) };
  for (const { field, column } of piiFields(collection)) {
    if (Object.hasOwn(doc, field)) continue;
    const env = envelopeBytes(row[column]);
    doc[field] = env ? JSON.parse(cipher.decrypt(env, collection, id, column)) : null;
  }
  return doc;
}

/**
 * The columns for a SELECT whose rows go to `openDocJson`: the plain part as jsonb's text (`doc_json`), whether it
 * still holds a PII field in clear (`clear_pii`), and the sealed columns as base64 text.
 */
export function docJsonSelectList(collection: CollectionName): string[] {
  const pii = COLLECTIONS[collection].pii;
  const clear = pii.length > 0 ? `doc ?| ARRAY[${pii.map((f) => `'${f}'`).join(', ')}]` : 'false';
  return ['doc::text AS doc_json', `${clear} AS clear_pii`, ...piiSelectList(collection)];
}

/**
 * `openDoc`'s document as JSON text, with `_deleted` — what a pull sends — built without parsing or serialising
 * the document: the plain part is jsonb's own text, and each sealed field's plaintext is already the JSON of its
 * value (`sealDoc` seals `JSON.stringify(value)`, and authentication guarantees nothing else comes out). The
 * fields follow in the order `openDoc` gives them (jsonb's key order, then the sealed fields), so the text equals
 * `JSON.stringify({ ...openDoc(…), _deleted })`. A row that still holds a PII field in clear (`clear_pii`) takes
 * `openDoc`'s path.
 */
export function openDocJson(cipher: FieldCipher, collection: CollectionName, row: Record<string, unknown>, deleted: boolean): string {
  const plain = String(row.doc_json);
  if (row.clear_pii === true) return JSON.stringify({ ...openDoc(cipher, collection, { ...row, doc: JSON.parse(plain) }), _deleted: deleted });
  const id = String(row.id);
  let out = plain.length > 2 ? plain.slice(0, -1) + ',' : '{';
  for (const { field, column } of piiFields(collection)) {
    const env = envelopeBytes(row[column]);
    out += `"${field}":${env ? cipher.decrypt(env, collection, id, column) : 'null'},`;
  }
  return `${out}"_deleted":${deleted}}`;
}

/** Inserts or replaces one document for the request's user (RLS decides whether it may). */
export async function upsertDoc(sql: Sql, cipher: FieldCipher, collection: CollectionName, userId: string, doc: Record<string, unknown>, deleted = false): Promise<number> {
  const { plain, sealed } = sealDoc(cipher, collection, doc);
  const cols = piiColumns(collection);
  const names = ['id', 'user_id', 'deleted', 'deleted_at', 'doc', ...cols];
  const values: SqlValue[] = [String(doc.id), userId, deleted, deleted ? new Date() : null, plain, ...sealed];
  const placeholders = names.map((_, i) => `$${i + 1}`).join(', ');
  const updates = names.filter((n) => n !== 'id' && n !== 'user_id').map((n) => `${n} = EXCLUDED.${n}`).join(', ');
  const res = await sql.query<{ seq: number }>(
    `INSERT INTO ${collection} (${names.join(', ')}) VALUES (${placeholders})
       ON CONFLICT (id) DO UPDATE SET ${updates} RETURNING seq`,
    values,
  );
  const row = res.rows[0];
  if (!row) throw new Error(`${collection}/${String(doc.id)} was not written`);
  return row.seq;
}

export async function readDocs(sql: Sql, cipher: FieldCipher, collection: CollectionName, opts: { afterSeq?: number; limit?: number } = {}): Promise<StoredDoc[]> {
  const cols = piiColumns(collection);
  const res = await sql.query<Record<string, unknown>>(
    `SELECT id, seq, deleted, doc${cols.map((c) => ', ' + c).join('')} FROM ${collection}
      WHERE seq > $1 ORDER BY seq, id LIMIT $2`,
    [opts.afterSeq ?? 0, opts.limit ?? 1000],
  );
  return res.rows.map((row) => ({ id: String(row.id), seq: Number(row.seq), deleted: Boolean(row.deleted), doc: openDoc(cipher, collection, row) }));
}
