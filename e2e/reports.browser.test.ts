import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeViolations, runAxe, unlockThroughUi, VIEWPORTS } from './lib/app-flows.ts';
import { describeBrowser } from './lib/chromium.ts';
import { demoHouseholdSession } from './lib/demo-household.ts';
import { renderPdfFirstPage } from './reports-pdf.ts';

/**
 * Issue 23, the report screens on the demo household (6,000 transactions over four years up to today, with
 * prices and FX rates), in the production build against a real server, signed in through the UI: every report
 * at 1440 and 375 px, axe clean; filters in the address (kept by a reload); drill-down from the pie to a
 * category's transactions; a table's CSV parsed back and compared with the screen; the PDF rendered by pdf.js
 * and its text checked; the longest frame gap and the late and dropped frames during a drag of the net worth
 * slider, printed (the bench suite `reports-net-worth-drag` asserts the target). Screenshots in
 * e2e/artifacts/reports/.
 */

const ARTIFACTS = new URL('./artifacts/reports/', import.meta.url).pathname;
const REPORT_TABS = ['net-worth', 'income-expense', 'cash-flow', 'categories', 'budget-vs-actual', 'investments', 'spending-trends'] as const;


async function axeClean(page: Page, what: string): Promise<void> {
  const result = await runAxe(page);
  expect(describeViolations(result.violations), what).toBe('');
}

/** Opens an address of the app: a page load locks the replica, so it is unlocked again on the way. */
async function open(page: Page, base: string, path: string): Promise<void> {
  await page.goto(`${base}${path}`);
  await unlockThroughUi(page);
  await page.waitForURL(`${base}${path}`, { timeout: 90_000 });
}

/** Waits until the report shown has an answer and is not working on a newer one. */
async function reportReady(page: Page, timeout = 180_000): Promise<void> {
  await page.locator('[data-testid="report"][data-ready="true"][data-loading="false"]').waitFor({ timeout });
}

/** The cells of a table on screen, the header row first. */
async function screenTable(page: Page, id: string): Promise<string[][]> {
  return page.locator(`[data-table="${id}"] table`).evaluate((table: HTMLTableElement) => Array.from(table.rows, (r) => Array.from(r.cells, (c) => (c.textContent ?? '').trim())));
}

/** A cell as the CSV would hold it: amounts, percentages and counts as numbers, no figure as blank. */
function screenValue(text: string): string | number {
  if (text === '—') return '';
  const figure = /^-?[£$€]?-?[\d,]+(\.\d+)?( %)?$/.test(text.replace(/^(-?)(?:[A-Z]{2})?[£$€¥]/, '$1'));
  if (figure) return Number(text.replace(/[£$€¥,%\s]|[A-Z]{2}(?=[£$€¥])/g, ''));
  return text;
}

