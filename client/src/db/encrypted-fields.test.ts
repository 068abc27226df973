import { describe, expect, it } from 'vitest';
import type { PreparedQuery, RxDocumentData, RxJsonSchema } from 'rxdb';
import { assertQueryAvoidsEncrypted, storedSchema } from './encrypted-fields.ts';
import { ENVELOPE_FIELD } from './envelope-codec.ts';
import { EncryptedFieldQueryError, EncryptionSetupError } from './errors.ts';

type Schema = RxJsonSchema<RxDocumentData<unknown>>;

const schema = (extra: Record<string, unknown> = {}): Schema => ({
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: { id: { type: 'string', maxLength: 40 }, date: { type: 'string', maxLength: 10 }, payee: { type: 'string' }, notes: { type: ['string', 'null'] } },
  required: ['id', 'date', 'payee'],
  indexes: ['date'],
  encrypted: ['payee', 'notes'],
  ...extra,
}) as unknown as Schema;

const query = (q: Record<string, unknown>) => ({ query: { selector: {}, sort: [], ...q } }) as unknown as PreparedQuery<unknown>;
const ENCRYPTED = new Set(['payee', 'notes']);

describe('stored schema of an encrypted collection', () => {
  it('replaces the PII properties with the required envelope field and drops the encrypted list', () => {
    const out = storedSchema(schema(), 'transactions', ['payee', 'notes']) as unknown as { properties: Record<string, unknown>; required: string[]; encrypted?: unknown };
    expect(Object.keys(out.properties).sort()).toEqual(['date', 'id', ENVELOPE_FIELD].sort());
    expect(out.required).toEqual(['id', 'date', ENVELOPE_FIELD]);
    expect(out.encrypted).toBeUndefined();
  });

  it('leaves the schema it was given unchanged', () => {
    const given = schema();
    const before = structuredClone(given);
    storedSchema(given, 'transactions', ['payee', 'notes']);
    expect(given).toEqual(before);
  });

  it('refuses an encrypted field missing from the schema: key compression stacked outside encryption', () => {
    expect(() => storedSchema(schema(), 'transactions', ['payee', 'memo'])).toThrow(EncryptionSetupError);
    expect(() => storedSchema(schema(), 'transactions', ['payee', 'memo'])).toThrow(/key compression/);
  });

  it('refuses a nested encrypted field, a property named like the envelope, and RxDB attachments', () => {
    expect(() => storedSchema(schema(), 'transactions', ['payee.name'])).toThrow(EncryptionSetupError);
    const withEnvelope = schema({ properties: { ...(schema().properties as object), [ENVELOPE_FIELD]: { type: 'string' } } });
    expect(() => storedSchema(withEnvelope, 'transactions', ['payee'])).toThrow(/reserved/);
    expect(() => storedSchema(schema({ attachments: {} }), 'transactions', ['payee'])).toThrow(/attachments/);
  });

  it('refuses an index over an encrypted field, alone or in a compound index', () => {
    expect(() => storedSchema(schema({ indexes: ['payee'] }), 'transactions', ['payee'])).toThrow(EncryptedFieldQueryError);
    expect(() => storedSchema(schema({ indexes: [['date', 'notes']] }), 'transactions', ['payee', 'notes'])).toThrow(EncryptedFieldQueryError);
  });
});

describe('queries over an encrypted collection', () => {
  it('lets a query over plain fields through', () => {
    expect(() => assertQueryAvoidsEncrypted('transactions', ENCRYPTED, query({ selector: { date: { $gte: '2026-01-01' } }, sort: [{ date: 'desc' }], index: ['date'] }))).not.toThrow();
  });

  it.each([
    ['a selector', { selector: { payee: 'Acme' } }],
    ['a nested path', { selector: { 'notes.text': { $regex: 'x' } } }],
    ['a selector inside $or', { selector: { $or: [{ date: '2026-01-01' }, { payee: 'Acme' }] } }],
    ['a selector inside $and/$not', { selector: { $and: [{ date: { $gt: '' } }, { $not: { notes: null } }] } }],
    ['a sort', { sort: [{ payee: 'asc' }] }],
    ['an index hint', { index: ['notes'] }],
  ])('refuses an encrypted field in %s', (_where, q) => {
    expect(() => assertQueryAvoidsEncrypted('transactions', ENCRYPTED, query(q))).toThrow(EncryptedFieldQueryError);
  });
});
