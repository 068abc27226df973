import type { Transaction } from '../schema/registry.ts';
import { SnapshotCorruptError, SnapshotInputError, dayNumber, yearOfDay } from './days.ts';
import { decodeIds } from './id-codec.ts';
import type { IdEncoding } from './id-codec.ts';

/**
 * The columnar snapshot (ARCHITECTURE decision 8): what budgets, reports and forecasts need from the
 * transactions, as typed arrays partitioned by calendar year, kept current one change at a time.
 *
 * One row per transaction — or, for a transaction with split lines, one row per split line carrying the
 * line's category and amount (the lines replace the parent's category breakdown, and since they add up to
 * the parent's amount, account balances are unchanged). Columns per row:
 * - day: Int32, days since 1970-01-01 of the calendar date;
 * - amount: Float64 holding integer minor units. A float64 holds every integer up to 2^53 exactly and the
 *   schema bounds amounts to ±Number.MAX_SAFE_INTEGER, so each cell is exact; sums are exact while every
 *   partial sum stays within ±2^53 (9·10^15 minor units), and the aggregates check their results are
 *   safe integers and throw rather than return a rounded figure. Chosen over an Int32 pair because sums
 *   then need no carry handling in the hot loop;
 * - currency, account, category: Uint16 indexes into dictionaries (index 0 is "none", e.g. no category);
 * - flags: Uint8 of FLAG bits.
 *
 * Functions here mutate the snapshot they are given (that is what makes an update O(1)); they validate
 * their whole input first, so bad input throws SnapshotInputError and changes nothing. No I/O, no DOM.
 */

/** Bump when the row layout or the meaning of a column changes: a stored snapshot of another version is rebuilt. */
export const SCHEMA_VERSION = 1;

export const FLAG = {
  transfer: 1,
  pending: 2,
  cleared: 4,
  reconciled: 8,
  /** A freed slot (its transaction was deleted or moved); kept out of every aggregate and reused. */
  deleted: 16,
  /** The row is one split line of its transaction. */
  split: 32,
} as const;

/** The replication checkpoint the snapshot reflects: whatever JSON the replication protocol hands out. */
export type Checkpoint = string | number | boolean | null | readonly Checkpoint[] | { readonly [key: string]: Checkpoint };

/** The fields of a transaction document the snapshot reads. */
export type SnapshotDoc = Pick<Transaction, 'id' | 'date' | 'amount' | 'currency' | 'accountId' | 'categoryId' | 'status' | 'transferId'> & {
  readonly splits: readonly Pick<Transaction['splits'][number], 'categoryId' | 'amount'>[];
};

export type SnapshotChange =
  | { readonly op: 'insert'; readonly doc: SnapshotDoc }
  | { readonly op: 'update'; readonly doc: SnapshotDoc }
  | { readonly op: 'delete'; readonly id: string };

const MAX_DICTIONARY = 0xffff;

/** Strings ↔ Uint16 indexes. Index 0 stands for null. */
export class Dictionary {
  readonly values: (string | null)[] = [null];
  private readonly index = new Map<string, number>();

  constructor(readonly label: string, values: readonly string[] = []) {
    for (const v of values) this.intern(v);
  }

  get size(): number {
    return this.values.length;
  }

  indexOf(value: string | null): number | undefined {
    return value === null ? 0 : this.index.get(value);
  }

  has(value: string | null): boolean {
    return this.indexOf(value) !== undefined;
  }

  /** Index of a value, adding it when new; throws when the Uint16 range is full. */
  intern(value: string | null): number {
    if (value === null) return 0;
    const found = this.index.get(value);
    if (found !== undefined) return found;
    if (this.values.length > MAX_DICTIONARY) throw new SnapshotInputError(`more than ${MAX_DICTIONARY} ${this.label} values`);
    const i = this.values.length;
    this.values.push(value);
    this.index.set(value, i);
    return i;
  }

  valueAt(i: number): string | null {
    const v = this.values[i];
    if (v === undefined) throw new RangeError(`${this.label} index ${i} out of range`);
    return v;
  }

  /** The non-null values in index order (index i+1 ↔ entry i), as persisted. */
  entries(): string[] {
    return this.values.slice(1) as string[];
  }
}