describeBrowser('issue 23 reports on the demo household (production build, real server)', () => {
  const session = demoHouseholdSession('e2e-reports', ARTIFACTS, { acceptDownloads: true });

  it('opens every report with a chart and its table, axe clean at 1440 and 375', async () => {
    await session.page.getByRole('navigation').getByRole('link', { name: 'Reports', exact: true }).first().click();
    await session.page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    for (const id of REPORT_TABS) {
      await session.page.setViewportSize(VIEWPORTS.desktop);
      await session.page.locator(`[data-testid="report-tab"][data-report="${id}"]`).click();
      await session.page.waitForURL(new RegExp(`/reports/${id}(\\?|$)`));
      await reportReady(session.page);
      if (id === 'net-worth' || id === 'investments') {
        // Holdings are valued once the worker's investment store has caught up; the report then asks again.
        await expect.poll(() => session.page.getByTestId('report-invest-note').count(), { timeout: 240_000, interval: 1_000 }).toBe(0);
        await reportReady(session.page);
      }
      await expect.poll(() => session.page.getByTestId('report-table').count()).toBeGreaterThan(0);
      expect(await session.page.getByTestId('report-table').first().locator('tbody tr').count(), `${id}: rows`).toBeGreaterThan(0);
      const chart = session.page.getByTestId('report-chart');
      expect(await chart.getAttribute('aria-label'), `${id}: chart label`).toMatch(/chart/);
      const box = await chart.locator('canvas').first().boundingBox();
      expect(box?.height ?? 0, `${id}: chart drawn`).toBeGreaterThan(150);
      await session.page.waitForTimeout(300);
      await session.page.screenshot({ path: `${ARTIFACTS}${id}-desktop.png`, fullPage: true });
      await axeClean(session.page, `${id}, 1440`);
      await session.page.setViewportSize(VIEWPORTS.phone);
      await session.page.waitForTimeout(500);
      await axeClean(session.page, `${id}, 375`);
      expect(await session.page.evaluate(() => document.documentElement.scrollWidth), `${id}: no sideways page scroll at 375`).toBeLessThanOrEqual(VIEWPORTS.phone.width);
      await session.page.screenshot({ path: `${ARTIFACTS}${id}-phone.png`, fullPage: true });
    }
    await session.page.setViewportSize(VIEWPORTS.desktop);
  }, 1_200_000);

  it('keeps the filters in the address: a preset, a grouping and an account survive a reload', async () => {
    await session.page.locator('[data-testid="report-tab"][data-report="income-expense"]').click();
    await reportReady(session.page);
    await session.page.getByTestId('report-range').selectOption('last-6-months');
    await session.page.waitForURL(/range=last-6-months/);
    await session.page.getByTestId('report-opt-by').selectOption('quarter');
    await session.page.waitForURL(/by=quarter/);
    const accounts = session.page.getByTestId('report-pick-accounts');
    await accounts.locator('summary').click();
    const firstAccount = accounts.locator('input[type="checkbox"]').first();
    const accountId = await firstAccount.getAttribute('value');
    await firstAccount.check();
    await session.page.waitForURL(new RegExp(`account=${accountId}`));
    await accounts.locator('summary').click();
    await reportReady(session.page);
    const before = await screenTable(session.page, 'income-expense');
    const address = session.page.url();

    await session.page.reload();
    await unlockThroughUi(session.page);
    await session.page.waitForURL(address, { timeout: 90_000 });
    await reportReady(session.page);
    expect(session.page.url()).toBe(address);
    expect(await session.page.getByTestId('report-range').inputValue()).toBe('last-6-months');
    expect(await session.page.getByTestId('report-opt-by').inputValue()).toBe('quarter');
    expect(await session.page.getByTestId('report-pick-accounts').locator('summary').innerText()).not.toMatch(/all$/);
    expect(await screenTable(session.page, 'income-expense')).toEqual(before);
    await session.page.screenshot({ path: `${ARTIFACTS}filters-after-reload-desktop.png`, fullPage: true });
  }, 300_000);

  it('drills down from the pie to a group, then to a category’s transactions', async () => {
    await open(session.page, session.site.url, '/reports/categories?range=last-12-months');
    await reportReady(session.page);
    const pick = async () => {
      const canvas = session.page.getByTestId('report-chart').locator('canvas').first();
      const box = (await canvas.boundingBox())!;
      // The largest slice starts at twelve o'clock and runs clockwise: a point just past the top, mid-ring.
      const r = (Math.min(box.width, box.height) / 2) * 0.54;
      const a = (8 * Math.PI) / 180;
      await session.page.mouse.click(box.x + box.width * 0.5 + r * Math.sin(a), box.y + box.height * 0.52 - r * Math.cos(a));
    };
    const firstGroup = (await screenTable(session.page, 'groups'))[1]![0]!;
    await pick();
    await session.page.waitForURL(/group=/);
    await reportReady(session.page);
    expect(await session.page.getByTestId('report-crumbs').innerText()).toContain(firstGroup);
    expect(await session.page.locator('[data-table="categories"] tbody tr').count()).toBeGreaterThan(0);
    const firstCategory = (await screenTable(session.page, 'categories'))[1]![0]!;
    await pick();
    await session.page.waitForURL(/cat=/);
    await reportReady(session.page);
    const rows = session.page.locator('[data-table="transactions"] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await session.page.getByTestId('report-crumbs').innerText()).toContain(firstCategory);
    // Each row is of that category, with a payee read from the replica.
    const table = await screenTable(session.page, 'transactions');
    const categoryColumn = table[0]!.indexOf('Category');
    for (const row of table.slice(1)) expect(row[categoryColumn]).toBe(firstCategory);
    expect(table[1]![1]).not.toBe('…');
    await session.page.screenshot({ path: `${ARTIFACTS}drilldown-desktop.png`, fullPage: true });
    await axeClean(session.page, 'drill-down, 1440');
    // Back goes up a level.
    await session.page.goBack();
    await session.page.waitForURL((u) => !u.search.includes('cat='));
    await reportReady(session.page);
    expect(await session.page.locator('[data-table="categories"]').count()).toBe(1);
  }, 300_000);

  it('exports a table to CSV that parses back (papaparse) to the table on screen', async () => {
    await open(session.page, session.site.url, '/reports/categories?range=last-12-months');
    await reportReady(session.page);
    const table = session.page.locator('[data-table="groups"]');
    const [download] = await Promise.all([session.page.waitForEvent('download'), table.getByTestId('report-csv').click()]);
    expect(download.suggestedFilename()).toBe('categories-groups.csv');
    const parsed = Papa.parse<string[]>(readFileSync(await download.path(), 'utf8'), { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const screen = await screenTable(session.page, 'groups');
    expect(parsed.data[0]).toEqual(screen[0]);
    expect(parsed.data.length).toBe(screen.length);
    for (let r = 1; r < screen.length; r += 1) {
      const want = screen[r]!.map(screenValue);
      const got = parsed.data[r]!.map((v, i) => (typeof want[i] === 'number' ? Number(v) : v));
      expect(got, `row ${r}`).toEqual(want);
    }
  }, 180_000);

  it('exports the report to an A4 PDF whose first page renders and whose text holds the table’s values', async () => {
    await open(session.page, session.site.url, '/reports/income-expense?range=last-12-months');
    await reportReady(session.page);
    const screen = await screenTable(session.page, 'income-expense');
    const [download] = await Promise.all([session.page.waitForEvent('download', { timeout: 120_000 }), session.page.getByTestId('report-pdf').click()]);
    expect(download.suggestedFilename()).toBe('income-vs-expense.pdf');
    await expect.poll(async () => session.page.getByTestId('report-status').innerText()).toContain('income-vs-expense.pdf downloaded.');
    const bytes = readFileSync(await download.path());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdf = await renderPdfFirstPage(session.browser, bytes, `${ARTIFACTS}pdf-page-1.png`);
    expect(Math.round(pdf.width)).toBe(893);
    expect(Math.round(pdf.height)).toBe(1263);
    const text = pdf.text.replace(/\s+/g, ' ');
    expect(text).toContain('Income vs expense');
    expect(text).toMatch(/Exported \d{1,2} \w{3} \d{4}, \d\d:\d\d /);
    expect(text).toContain('Dates: Last 12 months');
    for (const row of screen) for (const cell of row) expect(text, `PDF text has “${cell}”`).toContain(cell.replace(/\s+/g, ' '));
    expect(session.pageErrors).toEqual([]);
  }, 300_000);

  it('drags the net worth slider: the longest gap between frames is measured and printed', async () => {
    await session.page.setViewportSize(VIEWPORTS.desktop);
    await open(session.page, session.site.url, '/reports/net-worth?by=day');
    await reportReady(session.page);
    // After a page load the app catches up (the investment feed pages its prices through the main thread): the
    // drag is measured once the page has been quiet — no task over 50 ms — for two seconds.
    await expect.poll(() => session.page.getByTestId('report-invest-note').count(), { timeout: 240_000, interval: 1_000 }).toBe(0);
    await reportReady(session.page);
    await session.page.evaluate(() => {
      const w = window as unknown as { longTasks: { at: number; ms: number }[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push({ at: e.startTime + e.duration, ms: e.duration });
      }).observe({ type: 'longtask' });
    });
    await expect.poll(() => session.page.evaluate(() => {
      const w = window as unknown as { longTasks: { at: number }[] };
      const last = w.longTasks[w.longTasks.length - 1]?.at ?? 0;
      return performance.now() - last > 2_000;
    }), { timeout: 180_000, interval: 500 }).toBe(true);
    const points = (await screenTable(session.page, 'net-worth')).length - 1;
    const canvas = session.page.getByTestId('report-chart').locator('canvas').first();
    // The whole chart in the viewport: the mouse cannot reach a slider below the fold.
    await session.page.getByTestId('report-chart').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await session.page.waitForTimeout(300);
    const box = (await canvas.boundingBox())!;
    expect(box.y + box.height, 'the chart fits the viewport').toBeLessThanOrEqual(VIEWPORTS.desktop.height);
    // The slider: 60 px from the chart's left, 40 px from its right, 12 px above its bottom, 28 px high; its window
    // opens on the last 40 % of the range. Grab the window's middle and drag it most of the way left and back.
    const y = box.y + box.height - 12 - 14;
    const left = box.x + 60;
    const width = box.width - 100;
    const startFrames = () => session.page.evaluate(() => {
      const w = window as unknown as { frameGaps: number[]; framesOn: boolean; longTasks: unknown[] };
      w.frameGaps = [];
      w.framesOn = true;
      w.longTasks = [];
      let last = performance.now();
      const tick = (t: number) => {
        w.frameGaps.push(t - last);
        last = t;
        if (w.framesOn) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const stopFrames = () => session.page.evaluate(() => {
      const w = window as unknown as { frameGaps: number[]; framesOn: boolean; longTasks: { ms: number }[] };
      w.framesOn = false;
      return { gaps: w.frameGaps.slice(1), longTasks: w.longTasks.map((t) => t.ms) };
    });
    // Headless Chromium's frame clock is 60 Hz and requestAnimationFrame's timestamps are frame times, multiples of
    // 1/60 s on a page that keeps up (16.7 ms gaps; a missed frame shows as 33.3), so a gap over 16.7 ms is a late
    // frame, and round(gap ÷ 16.67) − 1 frames were dropped in it. The bench asserts the target
    // (`npm run bench -- --only reports-net-worth-drag`); this test prints the app's figures beside it.
    const describeGaps = (gaps: number[]) => {
      const sorted = [...gaps].sort((a, b) => a - b);
      return {
        longest: sorted[sorted.length - 1] ?? 0, p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0, over: gaps.filter((g) => g > 16.7).length,
        dropped: gaps.reduce((n, g) => n + Math.max(0, Math.round(g / (1000 / 60)) - 1), 0),
      };
    };
    // The same page, idle, for as long: what this machine gives a page that does nothing.
    await startFrames();
    await session.page.waitForTimeout(3_000);
    const idle = await stopFrames();
    const before = await session.page.screenshot({ clip: box });
    await startFrames();
    const steps: number[] = [];
    const step = async (x: number) => {
      const t = performance.now();
      await session.page.mouse.move(x, y);
      steps.push(performance.now() - t);
    };
    await session.page.mouse.move(left + width * 0.8, y);
    await session.page.mouse.down();
    for (let k = 1; k <= 60; k += 1) await step(left + width * (0.8 - (0.5 * k) / 60));
    for (let k = 1; k <= 30; k += 1) await step(left + width * (0.3 + (0.2 * k) / 30));
    await session.page.mouse.up();
    const drag = await stopFrames();
    const moved = await session.page.screenshot({ clip: box });
    const gaps = drag.gaps;
    expect(moved.equals(before), 'the chart moved with the slider').toBe(false);
    const d = describeGaps(gaps);
    const quiet = describeGaps(idle.gaps);
    const slowestStep = Math.max(...steps);
    const meanStep = steps.reduce((a, b) => a + b, 0) / steps.length;
    console.log(
      `net worth slider drag (${points} daily points, ${steps.length} mouse steps): ${gaps.length} frames, longest gap ${d.longest.toFixed(1)} ms, ` +
        `95th percentile ${d.p95.toFixed(1)} ms, gaps over 16.7 ms: ${d.over}, frames dropped: ${d.dropped}; long tasks ${drag.longTasks.length} (longest ${Math.max(0, ...drag.longTasks).toFixed(0)} ms); ` +
        `mouse step round trip mean ${meanStep.toFixed(1)} ms, slowest ${slowestStep.toFixed(1)} ms. ` +
        `Idle page for comparison: ${idle.gaps.length} frames in 3 s, longest gap ${quiet.longest.toFixed(1)} ms, 95th percentile ${quiet.p95.toFixed(1)} ms, over 16.7 ms: ${quiet.over}, ` +
        `frames dropped: ${quiet.dropped}.`,
    );
    expect(gaps.length).toBeGreaterThan(10);
    // The drag asked the worker nothing: no "Updating…" status appeared.
    expect(await session.page.getByTestId('report-status').innerText()).not.toContain('Updating');
    await session.page.screenshot({ path: `${ARTIFACTS}net-worth-dragged-desktop.png` });
  }, 600_000);
});
