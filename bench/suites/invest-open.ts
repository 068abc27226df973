import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { findChromium, launchChromium } from '../../e2e/lib/chromium.ts';
import { DASHBOARD_HARNESS_GLOBAL } from '../../e2e/lib/dashboard-harness-api.ts';
import type { DashboardHarness, SeedResult } from '../../e2e/lib/dashboard-harness-api.ts';
import { buildDashboardSite } from '../../e2e/lib/dashboard-site.ts';
import type { DashboardSite } from '../../e2e/lib/dashboard-site.ts';

/**
 * A measurement, not a suite (issue 21, the data path): how the investment store's feed (compute/invest/
 * invest-feed.ts) behaves in the built app in headless Chromium with the demo household's ten years of quotes
 * in the encrypted replica. For the first open (nothing stored: every quote is paged from the replica on the UI
 * thread and handed to the compute worker) and a later one (the worker loads its sealed records, the feed reads
 * only what changed): the time from the feed's start (`mymidas:invest-open`) to `mymidas:invest-caught-up`,
 * the UI thread's long tasks in that span, and the JS heap of the page and its workers afterwards.
 *
 * `node --import tsx bench/suites/invest-open.ts [transactions]`
 */

const PASSWORD = 'invest-open measurement password';
const CAUGHT_UP = 'mymidas:invest-caught-up';

function call<M extends keyof DashboardHarness>(page: Page, method: M, ...args: Parameters<DashboardHarness[M]>): Promise<Awaited<ReturnType<DashboardHarness[M]>>> {
  return page.evaluate(
    ({ g, method, args }) => ((window as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[g]!)[method]!(...args),
    { g: DASHBOARD_HARNESS_GLOBAL, method, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<DashboardHarness[M]>>>;
}

export interface InvestOpenSample {
  readonly feedMs: number;
  readonly longTasks: number;
  readonly longTaskMs: number;
  readonly longestTaskMs: number;
  readonly heapMb: number;
}

async function openOnce(context: BrowserContext, site: DashboardSite): Promise<InvestOpenSample> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${site.url}/`);
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: { start: number; duration: number }[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.locator('#unlock-password').fill(PASSWORD);
    await page.locator('form button[type=submit]').click();
    await page.waitForFunction((mark) => performance.getEntriesByName(mark, 'mark').length > 0, CAUGHT_UP, { timeout: 900_000, polling: 100 }).catch((e: unknown) => {
      throw new Error(`the investment feed did not catch up: ${errors.join('; ') || String(e)}`);
    });
    return await page.evaluate(async (mark) => {
      const start = performance.getEntriesByName('mymidas:invest-open', 'mark')[0]!.startTime;
      const end = performance.getEntriesByName(mark, 'mark')[0]!.startTime;
      const tasks = (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= start && t.start <= end);
      const memory = await (performance as Performance & { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> }).measureUserAgentSpecificMemory();
      return {
        feedMs: end - start, longTasks: tasks.length, longTaskMs: tasks.reduce((s, t) => s + t.duration, 0),
        longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0), heapMb: memory.bytes / 2 ** 20,
      };
    }, CAUGHT_UP);
  } finally {
    await page.close();
  }
}

export async function measureInvestOpen(transactions: number, log: (line: string) => void): Promise<{ seed: SeedResult; first: InvestOpenSample; later: InvestOpenSample[] }> {
  if (!findChromium()) throw new Error('needs Chromium: set CHROMIUM_PATH or install /usr/bin/chromium');
  const site = await buildDashboardSite();
  let browser: Browser | null = null;
  try {
    browser = await launchChromium({ args: ['--enable-blink-features=ForceEagerMeasureMemory'] });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}/harness/seed.html`);
    await page.waitForFunction((g) => g in window, DASHBOARD_HARNESS_GLOBAL, { timeout: 30_000 });
    await call(page, 'open', PASSWORD, false);
    const today = new Date().toISOString().slice(0, 10);
    const seed = await call(page, 'seed', { transactions, referenceDate: today, years: 10, quotes: true });
    await call(page, 'close');
    await page.close();
    log(`invest-open: seeded ${JSON.stringify(seed.counts)} in ${(seed.ms / 1000).toFixed(1)} s`);
    const first = await openOnce(context, site);
    log(`invest-open: first open (every quote paged to the worker): ${JSON.stringify(first)}`);
    const later: InvestOpenSample[] = [];
    for (let i = 0; i < 3; i++) {
      later.push(await openOnce(context, site));
      log(`invest-open: later open ${i + 1} (stored records loaded): ${JSON.stringify(later.at(-1))}`);
    }
    return { seed, first, later };
  } finally {
    await browser?.close();
    await site.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [count] = process.argv.slice(2).map(Number);
  await measureInvestOpen(count || 10_000, (line) => console.log(line));
}
