import { z } from 'zod';
import { ACCOUNT_TYPES } from '@mymidas/shared/schema';
import { accountBalances, categoryTotals, monthSummary, netWorth } from '@mymidas/shared/snapshot/aggregates';
import type { DayRange } from '@mymidas/shared/snapshot/aggregates';
import { documentChecksums, mismatchedYears, snapshotChecksums } from '@mymidas/shared/snapshot/checksum';
import type { YearChecksum } from '@mymidas/shared/snapshot/checksum';
import { SnapshotCorruptError, SnapshotVersionError, deserialiseSnapshot, serialiseMeta, serialiseSnapshot, serialiseYear } from '@mymidas/shared/snapshot/codec';
import { dateOfDay, dayNumber } from '@mymidas/shared/snapshot/days';
import { FLAG, applyChanges, buildSnapshot, rowIndex, transactionCount } from '@mymidas/shared/snapshot/snapshot';
import type { Checkpoint, Snapshot, SnapshotChange, SnapshotDoc } from '@mymidas/shared/snapshot/snapshot';
import type { Dashboard, DashboardRequest, SnapshotState, TimedTotals } from '@mymidas/shared/snapshot/protocol';
import { openSnapshotStore } from './snapshot-store.ts';
import type { SnapshotStore } from './snapshot-store.ts';

export type { Dashboard, DashboardRequest, SnapshotState, TimedTotals };

/** A transaction document as the replica hands it over: RxDB document data, tombstones flagged `_deleted`. */
export type ReplicaTransaction = SnapshotDoc & { readonly _deleted?: boolean };

/** A deleted document as a change event carries it: only the id is needed. */
export interface ReplicaTombstone {
  readonly id: string;
  readonly _deleted: true;
}

export interface OverviewAccount {
  readonly id: string;
  readonly type: z.infer<typeof accountsSchema>[number]['type'];
  readonly currency: string;
  readonly openingBalance: number;
  /** Transactions dated before this are inside the opening balance already (shared/src/ledger/balances.ts). */
  readonly openingDate: string;
}

export interface OverviewRequest {
  /** The month for income/expense, 'YYYY-MM'. */
  readonly month: string;
  readonly accounts: readonly OverviewAccount[];
  /** Balances as of this date, inclusive (normally today). */
  readonly asOf: string;
}

/** What the dashboard shows, computed over the snapshot. Balances follow the ledger's opening-date rule. */
export interface Overview {
  readonly month: Dashboard['month'];
  /** Per account and currency; an account normally has one entry, in its own currency. */
  readonly balances: Dashboard['balances'];
  readonly transactions: number;
  readonly checkpoint: Checkpoint;
  readonly computedInMs: number;
}

/** Where the most recent transactions start: the latest date with at least `count` rows on or after it. */
export interface RecentWindow {
  /** Null when the snapshot holds fewer rows than asked for (every date is needed). */
  readonly from: string | null;
  readonly transactions: number;
}

/**
 * The snapshot as the compute worker holds it: loaded from its encrypted records on open, kept current
 * from change events (each batch written back before the call returns), rebuilt from documents when the
 * stored copy is missing, damaged, of another schema version, or out of step with the replica.
 */

const accountsSchema = z.array(z.object({
  id: z.string().min(1),
  type: z.enum(ACCOUNT_TYPES),
  currency: z.string().regex(/^[A-Z]{3}$/),
  openingBalance: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
}));
const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM');
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates must be YYYY-MM-DD');
const rangeSchema = z.object({ from: dateSchema.optional(), to: dateSchema.optional() }).strict();
const overviewAccountsSchema = z.array(accountsSchema.element.extend({ openingDate: dateSchema }));

/** The fields of a replica document the snapshot reads (the rest — text, PII — is dropped in the worker). */
function snapshotFields(d: ReplicaTransaction): SnapshotDoc {
  return {
    id: d.id, date: d.date, amount: d.amount, currency: d.currency, accountId: d.accountId, categoryId: d.categoryId,
    status: d.status, transferId: d.transferId, splits: Array.isArray(d.splits) ? d.splits.map((l) => ({ categoryId: l.categoryId, amount: l.amount })) : d.splits,
  };
}

interface ChecksumSums {
  count: number;
  amountSum: number;
  hash: number;
}

