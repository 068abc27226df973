import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { findChromium, launchChromium } from '../../e2e/lib/chromium.ts';
import { DASHBOARD_HARNESS_GLOBAL } from '../../e2e/lib/dashboard-harness-api.ts';
import type { DashboardHarness, SeedOptions, SeedResult } from '../../e2e/lib/dashboard-harness-api.ts';
import { buildDashboardSite } from '../../e2e/lib/dashboard-site.ts';
import type { DashboardSite } from '../../e2e/lib/dashboard-site.ts';
import { defineSuite, median } from '../lib/suite.ts';
import type { BenchContext } from '../lib/suite.ts';

/**
 * Opening the app (issue 9 acceptance; ARCHITECTURE decision 8), the production build in headless
 * Chromium, served cross-origin isolated:
 * - `open-app`: from navigation to the dashboard's numbers on screen (the page's
 *   `mymidas:dashboard-numbers` mark, on the navigation's own clock), with the demo household of
 *   100,000 transactions in the encrypted replica, ÷ the same with an empty replica (target ≤ 1.5);
 * - `open-app-heap`: the JS heap of the page and its workers right after that open (logged too: the time from the
 *   numbers to the investments valued — `mymidas:dashboard-investments`, the net worth whole — and the heap then)
 *   (performance.measureUserAgentSpecificMemory), 100k vs empty (target ≤ 150 MB).
 * The open includes typing the password and its Argon2id unlock (default cost), as a person's open
 * does; the time from pressing Unlock to the numbers is logged beside it.
 *
 * Setup (not timed): one browser context per replica, the household written through RxDB by the
 * harness tab (e2e/dashboard-harness), then one open of the app each so the compute worker builds and
 * stores the snapshot; measured opens are later visits, as every open after the first is.
 * Full-range category totals in the worker (≤ 50 ms) are the `snapshot-category-totals` suite's.
 */

export const OPEN_APP_RATIO_TARGET = 1.5;
export const OPEN_APP_HEAP_TARGET_MB = 150;
const PASSWORD = 'open-app bench password';
const NUMBERS_MARK = 'mymidas:dashboard-numbers';
const INVESTMENTS_MARK = 'mymidas:dashboard-investments';

export interface OpenSample {
  /** Navigation start → numbers on screen. */
  readonly openMs: number;
  /** Unlock pressed → numbers on screen. */
  readonly afterUnlockMs: number;
  readonly heapMb: number;
  /** From the numbers to the investments valued (net worth whole), ms; and the heap then, MB. */
  readonly valuedMs: number;
  readonly valuedHeapMb: number;
  /** The heap by where it lives: the page (`Window`) and each worker (scope and script name), MB. */
  readonly heapByScope: Record<string, number>;
  readonly rebuilt: boolean;
  /** Milestones of the open (the app's performance marks), ms from navigation start. */
  readonly phases: Record<string, number>;
}

export interface OpenAppRun {
  readonly transactions: number;
  readonly seed: SeedResult;
  /** First open of each: the snapshot built from the replica. */
  readonly firstOpenMs: { readonly empty: number; readonly full: number };
  readonly empty: OpenSample[];
  readonly full: OpenSample[];
}

