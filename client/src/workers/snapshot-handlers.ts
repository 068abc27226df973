import type { DayRange } from '../../../shared/src/snapshot/aggregates.ts';
import type { YearChecksum } from '../../../shared/src/snapshot/checksum.ts';
import type { Checkpoint, SnapshotChange, SnapshotDoc } from '../../../shared/src/snapshot/snapshot.ts';
import type { Dashboard, DashboardRequest, SnapshotEngine, SnapshotState, TimedTotals } from './snapshot-engine.ts';

/** The snapshot feature's handlers in the compute worker. */
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
}

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
  };
}
