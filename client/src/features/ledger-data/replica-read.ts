import { normalizeMangoQuery, prepareQuery } from 'rxdb';
import type { MangoQuery, RxCollection, RxJsonSchema, RxDocumentData } from 'rxdb';

/**
 * Plain reads straight from a collection's storage instance (through the encryption layer, so PII
 * fields come back decrypted in memory), without building an RxDocument per row. For the big
 * collections this is what the screens use to load many rows; small collections use RxDB queries.
 */

/** Removes RxDB's own fields, leaving the replicated document. */
export function stripInternal<T>(doc: RxDocumentData<T>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (k === '_deleted' || k === '_meta' || k === '_rev' || k === '_attachments') continue;
    out[k] = v;
  }
  return out as T;
}

export async function readRows<T>(collection: RxCollection<T>, query: MangoQuery<T> = {}): Promise<T[]> {
  const schema = collection.schema.jsonSchema as RxJsonSchema<RxDocumentData<T>>;
  const normalized = normalizeMangoQuery<T>(schema, query);
  const mango = { ...normalized, selector: { ...normalized.selector, _deleted: { $eq: false } } } as typeof normalized;
  if (mango.index) mango.index = ['_deleted', ...mango.index];
  const prepared = prepareQuery<T>(schema, mango);
  const result = await collection.storageInstance.query(prepared);
  const out: T[] = [];
  for (const d of result.documents) if (!d._deleted) out.push(stripInternal(d));
  return out;
}
