import type { DayRange } from '@mymidas/shared/snapshot/aggregates';
import type { YearChecksum } from '@mymidas/shared/snapshot/checksum';
import type { Checkpoint, SnapshotChange, SnapshotDoc } from '@mymidas/shared/snapshot/snapshot';
import type {
  Dashboard, DashboardRequest, Overview, OverviewRequest, RecentWindow, ReplicaTombstone, ReplicaTransaction, SnapshotEngine, SnapshotState, TimedTotals,
} from './snapshot-engine.ts';
import { defineComputeArea } from '../compute-area.ts';

/** The snapshot area's handlers in the compute worker: keeping the snapshot and the dashboard's figures. */
export interface SnapshotHandlers {
  /** Opens the encrypted snapshot database and loads it; says whether a rebuild is needed. */
  openSnapshot(databaseName: string, key: CryptoKey): Promise<SnapshotState>;
  snapshotState(): SnapshotState;
  rebuildSnapshot(docs: readonly (SnapshotDoc & { readonly _deleted?: boolean })[], checkpoint: Checkpoint): Promise<SnapshotState>;
  applySnapshotChanges(changes: readonly SnapshotChange[], checkpoint: Checkpoint): Promise<{ readonly transactions: number; readonly checkpoint: Checkpoint }>;
  snapshotChecksums(): YearChecksum[];
  checkSnapshotConsistency(replica: readonly YearChecksum[]): SnapshotState;
  dashboard(request: DashboardRequest): Dashboard;
  categoryTotals(range?: DayRange): TimedTotals;
  eraseSnapshot(): Promise<void>;
  /** Closes the snapshot database (before the worker goes, so erasing the device is never blocked). */
  closeSnapshot(): void;
  /** Applies replica documents (change events, catch-up reads) whatever the snapshot knew of them. */
  syncSnapshotDocuments(docs: readonly (ReplicaTransaction | ReplicaTombstone)[], checkpoint: Checkpoint): Promise<{ readonly transactions: number; readonly checkpoint: Checkpoint }>;
  beginSnapshotRebuild(): void;
  addSnapshotRebuildDocuments(docs: readonly ReplicaTransaction[]): number;
  finishSnapshotRebuild(checkpoint: Checkpoint): Promise<SnapshotState>;
  beginSnapshotCheck(): void;
  addSnapshotCheckDocuments(docs: readonly ReplicaTransaction[]): void;
  finishSnapshotCheck(): SnapshotState;
  abandonSnapshotPaging(): void;
  overview(request: OverviewRequest): Overview;
  recentWindow(count: number): RecentWindow;
}

/** The compute area that owns the snapshot: the other areas read what it keeps (ComputeContext.snapshot). */
export const snapshotArea = defineComputeArea('snapshot', (context): SnapshotHandlers => createSnapshotHandlers(context.snapshot));

export function createSnapshotHandlers(engine: SnapshotEngine): SnapshotHandlers {
  return {
    openSnapshot: (databaseName, key) => engine.open(databaseName, key),
    snapshotState: () => engine.state(),
    rebuildSnapshot: (docs, checkpoint) => engine.rebuild(docs, checkpoint),
    applySnapshotChanges: (changes, checkpoint) => engine.applyChanges(changes, checkpoint),
    snapshotChecksums: () => engine.checksums(),
    checkSnapshotConsistency: (replica) => engine.checkConsistency(replica),
    dashboard: (request) => engine.dashboard(request),
    categoryTotals: (range) => engine.categoryTotals(range),
    eraseSnapshot: () => engine.erase(),
    closeSnapshot: () => engine.close(),
    syncSnapshotDocuments: (docs, checkpoint) => engine.syncDocuments(docs, checkpoint),
    beginSnapshotRebuild: () => engine.beginRebuild(),
    addSnapshotRebuildDocuments: (docs) => engine.addRebuildDocuments(docs),
    finishSnapshotRebuild: (checkpoint) => engine.finishRebuild(checkpoint),
    beginSnapshotCheck: () => engine.beginConsistencyCheck(),
    addSnapshotCheckDocuments: (docs) => engine.addCheckDocuments(docs),
    finishSnapshotCheck: () => engine.finishConsistencyCheck(),
    abandonSnapshotPaging: () => engine.abandonPaged(),
    overview: (request) => engine.overview(request),
    recentWindow: (count) => engine.recentWindow(count),
  };
}
