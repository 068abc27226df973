import type { RxConflictHandler, WithDeleted } from 'rxdb';
import { jsonEqual, mergeDocs, stripMeta, type ConflictRecord, type SyncDoc } from '@mymidas/shared/sync';
import type { DeviceClock } from './clock.ts';

/**
 * RxDB conflict handler that replaces the default one (which keeps the server's copy and drops the
 * unsynced local edit). On a push conflict RxDB passes base = the assumed master, ours = the local
 * state, theirs = the real master; `mergeDocs` merges them field by field (docs/sync-protocol.md,
 * "Conflicts"), the losing values of same-field clashes go to the conflict log, and the merge is
 * written locally with a fresh stamp, to be pushed against the server's master.
 */
export interface MergeHandlerOptions {
  readonly collection: string;
  readonly clock: DeviceClock;
  /** Stores the losing values; awaited before the merge is written, so a crash cannot lose them. */
  readonly record: (conflicts: ConflictRecord[]) => Promise<unknown>;
}

function dataOf(doc: Record<string, unknown>): Record<string, unknown> {
  const out = stripMeta(doc);
  delete out._attachments;
  return out;
}

function withoutStamp(doc: Record<string, unknown>): Record<string, unknown> {
  const { hlc: _hlc, ...rest } = doc;
  return rest;
}

export function createMergeConflictHandler<D>(options: MergeHandlerOptions): RxConflictHandler<D> {
  return {
    isEqual(a, b) {
      return jsonEqual(dataOf(a as Record<string, unknown>), dataOf(b as Record<string, unknown>));
    },
    async resolve(input) {
      const theirs = dataOf(input.realMasterState as Record<string, unknown>) as SyncDoc;
      const ours = dataOf(input.newDocumentState as Record<string, unknown>) as SyncDoc;
      const base = input.assumedMasterState ? (dataOf(input.assumedMasterState as Record<string, unknown>) as SyncDoc) : null;
      options.clock.observe(theirs.hlc);
      const { doc, conflicts } = mergeDocs({ collection: options.collection, base, ours, theirs });
      if (conflicts.length > 0) await options.record(conflicts);
      // Nothing of ours survives (or it is already there): take the master as is, nothing to push.
      if (jsonEqual(withoutStamp(doc), withoutStamp(theirs))) return input.realMasterState;
      return { ...doc, hlc: options.clock.nextStamp() } as unknown as WithDeleted<D>;
    },
  };
}