/** One calendar year's rows. `length` is the high-water mark; freed slots below it carry FLAG.deleted. */
export interface YearPartition {
  readonly year: number;
  length: number;
  day: Int32Array;
  amount: Float64Array;
  currency: Uint16Array;
  account: Uint16Array;
  category: Uint16Array;
  flags: Uint8Array;
  /** Document id of each slot (null for a freed slot); read through partitionIds(). */
  ids: (string | null)[];
  /** Ids as loaded, decoded on first need so that opening does not pay for them. */
  idsPending: { readonly encoding: IdEncoding; readonly bytes: Uint8Array } | null;
  /** Freed slots, reused by the next rows added. */
  free: number[];
  /** Live transactions (documents, not rows) in the year. */
  docCount: number;
}

export interface RowRef {
  readonly year: number;
  readonly slots: readonly number[];
}

export interface Snapshot {
  readonly schemaVersion: number;
  checkpoint: Checkpoint;
  readonly currencies: Dictionary;
  readonly accounts: Dictionary;
  readonly categories: Dictionary;
  readonly years: Map<number, YearPartition>;
  /**
   * Document id → its year and row slots: what makes an update or delete O(1). Null after loading
   * until first needed (rowIndex() builds it), since aggregates never use it.
   */
  rows: Map<string, RowRef> | null;
  /** Years changed since the set was last cleared (by the persistence layer after a write). */
  readonly dirtyYears: Set<number>;
}

export function emptySnapshot(checkpoint: Checkpoint = null): Snapshot {
  return {
    schemaVersion: SCHEMA_VERSION,
    checkpoint,
    currencies: new Dictionary('currency'),
    accounts: new Dictionary('account'),
    categories: new Dictionary('category'),
    years: new Map(),
    rows: new Map(),
    dirtyYears: new Set(),
  };
}

export function emptyPartition(year: number, capacity = 64): YearPartition {
  return {
    year,
    length: 0,
    day: new Int32Array(capacity),
    amount: new Float64Array(capacity),
    currency: new Uint16Array(capacity),
    account: new Uint16Array(capacity),
    category: new Uint16Array(capacity),
    flags: new Uint8Array(capacity),
    ids: [],
    idsPending: null,
    free: [],
    docCount: 0,
  };
}

/** The partition's per-slot document ids, decoding them first when they were loaded lazily. */
export function partitionIds(p: YearPartition): (string | null)[] {
  if (p.idsPending !== null) {
    p.ids = decodeIds(p.idsPending.encoding, p.idsPending.bytes, p.length, `year ${p.year}`);
    p.idsPending = null;
  }
  return p.ids;
}

/** The id → rows index, built from the partitions the first time it is needed. */
export function rowIndex(s: Snapshot): Map<string, RowRef> {
  if (s.rows) return s.rows;
  const rows = new Map<string, RowRef>();
  for (const p of s.years.values()) {
    const ids = partitionIds(p);
    for (let i = 0; i < p.length; i++) {
      const id = ids[i];
      if (id === null || id === undefined) continue;
      const ref = rows.get(id);
      if (ref === undefined) rows.set(id, { year: p.year, slots: [i] });
      else if (ref.year !== p.year) throw new SnapshotCorruptError(`transaction ${id} is stored in years ${ref.year} and ${p.year}`);
      else (ref.slots as number[]).push(i);
    }
  }
  let docs = 0;
  for (const p of s.years.values()) docs += p.docCount;
  if (docs !== rows.size) throw new SnapshotCorruptError(`stored transaction counts (${docs}) do not match the stored ids (${rows.size})`);
  s.rows = rows;
  return rows;
}

function grow<T extends Int32Array | Float64Array | Uint16Array | Uint8Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array);
  return next;
}

function ensureCapacity(p: YearPartition, needed: number): void {
  if (needed <= p.day.length) return;
  const capacity = Math.max(needed, p.day.length * 2);
  p.day = grow(p.day, capacity);
  p.amount = grow(p.amount, capacity);
  p.currency = grow(p.currency, capacity);
  p.account = grow(p.account, capacity);
  p.category = grow(p.category, capacity);
  p.flags = grow(p.flags, capacity);
}

