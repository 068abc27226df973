import { z } from 'zod';
import { ACCOUNT_TYPES } from '@mymidas/shared/schema';
import { accountBalances, categoryTotals, monthSummary, netWorth } from '@mymidas/shared/snapshot/aggregates';
import type { DayRange } from '@mymidas/shared/snapshot/aggregates';
import { mismatchedYears, snapshotChecksums } from '@mymidas/shared/snapshot/checksum';
import type { YearChecksum } from '@mymidas/shared/snapshot/checksum';
import { SnapshotCorruptError, SnapshotVersionError, deserialiseSnapshot, serialiseMeta, serialiseSnapshot, serialiseYear } from '@mymidas/shared/snapshot/codec';
import { applyChanges, buildSnapshot, transactionCount } from '@mymidas/shared/snapshot/snapshot';
import type { Checkpoint, Snapshot, SnapshotChange, SnapshotDoc } from '@mymidas/shared/snapshot/snapshot';
import type { Dashboard, DashboardRequest, SnapshotState, TimedTotals } from '@mymidas/shared/snapshot/protocol';
import { openSnapshotStore } from './snapshot-store.ts';
import type { SnapshotStore } from './snapshot-store.ts';

export type { Dashboard, DashboardRequest, SnapshotState, TimedTotals };

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

export class SnapshotNotReadyError extends Error {
  override readonly name = 'SnapshotNotReadyError';
}

export class SnapshotEngine {
  private store: SnapshotStore | null = null;
  private snapshot: Snapshot | null = null;
  private lastState: SnapshotState = { state: 'rebuild-needed', reason: 'empty', detail: 'not opened' };

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
