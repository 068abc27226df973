import { pathToFileURL } from 'node:url';
import type { SnapshotBenchRun, SnapshotHarness } from '@mymidas/shared/snapshot/__fixtures__/harness-api';
import { findChromium, launchChromium } from '../../e2e/lib/chromium.ts';
import { buildAndServeHarness } from '../../e2e/lib/harness-site.ts';

/**
 * The persisted snapshot and the compute worker (issue 9, ARCHITECTURE decision 8), in headless Chromium
 * on the snapshot harness page (e2e/snapshot-harness), with a deterministic 100,000-transaction ledger:
 * - full-range category totals computed in the worker (target ≤ 50 ms), against a plain JS loop over the
 *   array of transaction objects measured in the same run;
 * - opening: a fresh worker loading the stored, encrypted snapshot and answering the dashboard, 100k vs an
 *   empty snapshot (target ratio ≤ 1.5 — this is the snapshot's share of the app's open time; the full
 *   navigation-to-dashboard figure needs the app shell).
 */

export const CATEGORY_TOTALS_TARGET_MS = 50;
export const OPEN_RATIO_TARGET = 1.5;

export interface SnapshotBenchOptions {
  readonly count?: number;
  readonly seed?: number;
  readonly rounds?: number;
  readonly totalsRuns?: number;
  readonly log?: (line: string) => void;
}

export interface SnapshotReport {
  readonly suite: 'snapshot-report';
  readonly transactions: number;
  readonly categoryTotals: {
    readonly workerMs: number;
    readonly roundTripMs: number;
    readonly baselineLoopMs: number;
    readonly targetMs: number;
    readonly withinTarget: boolean;
    readonly resultsAgree: boolean;
  };
  readonly open: {
    readonly emptyMs: number;
    readonly fullMs: number;
    readonly ratio: number;
    readonly loadInWorkerEmptyMs: number;
    readonly loadInWorkerFullMs: number;
    readonly target: number;
    readonly withinTarget: boolean;
  };
  readonly rebuildMs: number;
  readonly storedBytes: number;
  readonly pageHeapMb: number | null;
  readonly raw: SnapshotBenchRun;
}

const HARNESS_CONFIG = new URL('../../e2e/snapshot-harness/vite.config.ts', import.meta.url).pathname;

function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('no timings');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function runSnapshotBench(options: SnapshotBenchOptions = {}): Promise<SnapshotReport> {
  const count = options.count ?? 100_000;
  const seed = options.seed ?? 1;
  const rounds = options.rounds ?? 5;
  const totalsRuns = options.totalsRuns ?? 21;
  const log = options.log ?? (() => undefined);
  if (!findChromium()) throw new Error('snapshot bench needs Chromium: set CHROMIUM_PATH or install /usr/bin/chromium');

  const site = await buildAndServeHarness(HARNESS_CONFIG);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${site.url}/index.html`);
    await page.waitForFunction(() => 'snapshotHarness' in window, undefined, { timeout: 30_000 }).catch((error: unknown) => {
      throw new Error(`snapshot harness did not start: ${pageErrors.join('; ') || String(error)}`);
    });
    log(`snapshot-report: ${count} transactions, ${rounds} open round(s), ${totalsRuns} totals run(s)`);
    const raw = await page.evaluate(
      (o) => ((window as unknown as Record<string, SnapshotHarness>).snapshotHarness!).bench(o),
      { count, seed, rounds, totalsRuns },
    );
    const emptyMs = median(raw.openToDashboardMs.empty);
    const fullMs = median(raw.openToDashboardMs.full);
    const workerMs = median(raw.totalsInWorkerMs);
    const report: SnapshotReport = {
      suite: 'snapshot-report',
      transactions: count,
      categoryTotals: {
        workerMs,
        roundTripMs: median(raw.totalsRoundTripMs),
        baselineLoopMs: median(raw.baselineLoopMs),
        targetMs: CATEGORY_TOTALS_TARGET_MS,
        withinTarget: workerMs <= CATEGORY_TOTALS_TARGET_MS,
        resultsAgree: raw.resultsAgree,
      },
      open: {
        emptyMs,
        fullMs,
        ratio: fullMs / emptyMs,
        loadInWorkerEmptyMs: median(raw.loadInWorkerMs.empty),
        loadInWorkerFullMs: median(raw.loadInWorkerMs.full),
        target: OPEN_RATIO_TARGET,
        withinTarget: fullMs / emptyMs <= OPEN_RATIO_TARGET,
      },
      rebuildMs: raw.rebuildMs,
      storedBytes: raw.storedBytes,
      pageHeapMb: raw.pageHeapMb,
      raw,
    };
    const ms = (v: number) => `${v.toFixed(2)} ms`;
    const c = report.categoryTotals;
    log(`  category totals, full range: worker ${ms(c.workerMs)} (round trip ${ms(c.roundTripMs)}) vs plain loop over objects ${ms(c.baselineLoopMs)}; target ≤ ${c.targetMs} ms: ${c.withinTarget ? 'met' : 'MISSED'}; same results: ${c.resultsAgree ? 'yes' : 'NO'}`);
    log(`  open → dashboard numbers: empty ${ms(emptyMs)}, ${count} ${ms(fullMs)} (×${report.open.ratio.toFixed(2)}; the app-level ≤ ×${OPEN_RATIO_TARGET} bar is open-app's)`);
    log(`  snapshot load inside the worker: empty ${ms(report.open.loadInWorkerEmptyMs)}, ${count} ${ms(report.open.loadInWorkerFullMs)}`);
    log(`  rebuild from ${count} docs ${ms(report.rebuildMs)}; stored ${(report.storedBytes / 2 ** 20).toFixed(2)} MiB${report.pageHeapMb === null ? '' : `; page heap ${report.pageHeapMb.toFixed(1)} MB`}`);
    if (!c.resultsAgree) throw new Error('worker category totals differ from the plain loop');
    return report;
  } finally {
    await browser.close();
    await site.close();
  }
}

/** `node --import tsx bench/suites/snapshot-report.ts [count] [rounds]` */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [count, rounds] = process.argv.slice(2).map(Number);
  const report = await runSnapshotBench({ count: count || undefined, rounds: rounds || undefined, log: (line) => console.log(line) });
  const per = (list: number[]) => list.map((v) => v.toFixed(1)).join(', ');
  console.log(`  rounds (ms): open empty ${per(report.raw.openToDashboardMs.empty)}; open full ${per(report.raw.openToDashboardMs.full)}`);
  console.log(JSON.stringify({ ...report, raw: undefined }));
}