export class SnapshotNotReadyError extends Error {
  override readonly name = 'SnapshotNotReadyError';
}

export class SnapshotEngine {
  private store: SnapshotStore | null = null;
  private snapshot: Snapshot | null = null;
  private lastState: SnapshotState = { state: 'rebuild-needed', reason: 'empty', detail: 'not opened' };
  /** Documents collected by a paged rebuild, by id (a later page's version of a document wins). */
  private collecting: Map<string, SnapshotDoc> | null = null;
  /** Per-year checksums of the replica summed over the pages of a consistency check. */
  private checking: Map<number, ChecksumSums> | null = null;

  /** Opens the store under `key` and loads the snapshot from it. */
  async open(databaseName: string, key: CryptoKey): Promise<SnapshotState> {
    this.close();
    this.store = await openSnapshotStore(databaseName, key);
    const started = performance.now();
    try {
      const records = await this.store.load();
      if (!records) return this.needRebuild('empty', 'no stored snapshot');
      this.snapshot = deserialiseSnapshot(records);
    } catch (error) {
      if (error instanceof SnapshotCorruptError) return this.needRebuild('corrupt', error.message);
      if (error instanceof SnapshotVersionError) return this.needRebuild('schema-version', error.message);
      throw error;
    }
    this.lastState = { state: 'ready', transactions: transactionCount(this.snapshot), checkpoint: this.snapshot.checkpoint, loadMs: performance.now() - started };
    return this.lastState;
  }

  state(): SnapshotState {
    return this.lastState;
  }

  /**
   * The snapshot in memory, for other compute areas' handlers to aggregate over (read only: changes go
   * through syncDocuments/applyChanges, which store them). Throws SnapshotNotReadyError before it is loaded or rebuilt.
   */
  current(): Snapshot {
    return this.requireSnapshot();
  }

  /** Replaces the snapshot with one built from every live transaction document, and stores it. */
  async rebuild(docs: readonly (SnapshotDoc & { readonly _deleted?: boolean })[], checkpoint: Checkpoint): Promise<SnapshotState> {
    const store = this.requireStore();
    const started = performance.now();
    const built = buildSnapshot(docs, checkpoint);
    const records = serialiseSnapshot(built);
    await store.write(records.meta, records.years, [], true);
    built.dirtyYears.clear();
    this.snapshot = built;
    this.lastState = { state: 'ready', transactions: transactionCount(built), checkpoint, loadMs: performance.now() - started };
    return this.lastState;
  }

  /** Applies a batch of change events (local edits or a pulled sync batch) and stores the years it touched. */
  async applyChanges(changes: readonly SnapshotChange[], checkpoint: Checkpoint): Promise<{ readonly transactions: number; readonly checkpoint: Checkpoint }> {
    const s = this.requireSnapshot();
    const store = this.requireStore();
    try {
      applyChanges(s, changes, checkpoint);
    } catch (error) {
      // The id index is built from the stored ids on the first change; damage found there means rebuild.
      if (error instanceof SnapshotCorruptError) this.needRebuild('corrupt', error.message);
      throw error;
    }
    const years = new Map<number, ArrayBuffer>();
    const gone: number[] = [];
    for (const year of s.dirtyYears) {
      const p = s.years.get(year);
      if (p && p.docCount > 0) years.set(year, serialiseYear(p));
      else gone.push(year);
    }
    await store.write(serialiseMeta(s), years, gone);
    s.dirtyYears.clear();
    const transactions = transactionCount(s);
    this.lastState = { state: 'ready', transactions, checkpoint, loadMs: 0 };
    return { transactions, checkpoint };
  }

  /**
   * Brings the snapshot to the replica's state for these documents, whatever it knew of them: a live
   * document is inserted or replaces its rows, a tombstone removes them (or is ignored when unknown).
   * This is how change events — local edits, other tabs, pulled sync batches — and the catch-up read
   * after opening are applied, so a document seen twice does no harm.
   */
  async syncDocuments(docs: readonly (ReplicaTransaction | ReplicaTombstone)[], checkpoint: Checkpoint): Promise<{ readonly transactions: number; readonly checkpoint: Checkpoint }> {
    const s = this.requireSnapshot();
    let index: ReadonlyMap<string, unknown>;
    try {
      index = rowIndex(s);
    } catch (error) {
      if (error instanceof SnapshotCorruptError) this.needRebuild('corrupt', error.message);
      throw error;
    }
    const present = new Map<string, boolean>();
    const changes: SnapshotChange[] = [];
    for (const doc of docs) {
      const known = present.get(doc.id) ?? index.has(doc.id);
      if (doc._deleted === true) {
        if (known) changes.push({ op: 'delete', id: doc.id });
        present.set(doc.id, false);
      } else {
        changes.push({ op: known ? 'update' : 'insert', doc: snapshotFields(doc as ReplicaTransaction) });
        present.set(doc.id, true);
      }
    }
    return this.applyChanges(changes, checkpoint);
  }

