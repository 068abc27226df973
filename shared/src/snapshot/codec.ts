import { SnapshotCorruptError, SnapshotInputError } from './days.ts';
import { encodeIds } from './id-codec.ts';
import { SCHEMA_VERSION, emptyPartition, emptySnapshot, partitionIds } from './snapshot.ts';
import type { Checkpoint, Dictionary, Snapshot, YearPartition } from './snapshot.ts';

/**
 * Records for storage: one ArrayBuffer per year partition plus one meta record (schema version,
 * checkpoint, dictionaries, the list of years). Layout of every record:
 *
 *   0  u32  magic 0x4d4d534e ("MMSN")       16 u32  row count (year) / 0 (meta)
 *   4  u16  record format version           20 u32  byte length of the text section
 *   6  u16  snapshot SCHEMA_VERSION         24 u32  total record length
 *   8  u8   kind (1 meta, 2 year); 9 u8 id encoding (0 JSON text, 1 UUIDs as 16 bytes; see id-codec.ts)
 *                                           28 u32  CRC-32 of every byte of the record but these 4
 *   12 i32  year (year) / 0 (meta)          32 u32  transactions (year) / 0 (meta); 36 u32 zero
 *   40 body — year: amount f64[n], day i32[n], currency u16[n], account u16[n], category u16[n],
 *      flags u8[n], then the row ids; meta: UTF-8 JSON.
 *
 * CRC-32 catches every single flipped byte (any error burst up to 32 bits), so a damaged record is
 * refused with SnapshotCorruptError instead of loading wrong numbers. Only live rows are written:
 * loading compacts the partition. Loading is made cheap: the columns are views on the record, the ids
 * are decoded and the id index built only when a change first needs them.
 */

export const RECORD_FORMAT_VERSION = 1;
const MAGIC = 0x4d4d534e;
const HEADER = 40;
const KIND_META = 1;
const KIND_YEAR = 2;


/** A stored record of another schema version: not damage, but the snapshot must be rebuilt. */
export class SnapshotVersionError extends Error {
  override readonly name = 'SnapshotVersionError';
  constructor(readonly found: number) {
    super(`stored snapshot has schema version ${found}, this build needs ${SCHEMA_VERSION}`);
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE); pass the previous result as `crc` to continue over a following piece. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function recordCrc(buffer: ArrayBuffer): number {
  return crc32(new Uint8Array(buffer, 32), crc32(new Uint8Array(buffer, 0, 28)));
}

function writeHeader(view: DataView, kind: number, year: number, rows: number, textLength: number, docs = 0): void {
  view.setUint32(32, docs, true);
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, RECORD_FORMAT_VERSION, true);
  view.setUint16(6, SCHEMA_VERSION, true);
  view.setUint8(8, kind);
  view.setInt32(12, year, true);
  view.setUint32(16, rows, true);
  view.setUint32(20, textLength, true);
  view.setUint32(24, view.byteLength, true);
}

function seal(buffer: ArrayBuffer): ArrayBuffer {
  new DataView(buffer).setUint32(28, recordCrc(buffer), true);
  return buffer;
}

interface Header {
  readonly kind: number;
  readonly year: number;
  readonly rows: number;
  readonly textLength: number;
  readonly docs: number;
  readonly idEncoding: number;
}

function open(buffer: ArrayBuffer, kind: number): Header {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < HEADER) throw new SnapshotCorruptError('snapshot record is too short');
  const view = new DataView(buffer);
  if (view.getUint32(0, true) !== MAGIC) throw new SnapshotCorruptError('snapshot record has a wrong magic number');
  if (view.getUint32(24, true) !== buffer.byteLength) throw new SnapshotCorruptError('snapshot record has a wrong length');
  if (view.getUint32(28, true) !== recordCrc(buffer)) throw new SnapshotCorruptError('snapshot record fails its CRC-32 check');
  if (view.getUint16(4, true) !== RECORD_FORMAT_VERSION || view.getUint16(6, true) !== SCHEMA_VERSION) throw new SnapshotVersionError(view.getUint16(6, true));
  if (view.getUint8(8) !== kind) throw new SnapshotCorruptError(`expected a ${kind === KIND_META ? 'meta' : 'year'} record`);
  return { kind, year: view.getInt32(12, true), rows: view.getUint32(16, true), textLength: view.getUint32(20, true), docs: view.getUint32(32, true), idEncoding: view.getUint8(9) };
}

export function yearRecordSize(rows: number, textLength: number): number {
  return HEADER + rows * (8 + 4 + 2 + 2 + 2 + 1) + textLength;
}

/** One year partition as a record (live rows only). */
export function serialiseYear(p: YearPartition): ArrayBuffer {
  const live: number[] = [];
  const ids: string[] = [];
  const slotIds = partitionIds(p);
  for (let i = 0; i < p.length; i++) {
    const id = slotIds[i];
    if (id !== null && id !== undefined) {
      live.push(i);
      ids.push(id);
    }
  }
  const n = live.length;
  const { encoding, bytes: text } = encodeIds(ids);
  const buffer = new ArrayBuffer(yearRecordSize(n, text.length));
  writeHeader(new DataView(buffer), KIND_YEAR, p.year, n, text.length, p.docCount);
  new DataView(buffer).setUint8(9, encoding === 'uuid' ? 1 : 0);
  let at = HEADER;
  const amount = new Float64Array(buffer, at, n); at += n * 8;
  const day = new Int32Array(buffer, at, n); at += n * 4;
  const currency = new Uint16Array(buffer, at, n); at += n * 2;
  const account = new Uint16Array(buffer, at, n); at += n * 2;
  const category = new Uint16Array(buffer, at, n); at += n * 2;
  const flags = new Uint8Array(buffer, at, n); at += n;
  live.forEach((slot, j) => {
    amount[j] = p.amount[slot]!;
    day[j] = p.day[slot]!;
    currency[j] = p.currency[slot]!;
    account[j] = p.account[slot]!;
    category[j] = p.category[slot]!;
    flags[j] = p.flags[slot]!;
  });
  new Uint8Array(buffer, at, text.length).set(text);
  return seal(buffer);
}

