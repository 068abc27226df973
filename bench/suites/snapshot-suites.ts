import { defineSuite } from '../lib/suite.ts';
import type { BenchContext } from '../lib/suite.ts';
import { CATEGORY_TOTALS_TARGET_MS, OPEN_RATIO_TARGET, runSnapshotBench } from './snapshot-report.ts';
import type { SnapshotReport } from './snapshot-report.ts';

/**
 * Registers issue 9's snapshot benchmark (bench/suites/snapshot-report.ts) with the runner as two suites
 * fed by one run of it (the page build and the 100k rebuild happen once): full-range category totals in
 * the compute worker vs a plain loop over the transaction objects, and opening the stored snapshot with
 * 100k transactions vs an empty one.
 */

const RUNS = { full: 5, quick: 2 } as const;

let pending: { size: number; report: Promise<SnapshotReport> } | null = null;

function report(ctx: BenchContext): Promise<SnapshotReport> {
  if (!pending || pending.size !== ctx.size) {
    const runs = ctx.quick ? RUNS.quick : RUNS.full;
    pending = { size: ctx.size, report: runSnapshotBench({ count: ctx.size, rounds: runs, totalsRuns: runs * 4 + 1, log: ctx.log }) };
  }
  return pending.report;
}

function takeFrom(list: number[], what: string): number {
  const next = list.shift();
  if (next === undefined) throw new Error(`snapshot bench: more ${what} samples asked for than measured`);
  return next;
}

interface Samples {
  readonly measured: number[];
  readonly baseline: number[];
}

export const snapshotCategoryTotals = defineSuite<Samples>({
  name: 'snapshot-category-totals',
  description: 'full-range category totals in the compute worker over the columnar snapshot (issue 9)',
  environment: 'browser',
  sizeUnit: 'transactions',
  size: { full: 100_000, quick: 10_000 },
  runs: RUNS,
  unit: 'ms',
  better: 'lower',
  baselineName: 'plain JS loop over the transaction objects',
  target: { on: 'value', max: CATEGORY_TOTALS_TARGET_MS },
  async setup(ctx) {
    const r = await report(ctx);
    return { measured: [...r.raw.totalsInWorkerMs], baseline: [...r.raw.baselineLoopMs] };
  },
  run: (_ctx, s) => takeFrom(s.measured, 'worker totals'),
  baseline: (_ctx, s) => takeFrom(s.baseline, 'loop totals'),
});

export const snapshotOpen = defineSuite<Samples>({
  name: 'snapshot-open',
  description: 'fresh compute worker: load the encrypted snapshot and answer the dashboard (issue 9)',
  environment: 'browser',
  sizeUnit: 'transactions',
  size: { full: 100_000, quick: 10_000 },
  runs: RUNS,
  unit: 'ms',
  better: 'lower',
  baselineName: 'the same with an empty snapshot',
  target: { on: 'ratio', max: OPEN_RATIO_TARGET },
  async setup(ctx) {
    const r = await report(ctx);
    return { measured: [...r.raw.openToDashboardMs.full], baseline: [...r.raw.openToDashboardMs.empty] };
  },
  run: (_ctx, s) => takeFrom(s.measured, 'open'),
  baseline: (_ctx, s) => takeFrom(s.baseline, 'open'),
});