  /** Starts a rebuild fed page by page (addRebuildDocuments), so neither side holds every document twice. */
  beginRebuild(): void {
    this.requireStore();
    this.collecting = new Map();
  }

  /** One page of replica documents for the rebuild under way; returns the live documents collected so far. */
  addRebuildDocuments(docs: readonly ReplicaTransaction[]): number {
    if (!this.collecting) throw new SnapshotNotReadyError('no rebuild under way: call beginRebuild first');
    for (const d of docs) {
      if (d._deleted === true) this.collecting.delete(d.id);
      else this.collecting.set(d.id, snapshotFields(d));
    }
    return this.collecting.size;
  }

  /** Builds and stores the snapshot from the pages collected, reflecting `checkpoint`. */
  async finishRebuild(checkpoint: Checkpoint): Promise<SnapshotState> {
    if (!this.collecting) throw new SnapshotNotReadyError('no rebuild under way: call beginRebuild first');
    const docs = [...this.collecting.values()];
    this.collecting = null;
    return this.rebuild(docs, checkpoint);
  }

  /** Starts a consistency check fed page by page with every live transaction of the replica. */
  beginConsistencyCheck(): void {
    this.requireSnapshot();
    this.checking = new Map();
  }

  addCheckDocuments(docs: readonly ReplicaTransaction[]): void {
    if (!this.checking) throw new SnapshotNotReadyError('no consistency check under way: call beginConsistencyCheck first');
    for (const c of documentChecksums(docs)) {
      const sums = this.checking.get(c.year) ?? { count: 0, amountSum: 0, hash: 0 };
      sums.count += c.count;
      sums.amountSum += c.amountSum;
      sums.hash = (sums.hash + c.hash) >>> 0;
      this.checking.set(c.year, sums);
    }
  }

  /** Compares the sums of the pages with the snapshot (see checkConsistency). */
  finishConsistencyCheck(): SnapshotState {
    if (!this.checking) throw new SnapshotNotReadyError('no consistency check under way: call beginConsistencyCheck first');
    const replica = [...this.checking.entries()]
      .filter(([, v]) => v.count > 0)
      .sort(([a], [b]) => a - b)
      .map(([year, v]) => ({ year, count: v.count, amountSum: v.amountSum, hash: v.hash }));
    this.checking = null;
    return this.checkConsistency(replica);
  }

  /** Drops a paged rebuild or check that will not be finished (the replica changed under it). */
  abandonPaged(): void {
    this.collecting = null;
    this.checking = null;
  }

  /**
   * The dashboard's figures: the month's income and expense by category, and each account's balance
   * the way shared/src/ledger/balances.ts defines it — opening balance plus the transactions dated from
   * the opening date up to `asOf` (earlier ones are inside the opening balance already).
   */
  overview(request: OverviewRequest): Overview {
    const s = this.requireSnapshot();
    const month = monthSchema.parse(request.month);
    const accounts = overviewAccountsSchema.parse(request.accounts);
    const asOf = dateSchema.parse(request.asOf);
    const started = performance.now();
    const totals = new Map(accountBalances(s, accounts, asOf).map((b) => [`${b.accountId}\u0000${b.currency}`, { ...b }]));
    const byOpening = new Map<string, typeof accounts>();
    for (const a of accounts) byOpening.set(a.openingDate, [...(byOpening.get(a.openingDate) ?? []), a]);
    for (const [openingDate, group] of byOpening) {
      const dayBefore = dateOfDay(dayNumber(openingDate) - 1);
      const ids = new Set(group.map((a) => a.id));
      for (const before of accountBalances(s, [], dayBefore)) {
        if (!ids.has(before.accountId)) continue;
        const entry = totals.get(`${before.accountId}\u0000${before.currency}`);
        if (entry) entry.balance -= before.balance;
      }
    }
    const balances = [...totals.values()].filter((b) => b.balance !== 0 || accounts.some((a) => a.id === b.accountId && a.currency === b.currency));
    for (const b of balances) if (!Number.isSafeInteger(b.balance)) throw new RangeError(`balance of ${b.accountId} is beyond exact integer range`);
    return { month: monthSummary(s, month), balances, transactions: transactionCount(s), checkpoint: s.checkpoint, computedInMs: performance.now() - started };
  }