function todayInLondon(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function call<M extends keyof DashboardHarness>(page: Page, method: M, ...args: Parameters<DashboardHarness[M]>): Promise<Awaited<ReturnType<DashboardHarness[M]>>> {
  return page.evaluate(
    ({ g, method, args }) => ((window as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[g]!)[method]!(...args),
    { g: DASHBOARD_HARNESS_GLOBAL, method, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<DashboardHarness[M]>>>;
}

async function seedReplica(context: BrowserContext, site: DashboardSite, options: SeedOptions | null): Promise<SeedResult> {
  const page = await context.newPage();
  try {
    await page.goto(`${site.url}/harness/seed.html`);
    await page.waitForFunction((g) => g in window, DASHBOARD_HARNESS_GLOBAL, { timeout: 30_000 });
    await call(page, 'open', PASSWORD, false);
    const result = options ? await call(page, 'seed', options) : { counts: {}, ms: 0 };
    await call(page, 'close');
    return result;
  } finally {
    await page.close();
  }
}

/** One open of the app in `context`: navigate, unlock, wait for the numbers; then measure the heap. */
async function openOnce(context: BrowserContext, site: DashboardSite, timeoutMs: number): Promise<OpenSample> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${site.url}/`);
    const field = page.locator('#unlock-password');
    await field.fill(PASSWORD);
    const unlockAt = await page.evaluate(() => performance.now());
    await page.locator('form button[type=submit]').click();
    await page.waitForFunction((mark) => performance.getEntriesByName(mark, 'mark').length > 0, NUMBERS_MARK, { timeout: timeoutMs, polling: 50 }).catch((e: unknown) => {
      throw new Error(`the dashboard's numbers did not show: ${errors.join('; ') || String(e)}`);
    });
    const measured = await page.evaluate(async (mark) => {
      const numbersAt = performance.getEntriesByName(mark, 'mark')[0]!.startTime;
      const rebuilt = performance.getEntriesByName('mymidas:snapshot-rebuild', 'mark').length > 0;
      if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated: no measureUserAgentSpecificMemory');
      type Breakdown = { bytes: number; attribution: { url?: string; scope?: string }[] };
      const memory = await (performance as Performance & { measureUserAgentSpecificMemory(): Promise<{ bytes: number; breakdown: Breakdown[] }> }).measureUserAgentSpecificMemory();
      const byScope: Record<string, number> = {};
      for (const entry of memory.breakdown) {
        const where = entry.attribution.map((a) => `${a.scope ?? '?'}:${(a.url ?? '').split('/').pop()?.replace(/-[\w]{8}\.js$/, '.js') ?? ''}`).join('+') || 'shared';
        byScope[where] = (byScope[where] ?? 0) + entry.bytes;
      }
      const phases = Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('mymidas:')).map((m) => [m.name.slice(8), Math.round(m.startTime)]));
      return { numbersAt, rebuilt, bytes: memory.bytes, byScope, phases };
    }, NUMBERS_MARK);
    // Just after the numbers the dashboard values the investments (their own mark); the heap once that is done too.
    await page.waitForFunction((mark) => performance.getEntriesByName(mark, 'mark').length > 0, INVESTMENTS_MARK, { timeout: timeoutMs, polling: 50 }).catch((e: unknown) => {
      throw new Error(`the dashboard's investments were not valued: ${errors.join('; ') || String(e)}`);
    });
    const valued = await page.evaluate(async (mark) => {
      const memory = await (performance as Performance & { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> }).measureUserAgentSpecificMemory();
      return { at: performance.getEntriesByName(mark, 'mark')[0]!.startTime, bytes: memory.bytes };
    }, INVESTMENTS_MARK);
    return { openMs: measured.numbersAt, afterUnlockMs: measured.numbersAt - unlockAt, valuedMs: valued.at - measured.numbersAt, valuedHeapMb: valued.bytes / 2 ** 20, heapMb: measured.bytes / 2 ** 20, heapByScope: Object.fromEntries(Object.entries(measured.byScope).map(([k, v]) => [k, Math.round((v / 2 ** 20) * 10) / 10])), rebuilt: measured.rebuilt, phases: { unlockPressed: Math.round(unlockAt), ...measured.phases } };
  } finally {
    await page.close();
  }
}

/** Each scope's median over the rounds (a scope missing from a round counts 0 there). */
function medianByScope(list: readonly OpenSample[]): Record<string, number> {
  const scopes = [...new Set(list.flatMap((s) => Object.keys(s.heapByScope)))].sort();
  return Object.fromEntries(scopes.map((scope) => [scope, Math.round(median(list.map((s) => s.heapByScope[scope] ?? 0)) * 10) / 10]));
}

export interface OpenAppOptions {
  readonly transactions?: number;
  readonly rounds?: number;
  readonly log?: (line: string) => void;
}