/**
 * A year record back as a partition — its columns are views on `buffer`, which the partition then owns —
 * with ids left encoded until needed. Throws SnapshotCorruptError or SnapshotVersionError.
 */
export function deserialiseYear(buffer: ArrayBuffer): YearPartition {
  const h = open(buffer, KIND_YEAR);
  const n = h.rows;
  if (yearRecordSize(n, h.textLength) !== buffer.byteLength) throw new SnapshotCorruptError('year record sizes do not add up');
  if (h.docs > n || (n > 0 && h.docs === 0)) throw new SnapshotCorruptError('year record transaction count does not fit its rows');
  const p = emptyPartition(h.year, 0);
  let at = HEADER;
  p.amount = new Float64Array(buffer, at, n); at += n * 8;
  p.day = new Int32Array(buffer, at, n); at += n * 4;
  p.currency = new Uint16Array(buffer, at, n); at += n * 2;
  p.account = new Uint16Array(buffer, at, n); at += n * 2;
  p.category = new Uint16Array(buffer, at, n); at += n * 2;
  p.flags = new Uint8Array(buffer, at, n); at += n;
  if (h.idEncoding > 1) throw new SnapshotCorruptError(`year record has an unknown id encoding ${h.idEncoding}`);
  p.idsPending = { encoding: h.idEncoding === 1 ? 'uuid' : 'json', bytes: new Uint8Array(buffer, at, h.textLength) };
  p.length = n;
  p.docCount = h.docs;
  return p;
}

function maxOf(a: Uint16Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

function minOf(a: Uint16Array): number {
  let m = 0xffff;
  for (let i = 0; i < a.length; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

interface MetaBody {
  readonly schemaVersion: number;
  readonly checkpoint: Checkpoint;
  readonly currencies: string[];
  readonly accounts: string[];
  readonly categories: string[];
  readonly years: number[];
}

export function serialiseMeta(s: Snapshot): ArrayBuffer {
  const body: MetaBody = {
    schemaVersion: s.schemaVersion,
    checkpoint: s.checkpoint,
    currencies: s.currencies.entries(),
    accounts: s.accounts.entries(),
    categories: s.categories.entries(),
    years: [...s.years.values()].filter((p) => p.docCount > 0).map((p) => p.year).sort((a, b) => a - b),
  };
  const text = new TextEncoder().encode(JSON.stringify(body));
  const buffer = new ArrayBuffer(HEADER + text.length);
  writeHeader(new DataView(buffer), KIND_META, 0, 0, text.length);
  new Uint8Array(buffer, HEADER).set(text);
  return seal(buffer);
}

export interface SnapshotRecords {
  readonly meta: ArrayBuffer;
  readonly years: ReadonlyMap<number, ArrayBuffer>;
}

/** Every record of a snapshot (years with no live rows are left out). */
export function serialiseSnapshot(s: Snapshot): SnapshotRecords {
  const years = new Map<number, ArrayBuffer>();
  for (const p of s.years.values()) if (p.docCount > 0) years.set(p.year, serialiseYear(p));
  return { meta: serialiseMeta(s), years };
}

/** The years the meta record lists, to know which year records to load. */
export function metaYears(meta: ArrayBuffer): number[] {
  return readMeta(meta).years;
}

function readMeta(meta: ArrayBuffer): MetaBody {
  const h = open(meta, KIND_META);
  if (HEADER + h.textLength !== meta.byteLength) throw new SnapshotCorruptError('meta record sizes do not add up');
  const body = JSON.parse(new TextDecoder().decode(new Uint8Array(meta, HEADER))) as MetaBody;
  if (body.schemaVersion !== SCHEMA_VERSION) throw new SnapshotVersionError(body.schemaVersion);
  return body;
}

/**
 * A snapshot from its records, with the row index rebuilt. Throws SnapshotCorruptError when a record is
 * damaged, one listed is missing, or indexes point outside the dictionaries.
 */
export function deserialiseSnapshot(records: SnapshotRecords): Snapshot {
  const body = readMeta(records.meta);
  const s = emptySnapshot(body.checkpoint);
  const dicts: [Dictionary, string[]][] = [[s.currencies, body.currencies], [s.accounts, body.accounts], [s.categories, body.categories]];
  for (const [dict, values] of dicts) {
    for (const v of values) dict.intern(v);
    if (dict.size !== values.length + 1) throw new SnapshotCorruptError(`meta record repeats a ${dict.label}`);
  }
  for (const year of body.years) {
    const buffer = records.years.get(year);
    if (!buffer) throw new SnapshotCorruptError(`year record ${year} is missing`);
    const p = deserialiseYear(buffer);
    if (p.year !== year) throw new SnapshotCorruptError(`year record ${year} holds year ${p.year}`);
    if (p.length > 0 && (
      maxOf(p.currency) >= s.currencies.size || minOf(p.currency) === 0 || maxOf(p.account) >= s.accounts.size || minOf(p.account) === 0 || maxOf(p.category) >= s.categories.size
    )) {
      throw new SnapshotCorruptError(`year record ${year} points outside the dictionaries`);
    }
    s.years.set(year, p);
  }
  s.rows = null;
  if (records.years.size !== body.years.length) throw new SnapshotCorruptError('year records not listed in the meta record');
  return s;
}

export { SnapshotCorruptError, SnapshotInputError };
