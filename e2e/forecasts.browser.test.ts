import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeViolations, nav, runAxe, VIEWPORTS } from './lib/app-flows.ts';
import { describeBrowser } from './lib/chromium.ts';
import { demoHouseholdSession } from './lib/demo-household.ts';

/**
 * Issue 24, the forecasts page on the demo household (6,000 transactions over four years up to today, with its
 * prices and FX rates) in the production build against a real server, signed in through the UI: progress while
 * the compute worker fits, Cancel, then every forecast shown with its method and backtest in words, axe clean at
 * 1440 and 375 px in a dark and a light theme. The longest gap between animation frames while fitting is printed
 * (not asserted: the fitting is in the worker, but the machine is shared). Screenshots in e2e/artifacts/forecasts/.
 */

const ARTIFACTS = new URL('./artifacts/forecasts/', import.meta.url).pathname;
const OUTPUTS = ['forecast-spending', 'forecast-net-worth', 'forecast-monte-carlo', 'forecast-cash-flow'] as const;

const pageState = (page: Page) => page.getByTestId('forecasts-page').getAttribute('data-state');


async function axeClean(page: Page, what: string): Promise<void> {
  const result = await runAxe(page);
  expect(describeViolations(result.violations), what).toBe('');
}

/** Records the gaps between animation frames by the page's state (data-state: "running" while fitting). */
async function recordFrameGaps(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __forecastGaps?: Record<string, number[]> };
    w.__forecastGaps = {};
    let last = performance.now();
    const tick = (t: number) => {
      const state = document.querySelector('[data-testid="forecasts-page"]')?.getAttribute('data-state') ?? 'none';
      (w.__forecastGaps![state] ??= []).push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function frameGaps(page: Page, state: string): Promise<{ frames: number; max: number; maxAt: number; p99: number; over100: number }> {
  const gaps = await page.evaluate((s) => (window as unknown as { __forecastGaps?: Record<string, number[]> }).__forecastGaps?.[s] ?? [], state);
  const sorted = [...gaps].sort((a, b) => a - b);
  const longest = sorted[sorted.length - 1] ?? 0;
  return {
    frames: gaps.length,
    max: Math.round(longest),
    /** Where the longest gap fell, % of the frames recorded in that state. */
    maxAt: gaps.length === 0 ? 0 : Math.round((100 * gaps.indexOf(longest)) / gaps.length),
    p99: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
    over100: gaps.filter((g) => g > 100).length,
  };
}

describeBrowser('issue 24 forecasts on the demo household (production build, real server)', () => {
  const session = demoHouseholdSession('e2e-forecasts', ARTIFACTS);

  it('shows its progress while the worker fits ("Fitting n of N categories"), and Cancel stops it', async () => {
    await nav(session.page, 'Forecasts');
    await recordFrameGaps(session.page);
    const text = session.page.getByTestId('forecast-progress-text');
    await expect.poll(async () => ((await text.count()) > 0 ? text.innerText() : ''), { timeout: 540_000, interval: 250 }).toMatch(/^Fitting \d+ of \d+ categories \(.+\)$/);
    const message = await text.innerText();
    console.log(`[forecasts] progress seen: "${message}"`);
    await session.page.getByTestId('forecast-progress').screenshot({ path: `${ARTIFACTS}progress-desktop.png` });
    expect(await session.page.getByRole('progressbar', { name: 'Forecast progress' }).count()).toBe(1);
    await session.page.getByTestId('forecast-cancel').click();
    await expect.poll(() => pageState(session.page), { timeout: 60_000 }).toBe('cancelled');
    expect((await session.page.getByTestId('forecast-progress').innerText()).trim()).toMatch(/^Cancelled\./);
    await axeClean(session.page, 'cancelled, 1440');
  }, 600_000);

  it('fits again on request; the page stays responsive while it fits (longest frame gap printed) and every forecast shows', async () => {
    await session.page.getByTestId('forecast-retry').click();
    await expect.poll(() => pageState(session.page), { timeout: 30_000 }).toBe('running');
    // While the worker fits, the page answers the keyboard: the category list can be reached and read.
    const started = Date.now();
    await session.page.keyboard.press('Tab');
    const inputLatency = Date.now() - started;
    await expect.poll(() => pageState(session.page), { timeout: 600_000, interval: 500 }).toBe('done');
    const gaps = await frameGaps(session.page, 'running');
    console.log(`[forecasts] frames while fitting: ${gaps.frames}; longest gap ${gaps.max} ms (at ${gaps.maxAt} % of the frames); p99 ${gaps.p99} ms; gaps over 100 ms: ${gaps.over100}; a key press answered in ${inputLatency} ms`);
    expect(gaps.frames).toBeGreaterThan(10);
    // The same page doing nothing, for comparison: what the shared machine (and the app's own idle work) costs. The
    // first frames after fitting draw the results: left out.
    await session.page.waitForTimeout(3_000);
    await session.page.evaluate(() => {
      const w = window as unknown as { __forecastGaps: Record<string, number[]> };
      w.__forecastGaps.done = [];
    });
    await session.page.waitForTimeout(15_000);
    const idle = await frameGaps(session.page, 'done');
    console.log(`[forecasts] frames while idle after fitting: ${idle.frames}; longest gap ${idle.max} ms (at ${idle.maxAt} %); p99 ${idle.p99} ms; gaps over 100 ms: ${idle.over100}`);

    // Spending: a chart and the 30/60/90 table, its method and error in words.
    const spending = session.page.getByTestId('forecast-spending');
    await spending.getByTestId('forecast-spending-chart').locator('svg').first().waitFor({ timeout: 60_000 });
    expect(await spending.locator('tbody tr').count()).toBeGreaterThan(2);
    expect(await spending.getByTestId('forecast-spending-method').innerText()).toMatch(/Method: .+How good: (Off by [\d.]+ % on average|Tested on)/s);
    const options = await session.page.getByTestId('forecast-category').locator('option').allInnerTexts();
    expect(options.length).toBeGreaterThan(2);
    await session.page.getByTestId('forecast-category').selectOption({ label: options[1]! });
    await expect.poll(() => spending.getByTestId('forecast-spending-chart').getAttribute('aria-label')).toContain(options[1]!);

    // Net worth: the fan, the three scenarios with what they assume, at 1, 3 and 5 years.
    const worth = session.page.getByTestId('forecast-net-worth');
    await worth.getByTestId('forecast-net-worth-chart').locator('svg').first().waitFor();
    expect(await worth.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-scenario')))).toEqual(['conservative', 'base', 'optimistic']);
    expect(await worth.locator('thead th').allInnerTexts()).toEqual(['Scenario', 'In 1 year', 'In 3 years', 'In 5 years']);
    expect(await worth.getByTestId('forecast-net-worth-method').innerText()).toMatch(/Method: .+How good: (Off by [\d.]+ %|Tested on)/s);

    // Monte Carlo: the fan and the probability of the target; a new target changes the answer.
    const mc = session.page.getByTestId('forecast-monte-carlo');
    await mc.getByTestId('forecast-monte-carlo-chart').locator('svg').first().waitFor({ timeout: 60_000 });
    await expect.poll(() => mc.getByTestId('mc-probability').innerText(), { timeout: 30_000 }).toMatch(/^(Under 1|\d+) % chance of reaching .+ by \w{3} \d{4}\.$/);
    expect(await mc.getByTestId('forecast-monte-carlo-method').innerText()).toMatch(/geometric Brownian motion.+How good: (Started from \d+ past month-ends.+median was off by [\d.]+ %|Not tested)/s);
    await mc.getByTestId('mc-target').fill('1');
    await expect.poll(() => mc.getByTestId('mc-probability').innerText(), { timeout: 30_000 }).toMatch(/^100 % chance of reaching £1\.00 by /);
    await mc.getByTestId('mc-target').fill('not money');
    await expect.poll(() => mc.getByTestId('mc-problem').innerText()).toMatch(/target must be an amount/);
    await mc.getByTestId('mc-target').fill('1000000');
    await expect.poll(async () => (await mc.getByTestId('mc-problem').count()) === 0, { timeout: 30_000 }).toBe(true);

    // Cash flow: every followed account, and the days at risk with what causes them.
    const cash = session.page.getByTestId('forecast-cash-flow');
    await cash.getByTestId('forecast-cash-flow-chart').locator('svg').first().waitFor();
    const accounts = await cash.getByTestId('forecast-cash-flow-accounts').locator(':scope > li').count();
    expect(accounts).toBeGreaterThan(0);
    const risks = await cash.getByTestId('forecast-risk').allInnerTexts();
    console.log(`[forecasts] cash flow: ${accounts} accounts, ${risks.length} runs of days at risk${risks.length > 0 ? `: ${risks[0]}` : ''}`);
    for (const r of risks) expect(r).toMatch(/^At risk (on|from) .+: down to .+\. (Caused by .+|Day-to-day spending, no single bill)\.$/);
    expect(session.pageErrors).toEqual([]);
  }, 900_000);

  it('each output at 1440 and 375 px, in a dark and a light theme, axe clean', async () => {
    for (const theme of ['obsidian', 'arctic'] as const) {
      await session.page.setViewportSize(VIEWPORTS.desktop);
      await session.page.selectOption('#theme-select', theme);
      await expect.poll(() => session.page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      for (const [size, viewport] of Object.entries(VIEWPORTS)) {
        await session.page.setViewportSize(viewport);
        await session.page.waitForTimeout(600); // charts redraw at the new width
        for (const id of OUTPUTS) {
          const box = await session.page.getByTestId(id).boundingBox();
          expect(box?.width ?? 0, `${id} at ${size}`).toBeLessThanOrEqual(viewport.width);
          await session.page.getByTestId(id).screenshot({ path: `${ARTIFACTS}${id}-${theme}-${size}.png` });
        }
        // Nothing wider than the screen at 375 px.
        expect(await session.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        await axeClean(session.page, `forecasts, ${theme}, ${size}`);
      }
    }
    await session.page.setViewportSize(VIEWPORTS.desktop);
    await session.page.screenshot({ path: `${ARTIFACTS}page-desktop.png`, fullPage: true });
  }, 300_000);

  it('comes back to the forecasts already fitted while the data is unchanged (the cache)', async () => {
    await nav(session.page, 'Dashboard');
    await nav(session.page, 'Forecasts');
    await expect.poll(() => pageState(session.page), { timeout: 120_000, interval: 250 }).toBe('done');
    expect((await session.page.getByTestId('forecast-progress').innerText()).trim()).toMatch(/^Fitted .+; the data has not changed since\.$/);
    await session.page.getByTestId('forecast-spending-chart').waitFor();
  }, 180_000);
});
