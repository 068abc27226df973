import { describe, expect, it } from 'vitest';
import { COLLECTION_NAMES, COLLECTIONS, replicatedDocValidator, toRxJsonSchema, transactionSchema } from './registry.ts';

describe('the data model', () => {
  it('fits RxDB open core: at most 12 replicated collections', () => {
    expect(COLLECTION_NAMES.length).toBeLessThanOrEqual(12);
  });

  it.each(COLLECTION_NAMES)('derives an RxDB schema for %s whose indexes avoid encrypted fields', (name) => {
    const rx = toRxJsonSchema(name);
    expect(rx.primaryKey).toBe('id');
    expect(rx.properties.id).toMatchObject({ type: 'string' });
    expect(rx.encrypted).toEqual([...COLLECTIONS[name].pii]);
    const indexed = rx.indexes.flat();
    for (const f of rx.encrypted) expect(indexed).not.toContain(f);
  });

  it('refuses a float amount and a bad date with a message that names the field', () => {
    const bad = transactionSchema.safeParse({
      id: '0190a8e0-0000-7000-8000-000000000001', hlc: '1732500000000:0000:dev1', accountId: '0190a8e0-0000-7000-8000-000000000002',
      date: '2026-13-01', amount: 12.5, currency: 'GBP', categoryId: null, tags: [], merchant: null, description: 'x', notes: null,
      transferId: null, importHash: null, status: 'cleared', splits: [],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('date');
    expect(paths).toContain('amount');
  });

  it('requires split lines to add up to the amount', () => {
    const doc = {
      id: '0190a8e0-0000-7000-8000-000000000001', hlc: '1732500000000:0000:dev1', accountId: '0190a8e0-0000-7000-8000-000000000002',
      date: '2026-11-01', amount: -1000, currency: 'GBP', categoryId: null, tags: [], merchant: null, description: 'Tesco', notes: null,
      transferId: null, importHash: null, status: 'cleared',
      splits: [
        { id: '0190a8e0-0000-7000-8000-000000000003', categoryId: null, amount: -600, memo: null },
        { id: '0190a8e0-0000-7000-8000-000000000004', categoryId: null, amount: -300, memo: null },
      ],
    };
    expect(transactionSchema.safeParse(doc).success).toBe(false);
    doc.splits[1]!.amount = -400;
    expect(transactionSchema.safeParse(doc).success).toBe(true);
    expect(replicatedDocValidator('transactions').safeParse({ ...doc, _deleted: false }).success).toBe(true);
  });
});