/** A validated document turned into rows, before anything in the snapshot is touched. */
interface PreparedDoc {
  readonly id: string;
  readonly day: number;
  readonly year: number;
  readonly currency: string;
  readonly accountId: string;
  readonly flags: number;
  readonly lines: readonly { readonly categoryId: string | null; readonly amount: number }[];
}

const CURRENCY_RE = /^[A-Z]{3}$/;

function statusFlags(status: string): number {
  switch (status) {
    case 'pending': return FLAG.pending;
    case 'uncleared': return 0;
    case 'cleared': return FLAG.cleared;
    case 'reconciled': return FLAG.reconciled | FLAG.cleared;
    default: throw new SnapshotInputError(`unknown transaction status ${JSON.stringify(status)}`);
  }
}

function refOrNull(value: unknown, what: string, id: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0) throw new SnapshotInputError(`transaction ${id}: ${what} must be an id or null`);
  return value;
}

/** The rows a document becomes. Throws SnapshotInputError for a document the snapshot cannot hold. */
export function prepareDoc(doc: SnapshotDoc): PreparedDoc {
  if (!doc || typeof doc.id !== 'string' || doc.id.length === 0) throw new SnapshotInputError('a transaction needs an id');
  const id = doc.id;
  const day = dayNumber(doc.date);
  if (!Number.isSafeInteger(doc.amount)) throw new SnapshotInputError(`transaction ${id}: amount must be whole minor units, got ${String(doc.amount)}`);
  if (typeof doc.currency !== 'string' || !CURRENCY_RE.test(doc.currency)) throw new SnapshotInputError(`transaction ${id}: currency must be an ISO 4217 code`);
  if (typeof doc.accountId !== 'string' || doc.accountId.length === 0) throw new SnapshotInputError(`transaction ${id}: accountId is required`);
  const categoryId = refOrNull(doc.categoryId, 'categoryId', id);
  const transferId = refOrNull(doc.transferId, 'transferId', id);
  const flags = statusFlags(doc.status) | (transferId === null ? 0 : FLAG.transfer);
  if (!Array.isArray(doc.splits)) throw new SnapshotInputError(`transaction ${id}: splits must be a list`);
  let lines: PreparedDoc['lines'];
  if (doc.splits.length === 0) {
    lines = [{ categoryId, amount: doc.amount }];
  } else {
    let total = 0;
    lines = doc.splits.map((s) => {
      if (!Number.isSafeInteger(s.amount)) throw new SnapshotInputError(`transaction ${id}: split amount must be whole minor units`);
      total += s.amount;
      return { categoryId: refOrNull(s.categoryId, 'split categoryId', id), amount: s.amount };
    });
    if (total !== doc.amount) throw new SnapshotInputError(`transaction ${id}: split lines add up to ${total}, not ${doc.amount}`);
  }
  return { id, day, year: yearOfDay(day), currency: doc.currency, accountId: doc.accountId, flags: flags | (doc.splits.length > 0 ? FLAG.split : 0), lines };
}

/** Dictionary growth a prepared doc needs, checked before anything is written. */
function checkDictionaries(s: Snapshot, docs: readonly PreparedDoc[]): void {
  const check = (dict: Dictionary, values: Iterable<string | null>) => {
    const fresh = new Set<string>();
    for (const v of values) if (v !== null && !dict.has(v)) fresh.add(v);
    if (dict.size + fresh.size > MAX_DICTIONARY + 1) throw new SnapshotInputError(`more than ${MAX_DICTIONARY} ${dict.label} values`);
  };
  check(s.currencies, docs.map((d) => d.currency));
  check(s.accounts, docs.map((d) => d.accountId));
  check(s.categories, docs.flatMap((d) => d.lines.map((l) => l.categoryId)));
}

function partition(s: Snapshot, year: number): YearPartition {
  let p = s.years.get(year);
  if (!p) {
    p = emptyPartition(year);
    s.years.set(year, p);
  }
  return p;
}

