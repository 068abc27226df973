import { describe, expect, it } from 'vitest';
import { buildSnapshot, transactionCount } from '@mymidas/shared/snapshot/snapshot';
import { DuplicateHandlerError } from '../workers/door.ts';
import { createComputeContext, defineComputeArea } from './compute-area.ts';
import type { SnapshotReader } from './compute-area.ts';
import { COMPUTE_AREAS, createComputeHandlers } from './registry.ts';
import { SnapshotNotReadyError } from './snapshot/snapshot-engine.ts';

/** An area as the next issues add them: handlers over the snapshot the snapshot area keeps. */
const countingArea = defineComputeArea('counting', (context) => createCountingHandlers(context.snapshot));
function createCountingHandlers(snapshot: SnapshotReader) {
  return { countingTransactions: () => transactionCount(snapshot.current()) };
}

describe('compute registry', () => {
  it('exposes every handler of the snapshot area, each a function', () => {
    const handlers = createComputeHandlers();
    expect(COMPUTE_AREAS.map((a) => a.name)).toEqual(['snapshot', 'budgets', 'invest', 'reports', 'forecasts']);
    for (const name of ['openSnapshot', 'syncSnapshotDocuments', 'overview', 'recentWindow', 'categoryTotals', 'closeSnapshot'] as const) {
      expect(typeof handlers[name]).toBe('function');
    }
  });

  it('an added area reads the snapshot the snapshot area holds, through the one shared context', () => {
    const context = createComputeContext();
    const handlers = createComputeHandlers(context, [...COMPUTE_AREAS, countingArea]) as ReturnType<typeof createComputeHandlers> & ReturnType<typeof createCountingHandlers>;
    // Nothing loaded yet: the added area sees the same "not ready" as the snapshot's own handlers.
    expect(() => handlers.countingTransactions()).toThrow(SnapshotNotReadyError);
    expect(() => handlers.overview({ month: '2026-01', accounts: [], asOf: '2026-01-31' })).toThrow(SnapshotNotReadyError);
  });

  it('an area factory runs in Node over a snapshot built from documents', () => {
    const built = buildSnapshot(
      [{ id: 'a', date: '2026-01-02', amount: -500, currency: 'GBP', accountId: 'acc', categoryId: null, status: 'cleared', transferId: null, splits: [] }],
      null,
    );
    expect(createCountingHandlers({ current: () => built }).countingTransactions()).toBe(1);
  });

  it('refuses an area whose handler name another area already uses', () => {
    const clash = defineComputeArea('clash', () => ({ overview: () => 'mine' }));
    expect(() => createComputeHandlers(createComputeContext(), [...COMPUTE_AREAS, clash])).toThrow(DuplicateHandlerError);
    expect(() => createComputeHandlers(createComputeContext(), [...COMPUTE_AREAS, clash])).toThrow(/"overview" is registered twice/);
  });
});
