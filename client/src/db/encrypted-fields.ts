import type { MangoQuerySelector, PreparedQuery, RxDocumentData, RxJsonSchema } from 'rxdb';
import { ENVELOPE_FIELD } from './envelope-codec.ts';
import { EncryptedFieldQueryError, EncryptionSetupError } from './errors.ts';

/**
 * What encrypted fields mean for a collection's schema and queries: in storage they are one envelope
 * field (envelope-codec.ts), so they cannot be indexed, selected on or sorted by — a query on them would
 * silently match nothing, so it is refused instead.
 */

/** Adds the names of the fields a Mango selector touches (top-level part of each path), through $and/$or/$nor/$not. */
function selectorFields(selector: unknown, out: Set<string>): void {
  if (!selector || typeof selector !== 'object') return;
  if (Array.isArray(selector)) {
    for (const part of selector) selectorFields(part, out);
    return;
  }
  for (const [key, value] of Object.entries(selector)) {
    if (key.startsWith('$')) selectorFields(value, out);
    else out.add(key.split('.')[0] ?? key);
  }
}

/** Throws EncryptedFieldQueryError when the query selects on, sorts by or names an index over an encrypted field. */
export function assertQueryAvoidsEncrypted(collection: string, encrypted: ReadonlySet<string>, query: PreparedQuery<unknown>): void {
  const fields = new Set<string>();
  selectorFields(query.query.selector as MangoQuerySelector<unknown>, fields);
  for (const part of query.query.sort ?? []) for (const key of Object.keys(part)) fields.add(key.split('.')[0] ?? key);
  for (const key of query.query.index ?? []) fields.add(key.split('.')[0] ?? key);
  for (const field of fields) if (encrypted.has(field)) throw new EncryptedFieldQueryError(collection, field);
}

/**
 * The schema the inner storage sees: PII properties replaced by the envelope field. Refuses (with
 * EncryptionSetupError) a nested or unknown encrypted field — the sign of key compression stacked
 * outside encryption —, a schema that uses the envelope's name or RxDB attachments, and (with
 * EncryptedFieldQueryError) an index over an encrypted field.
 */
export function storedSchema<T>(schema: RxJsonSchema<RxDocumentData<T>>, collection: string, encrypted: readonly string[]): RxJsonSchema<RxDocumentData<T>> {
  const properties = schema.properties as Record<string, unknown>;
  for (const field of encrypted) {
    if (field.includes('.')) throw new EncryptionSetupError(`${collection}: only top-level fields can be encrypted ("${field}").`);
    if (!Object.hasOwn(properties, field)) {
      throw new EncryptionSetupError(
        `${collection}: encrypted field "${field}" is not in the schema this wrapper received. ` +
          'Is key compression stacked outside encryption? Use encryptedStorage(keyCompression(dexie)).',
      );
    }
  }
  if (Object.hasOwn(properties, ENVELOPE_FIELD)) throw new EncryptionSetupError(`${collection}: "${ENVELOPE_FIELD}" is reserved for the envelope.`);
  if (schema.attachments) throw new EncryptionSetupError(`${collection}: RxDB attachments are not encrypted by this wrapper; store files elsewhere.`);
  for (const index of schema.indexes ?? []) {
    for (const field of typeof index === 'string' ? [index] : index) {
      if (encrypted.includes(field.split('.')[0] ?? field)) throw new EncryptedFieldQueryError(collection, field);
    }
  }
  const out = structuredClone(schema) as unknown as { properties: Record<string, unknown>; required?: string[]; encrypted?: string[] };
  delete out.encrypted;
  for (const field of encrypted) delete out.properties[field];
  out.properties[ENVELOPE_FIELD] = { type: 'string' };
  out.required = [...(out.required ?? []).filter((f) => !encrypted.includes(f)), ENVELOPE_FIELD];
  return out as unknown as RxJsonSchema<RxDocumentData<T>>;
}