  /**
   * The latest date D such that at least `count` rows (transactions or split lines) are dated D or
   * later, for the recent-transactions list: the UI asks the replica's date index for `date >= D`
   * only, so it reads and decrypts a page, never the collection.
   */
  recentWindow(count: number): RecentWindow {
    const s = this.requireSnapshot();
    const wanted = z.number().int().min(1).max(1_000_000).parse(count);
    const years = [...s.years.values()].sort((a, b) => b.year - a.year);
    let seen = 0;
    for (const p of years) {
      const first = Math.round(Date.UTC(p.year, 0, 1) / 86_400_000);
      const perDay = new Uint32Array(367);
      for (let i = 0; i < p.length; i++) {
        if ((p.flags[i]! & FLAG.deleted) !== 0) continue;
        const k = p.day[i]! - first;
        perDay[k] = perDay[k]! + 1;
      }
      for (let d = perDay.length - 1; d >= 0; d--) {
        seen += perDay[d]!;
        if (seen >= wanted) return { from: dateOfDay(first + d), transactions: transactionCount(s) };
      }
    }
    return { from: null, transactions: transactionCount(s) };
  }

  checksums(): YearChecksum[] {
    return snapshotChecksums(this.requireSnapshot());
  }

  /**
   * The consistency check: compares per-year checksums with the replica's. Any difference drops the
   * in-memory snapshot and asks for a rebuild.
   */
  checkConsistency(replica: readonly YearChecksum[]): SnapshotState {
    const years = mismatchedYears(this.checksums(), replica);
    if (years.length === 0) return this.lastState;
    return this.needRebuild('out-of-step', `years out of step with the replica: ${years.join(', ')}`);
  }

  dashboard(request: DashboardRequest): Dashboard {
    const s = this.requireSnapshot();
    const month = monthSchema.parse(request.month);
    const accounts = accountsSchema.parse(request.accounts);
    const asOf = request.asOf === undefined ? undefined : dateSchema.parse(request.asOf);
    const started = performance.now();
    const result = {
      netWorth: netWorth(s, accounts, asOf),
      month: monthSummary(s, month),
      balances: accountBalances(s, accounts, asOf),
      checkpoint: s.checkpoint,
    };
    return { ...result, computedInMs: performance.now() - started };
  }

  categoryTotals(range: DayRange = {}): TimedTotals {
    const s = this.requireSnapshot();
    const checked = rangeSchema.parse(range);
    const started = performance.now();
    const totals = categoryTotals(s, checked);
    return { totals, computedInMs: performance.now() - started };
  }

  async erase(): Promise<void> {
    await this.requireStore().clear();
    this.snapshot = null;
    this.lastState = { state: 'rebuild-needed', reason: 'empty', detail: 'erased' };
  }

  close(): void {
    this.abandonPaged();
    this.store?.close();
    this.store = null;
    this.snapshot = null;
  }

  private needRebuild(reason: 'empty' | 'corrupt' | 'schema-version' | 'out-of-step', detail: string): SnapshotState {
    this.snapshot = null;
    this.lastState = { state: 'rebuild-needed', reason, detail };
    return this.lastState;
  }

  private requireStore(): SnapshotStore {
    if (!this.store) throw new SnapshotNotReadyError('the snapshot store is not open: call openSnapshot first');
    return this.store;
  }

  private requireSnapshot(): Snapshot {
    if (!this.snapshot) throw new SnapshotNotReadyError(`no snapshot in memory (${this.lastState.state === 'rebuild-needed' ? `${this.lastState.reason}: ${this.lastState.detail}` : 'ready'}): rebuild it first`);
    return this.snapshot;
  }
}