export async function runOpenAppBench(options: OpenAppOptions = {}): Promise<OpenAppRun> {
  const transactions = options.transactions ?? 100_000;
  const rounds = options.rounds ?? 5;
  const log = options.log ?? (() => undefined);
  if (!findChromium()) throw new Error('open-app bench needs Chromium: set CHROMIUM_PATH or install /usr/bin/chromium');
  const site = await buildDashboardSite();
  // Its own browser: ForceEagerMeasureMemory makes measureUserAgentSpecificMemory answer at once
  // instead of at the next scheduled garbage collection (up to 20 s later).
  let browser: Browser | null = null;
  try {
    browser = await launchChromium({ args: ['--enable-blink-features=ForceEagerMeasureMemory'] });
    const contexts = { empty: await browser.newContext(), full: await browser.newContext() };
    const today = todayInLondon();
    log(`open-app: seeding the demo household (${transactions} transactions, quotes, ending ${today}) through RxDB…`);
    await seedReplica(contexts.empty, site, null);
    const seed = await seedReplica(contexts.full, site, { transactions, referenceDate: today, years: Math.max(1, Math.min(10, Math.floor(transactions / 1200))), quotes: true });
    log(`open-app: seeded ${JSON.stringify(seed.counts)} in ${(seed.ms / 1000).toFixed(1)} s`);
    const first = { empty: await openOnce(contexts.empty, site, 600_000), full: await openOnce(contexts.full, site, 600_000) };
    if (!first.full.rebuilt) throw new Error('the first open did not build the snapshot');
    log(`open-app: first open (snapshot built from the replica): empty ${first.empty.openMs.toFixed(0)} ms, full ${first.full.openMs.toFixed(0)} ms`);
    const samples = { empty: [] as OpenSample[], full: [] as OpenSample[] };
    for (let round = 0; round < rounds; round++) {
      for (const which of ['empty', 'full'] as const) {
        const sample = await openOnce(contexts[which], site, 120_000);
        if (sample.rebuilt) throw new Error(`open ${round} of the ${which} replica rebuilt the snapshot instead of loading it`);
        samples[which].push(sample);
      }
    }
    const m = (list: OpenSample[], key: 'openMs' | 'afterUnlockMs' | 'heapMb' | 'valuedMs' | 'valuedHeapMb') => median(list.map((s) => s[key]));
    for (const which of ['empty', 'full'] as const) {
      log(`open-app: heap by scope (${which}, median of ${samples[which].length} rounds, MB): ${JSON.stringify(medianByScope(samples[which]))}`);
      log(`open-app: heap by scope (${which}, each round, MB): ${samples[which].map((s) => JSON.stringify(s.heapByScope)).join(' ')}`);
    }
    for (const which of ['empty', 'full'] as const) log(`open-app: milestones (${which}, last round, ms from navigation): ${JSON.stringify(samples[which].at(-1)?.phases)}`);
    log(`open-app: navigation → numbers: empty ${m(samples.empty, 'openMs').toFixed(0)} ms, ${transactions} ${m(samples.full, 'openMs').toFixed(0)} ms (×${(m(samples.full, 'openMs') / m(samples.empty, 'openMs')).toFixed(2)}, target ≤ ×${OPEN_APP_RATIO_TARGET})`);
    log(`open-app: unlock pressed → numbers: empty ${m(samples.empty, 'afterUnlockMs').toFixed(0)} ms, ${transactions} ${m(samples.full, 'afterUnlockMs').toFixed(0)} ms (×${(m(samples.full, 'afterUnlockMs') / m(samples.empty, 'afterUnlockMs')).toFixed(2)})`);
    log(`open-app: heap after opening (page + workers): empty ${m(samples.empty, 'heapMb').toFixed(1)} MB, ${transactions} ${m(samples.full, 'heapMb').toFixed(1)} MB (target ≤ ${OPEN_APP_HEAP_TARGET_MB} MB)`);
    log(`open-app: numbers → investments valued: empty ${m(samples.empty, 'valuedMs').toFixed(0)} ms, ${transactions} ${m(samples.full, 'valuedMs').toFixed(0)} ms; heap then: empty ${m(samples.empty, 'valuedHeapMb').toFixed(1)} MB, ${transactions} ${m(samples.full, 'valuedHeapMb').toFixed(1)} MB (other deferred work of the first screen runs meanwhile)`);
    return { transactions, seed, firstOpenMs: { empty: first.empty.openMs, full: first.full.openMs }, ...samples };
  } finally {
    await browser?.close();
    await site.close();
  }
}

const RUNS = { full: 5, quick: 2 } as const;
let pending: { size: number; run: Promise<OpenAppRun> } | null = null;

function report(ctx: BenchContext): Promise<OpenAppRun> {
  if (!pending || pending.size !== ctx.size) {
    pending = { size: ctx.size, run: runOpenAppBench({ transactions: ctx.size, rounds: ctx.quick ? RUNS.quick : RUNS.full, log: ctx.log }) };
  }
  return pending.run;
}

interface Samples {
  readonly measured: number[];
  readonly baseline: number[];
}

function take(list: number[], what: string): number {
  const next = list.shift();
  if (next === undefined) throw new Error(`open-app: more ${what} samples asked for than measured`);
  return next;
}

const common = {
  environment: 'browser',
  sizeUnit: 'transactions',
  size: { full: 100_000, quick: 10_000 },
  runs: RUNS,
  better: 'lower',
} as const;

export const openApp = defineSuite<Samples>({
  ...common,
  name: 'open-app',
  description: 'built app: navigation → dashboard numbers with the demo household in the encrypted replica (issue 9)',
  unit: 'ms',
  baselineName: 'the same with an empty replica',
  target: { on: 'ratio', max: OPEN_APP_RATIO_TARGET },
  async setup(ctx) {
    const r = await report(ctx);
    return { measured: r.full.map((s) => s.openMs), baseline: r.empty.map((s) => s.openMs) };
  },
  run: (_ctx, s) => take(s.measured, 'open'),
  baseline: (_ctx, s) => take(s.baseline, 'open'),
});

export const openAppHeap = defineSuite<Samples>({
  ...common,
  name: 'open-app-heap',
  description: 'built app: JS heap of the page and its workers after opening the dashboard (issue 9)',
  unit: 'MB',
  baselineName: 'the same with an empty replica',
  target: { on: 'value', max: OPEN_APP_HEAP_TARGET_MB },
  async setup(ctx) {
    const r = await report(ctx);
    return { measured: r.full.map((s) => s.heapMb), baseline: r.empty.map((s) => s.heapMb) };
  },
  run: (_ctx, s) => take(s.measured, 'heap'),
  baseline: (_ctx, s) => take(s.baseline, 'heap'),
});

/** `node --import tsx bench/suites/open-app.ts [transactions] [rounds]` */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [count, rounds] = process.argv.slice(2).map(Number);
  const run = await runOpenAppBench({ transactions: count || undefined, rounds: rounds || undefined, log: (line) => console.log(line) });
  console.log(JSON.stringify({ ...run, empty: run.empty, full: run.full }));
}
