import type { DayRange } from '../aggregates.ts';
import type { YearChecksum } from '../checksum.ts';
import type { Dashboard, DashboardRequest, SnapshotState, TimedTotals } from '../protocol.ts';
import type { Checkpoint, SnapshotChange, SnapshotDoc } from '../snapshot.ts';

/**
 * What e2e/snapshot-harness/page.ts puts on window.snapshotHarness (JSON in, JSON out), shared by the
 * page, the browser test and the benchmark. Types only; it lives here because the harness folder is
 * type-checked with the client and the test and bench with the Node tools, and both reach shared/.
 */

export const SNAPSHOT_HARNESS_GLOBAL = 'snapshotHarness';

export interface SnapshotBenchOptions {
  readonly count: number;
  readonly seed: number;
  readonly rounds: number;
  readonly totalsRuns: number;
}

export interface SnapshotBenchRun {
  readonly count: number;
  /** Fresh worker → openSnapshot → dashboard numbers, per round, for the empty and the full snapshot. */
  readonly openToDashboardMs: { readonly empty: number[]; readonly full: number[] };
  /** Time spent loading records (read + decrypt + decode) inside the worker, per round. */
  readonly loadInWorkerMs: { readonly empty: number[]; readonly full: number[] };
  readonly rebuildMs: number;
  readonly storedBytes: number;
  /** Full-range category totals computed in the worker: compute time, and round trip from the page. */
  readonly totalsInWorkerMs: number[];
  readonly totalsRoundTripMs: number[];
  /** The same totals from a plain loop over the array of transaction objects, on the page. */
  readonly baselineLoopMs: number[];
  readonly resultsAgree: boolean;
  readonly pageHeapMb: number | null;
  readonly userAgent: string;
}

export interface SnapshotHarness {
  /** Starts a compute worker with a fresh non-extractable AES-GCM key kept on the page. */
  start(databaseName: string): Promise<void>;
  /** A new worker (the old one terminated), same database and key: what reopening the app does. */
  restartWorker(): Promise<void>;
  /** Replaces the key with a new one (as if the records had been sealed under another key). */
  replaceKey(): Promise<void>;
  open(): Promise<SnapshotState>;
  rebuild(docs: SnapshotDoc[], checkpoint: Checkpoint): Promise<SnapshotState>;
  apply(changes: SnapshotChange[], checkpoint: Checkpoint): Promise<{ transactions: number; checkpoint: Checkpoint }>;
  dashboard(request: DashboardRequest): Promise<Dashboard>;
  categoryTotals(range: DayRange): Promise<TimedTotals>;
  checksums(): Promise<YearChecksum[]>;
  checkConsistency(replica: YearChecksum[]): Promise<SnapshotState>;
  /** Keys of the stored records, read raw from IndexedDB. */
  recordKeys(): Promise<string[]>;
  /** Flips one byte of a stored record's ciphertext, in IndexedDB, behind the worker's back. */
  flipStoredByte(recordKey: string, offset: number): Promise<number>;
  /** Whether any stored record holds this text in the clear. */
  storedContains(text: string): Promise<boolean>;
  bench(options: SnapshotBenchOptions): Promise<SnapshotBenchRun>;
  terminate(): void;
}
