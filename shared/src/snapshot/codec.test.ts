import { describe, expect, it } from 'vitest';
import { accountBalances, categoryTotals, monthSummary } from './aggregates.ts';
import { snapshotChecksums } from './checksum.ts';
import { SnapshotCorruptError, SnapshotVersionError, crc32, deserialiseSnapshot, deserialiseYear, metaYears, serialiseSnapshot, serialiseYear } from './codec.ts';
import { applyChanges, buildSnapshot, partitionIds, rowIndex, transactionCount } from './snapshot.ts';
import { syntheticLedger } from './__fixtures__/synthetic-ledger.ts';

const ledger = syntheticLedger(3000, 11);

function roundTrip(records: ReturnType<typeof serialiseSnapshot>) {
  return deserialiseSnapshot({ meta: records.meta.slice(0), years: new Map([...records.years].map(([y, b]) => [y, b.slice(0)])) });
}

describe('snapshot records', () => {
  it('round-trips every year partition, the dictionaries, the checkpoint and the row index', () => {
    const s = buildSnapshot(ledger.transactions, { seq: 42, at: 'x' });
    // Some churn so partitions have freed slots, which the records leave out.
    applyChanges(s, ledger.transactions.slice(0, 100).map((t) => ({ op: 'delete' as const, id: t.id })), { seq: 43 });
    const records = serialiseSnapshot(s);
    expect([...records.years.keys()].sort()).toEqual(metaYears(records.meta));
    const back = roundTrip(records);
    expect(back.checkpoint).toEqual({ seq: 43 });
    expect(categoryTotals(back)).toEqual(categoryTotals(s));
    expect(monthSummary(back, '2023-06')).toEqual(monthSummary(s, '2023-06'));
    expect(accountBalances(back, ledger.accounts)).toEqual(accountBalances(s, ledger.accounts));
    expect(snapshotChecksums(back)).toEqual(snapshotChecksums(s));
    expect(transactionCount(back)).toBe(ledger.transactions.length - 100);
    expect(back.rows).toBeNull();
    // The rebuilt row index works: an update after loading lands in the right place.
    const doc = ledger.transactions[200]!;
    applyChanges(back, [{ op: 'update', doc: { ...doc, date: '2030-01-01' } }]);
    expect(rowIndex(back).get(doc.id)?.year).toBe(2030);
    expect(rowIndex(back).size).toBe(ledger.transactions.length - 100);
  });

  it('detects a flipped byte anywhere in a year record or the meta record', () => {
    const s = buildSnapshot(ledger.transactions.slice(0, 300));
    const records = serialiseSnapshot(s);
    const [year, record] = [...records.years][0]!;
    const size = record.byteLength;
    for (const at of [0, 5, 13, 29, 40, Math.floor(size / 2), size - 1]) {
      const damaged = record.slice(0);
      new Uint8Array(damaged)[at]! ^= 0x01;
      expect(() => deserialiseYear(damaged), `byte ${at}`).toThrow(SnapshotCorruptError);
      const years = new Map(records.years);
      years.set(year, damaged);
      expect(() => deserialiseSnapshot({ meta: records.meta, years }), `byte ${at}`).toThrow(SnapshotCorruptError);
    }
    const meta = records.meta.slice(0);
    new Uint8Array(meta)[meta.byteLength - 3]! ^= 0x40;
    expect(() => deserialiseSnapshot({ meta, years: records.years })).toThrow(SnapshotCorruptError);
  });

  it('refuses a truncated record, a missing year and a record of another schema version', () => {
    const records = serialiseSnapshot(buildSnapshot(ledger.transactions.slice(0, 300)));
    const [year, record] = [...records.years][0]!;
    expect(() => deserialiseYear(record.slice(0, record.byteLength - 8))).toThrow(SnapshotCorruptError);
    const years = new Map(records.years);
    years.delete(year);
    expect(() => deserialiseSnapshot({ meta: records.meta, years })).toThrow(/missing/);
    const other = record.slice(0);
    const view = new DataView(other);
    view.setUint16(6, 999, true);
    view.setUint32(28, crc32(new Uint8Array(other, 32), crc32(new Uint8Array(other, 0, 28))), true);
    expect(() => deserialiseYear(other)).toThrow(SnapshotVersionError);
  });

  it('serialises an empty year partition as an empty record', () => {
    const s = buildSnapshot([{ id: 'a', date: '2024-02-29', amount: 1, currency: 'GBP', accountId: 'acc', categoryId: null, status: 'cleared', transferId: null, splits: [] }]);
    const p = deserialiseYear(serialiseYear(s.years.get(2024)!));
    expect(p.length).toBe(1);
    expect(partitionIds(p)).toEqual(['a']);
    applyChanges(s, [{ op: 'delete', id: 'a' }]);
    const records = serialiseSnapshot(s);
    expect(records.years.size).toBe(0);
    expect(transactionCount(roundTrip(records))).toBe(0);
  });

  it('stores UUID ids as 16 bytes each and other ids as text, both read back the same', () => {
    const uuids = ledger.transactions.slice(0, 50);
    const uuidRecord = serialiseYear(buildSnapshot(uuids.map((t) => ({ ...t, date: '2024-05-05' }))).years.get(2024)!);
    expect([...new Set(partitionIds(deserialiseYear(uuidRecord)))]).toEqual(uuids.map((t) => t.id));
    const mixed = [...uuids.slice(0, 49), { ...uuids[49]!, id: 'not-a-uuid' }];
    const textRecord = serialiseYear(buildSnapshot(mixed.map((t) => ({ ...t, date: '2024-05-05' }))).years.get(2024)!);
    expect([...new Set(partitionIds(deserialiseYear(textRecord)))]).toEqual(mixed.map((t) => t.id));
    expect(uuidRecord.byteLength).toBeLessThan(textRecord.byteLength - 50 * 20);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
