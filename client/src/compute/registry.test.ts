import { describe, expect, it } from 'vitest';
import { buildSnapshot, transactionCount } from '@mymidas/shared/snapshot/snapshot';
import { DuplicateHandlerError } from '../workers/door.ts';
import { createComputeContext, defineComputeArea, lazyComputeArea } from './compute-area.ts';
import type { LazyComputeArea, SnapshotReader } from './compute-area.ts';
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

  it('lists every handler of each lazily loaded area under the name its code answers, no more, no fewer', async () => {
    const lazy = COMPUTE_AREAS.filter((a): a is (typeof COMPUTE_AREAS)[number] & LazyComputeArea<object> => 'load' in a);
    expect(lazy.map((a) => a.name)).toEqual(['budgets', 'invest', 'reports', 'forecasts']);
    for (const area of lazy) {
      const made = (await area.load())(createComputeContext());
      expect([...area.handlerNames].sort(), area.name).toEqual(Object.keys(made).sort());
      expect(Object.keys(area.create(createComputeContext())).sort(), area.name).toEqual(Object.keys(made).sort());
    }
  });

  it('a lazy area loads its code on the first call only, runs calls made while it loads in order, and tries a failed load again', async () => {
    type Log = { logPush(entry: string): number; logRead(): string[] };
    let loads = 0;
    let fail = true;
    const area = lazyComputeArea<Log>('log', { logPush: true, logRead: true }, () => {
      loads += 1;
      if (fail) return Promise.reject(new Error('chunk not found'));
      return Promise.resolve(() => {
        const entries: string[] = [];
        return { logPush: (entry) => entries.push(entry), logRead: () => [...entries] };
      });
    });
    const handlers = createComputeHandlers(createComputeContext(), [...COMPUTE_AREAS, area]) as ReturnType<typeof createComputeHandlers> & ReturnType<typeof area.create>;
    expect(loads).toBe(0);
    await expect(handlers.logPush('lost')).rejects.toThrow('chunk not found');
    fail = false;
    const calls = [handlers.logPush('a'), handlers.logPush('b'), handlers.logRead(), handlers.logPush('c')];
    expect(await Promise.all(calls)).toEqual([1, 2, ['a', 'b'], 3]);
    expect(await handlers.logRead()).toEqual(['a', 'b', 'c']);
    expect(loads).toBe(2);
  });

  it('the worker entry and the registry import no area but the snapshot\'s: the others load on first use', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const file of ['./registry.ts', './budgets/budgets-area.ts', './invest/invest-area.ts', './reports/reports-area.ts', './forecasts/forecasts-area.ts']) {
      const source = await readFile(new URL(file, import.meta.url), 'utf8');
      const values = [...source.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1]);
      expect(values.filter((from) => /-handlers\.ts$/.test(from!) && !from!.includes('snapshot/')), file).toEqual([]);
    }
  });
});