function addRows(s: Snapshot, d: PreparedDoc): void {
  const p = partition(s, d.year);
  const ids = partitionIds(p);
  const currency = s.currencies.intern(d.currency);
  const account = s.accounts.intern(d.accountId);
  const slots: number[] = [];
  for (const line of d.lines) {
    let slot = p.free.pop();
    if (slot === undefined) {
      ensureCapacity(p, p.length + 1);
      slot = p.length;
      p.length += 1;
    }
    p.day[slot] = d.day;
    p.amount[slot] = line.amount;
    p.currency[slot] = currency;
    p.account[slot] = account;
    p.category[slot] = s.categories.intern(line.categoryId);
    p.flags[slot] = d.flags;
    ids[slot] = d.id;
    slots.push(slot);
  }
  p.docCount += 1;
  rowIndex(s).set(d.id, { year: d.year, slots });
  s.dirtyYears.add(d.year);
}

function removeRows(s: Snapshot, id: string): void {
  const index = rowIndex(s);
  const ref = index.get(id);
  if (!ref) return;
  const p = s.years.get(ref.year);
  if (!p) throw new Error(`snapshot row index points at missing year ${ref.year}`);
  const ids = partitionIds(p);
  for (const slot of ref.slots) {
    p.flags[slot] = FLAG.deleted;
    p.amount[slot] = 0;
    ids[slot] = null;
    p.free.push(slot);
  }
  p.docCount -= 1;
  index.delete(id);
  s.dirtyYears.add(ref.year);
}

/** Builds a snapshot from transaction documents; documents flagged `_deleted` (RxDB tombstones) are left out. */
export function buildSnapshot(docs: Iterable<SnapshotDoc & { readonly _deleted?: boolean }>, checkpoint: Checkpoint = null): Snapshot {
  const s = emptySnapshot(checkpoint);
  const prepared: PreparedDoc[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    if (doc._deleted === true) continue;
    const d = prepareDoc(doc);
    if (seen.has(d.id)) throw new SnapshotInputError(`transaction ${d.id} appears twice`);
    seen.add(d.id);
    prepared.push(d);
  }
  checkDictionaries(s, prepared);
  // Size each year's arrays once.
  const rowsPerYear = new Map<number, number>();
  for (const d of prepared) rowsPerYear.set(d.year, (rowsPerYear.get(d.year) ?? 0) + d.lines.length);
  for (const [year, n] of rowsPerYear) s.years.set(year, emptyPartition(year, n));
  for (const d of prepared) addRows(s, d);
  return s;
}

/**
 * Applies change events in order. The whole batch is checked first (documents valid, an insert's id new,
 * an update's or delete's id known, taking earlier changes of the batch into account); on any error it
 * throws SnapshotInputError and the snapshot is unchanged. An update may move a row to another year.
 */
export function applyChanges(s: Snapshot, changes: readonly SnapshotChange[], checkpoint?: Checkpoint): void {
  const present = new Map<string, boolean>();
  const index = rowIndex(s);
  const isPresent = (id: string) => present.get(id) ?? index.has(id);
  const prepared: (PreparedDoc | null)[] = [];
  for (const change of changes) {
    if (change.op === 'delete') {
      if (typeof change.id !== 'string' || !isPresent(change.id)) throw new SnapshotInputError(`delete of unknown transaction ${String(change.id)}`);
      present.set(change.id, false);
      prepared.push(null);
      continue;
    }
    if (change.op !== 'insert' && change.op !== 'update') throw new SnapshotInputError(`unknown change ${JSON.stringify((change as { op?: unknown }).op)}`);
    const d = prepareDoc(change.doc);
    if (change.op === 'insert' && isPresent(d.id)) throw new SnapshotInputError(`insert of transaction ${d.id} that is already there`);
    if (change.op === 'update' && !isPresent(d.id)) throw new SnapshotInputError(`update of unknown transaction ${d.id}`);
    present.set(d.id, true);
    prepared.push(d);
  }
  checkDictionaries(s, prepared.filter((d): d is PreparedDoc => d !== null));
  changes.forEach((change, i) => {
    const d = prepared[i];
    if (change.op === 'delete') removeRows(s, change.id);
    else if (d) {
      removeRows(s, d.id);
      addRows(s, d);
    }
  });
  if (checkpoint !== undefined) s.checkpoint = checkpoint;
}

/** Live transactions in the snapshot. */
export function transactionCount(s: Snapshot): number {
  let n = 0;
  for (const p of s.years.values()) n += p.docCount;
  return n;
}
