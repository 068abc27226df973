import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeViolations, nav, runAxe, VIEWPORTS } from './lib/app-flows.ts';
import { describeBrowser } from './lib/chromium.ts';
import { demoHouseholdSession } from './lib/demo-household.ts';
import { heldByAccount, submitTrade } from './investments-trade.ts';

/**
 * Issue 21, the investment screens on the demo household (a smaller one: 6,000 transactions over four years,
 * up to today, with its prices and FX rates), in the production build against a real server, signed in through
 * the UI at 1440 and 375 px, axe clean: the capital gains report by tax year with each disposal's matching in
 * words. Screenshots in e2e/artifacts/investments/.
 */

const ARTIFACTS = new URL('./artifacts/investments/', import.meta.url).pathname;


const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function axeClean(page: Page, what: string): Promise<void> {
  const result = await runAxe(page);
  expect(describeViolations(result.violations), what).toBe('');
}

describeBrowser('issue 21 investments on the demo household (production build, real server)', () => {
  const session = demoHouseholdSession('e2e-investments', ARTIFACTS);

  it('the portfolio overview shows a value and its returns once the worker has caught up, axe clean at 1440 and 375', async () => {
    await nav(session.page, 'Investments');
    await session.page.getByTestId('invest-value').waitFor({ timeout: 180_000 });
    await expect.poll(async () => (await session.page.getByTestId('invest-value').innerText()).replace(/\s+/g, ' '), { timeout: 120_000 }).toMatch(/Value £[\d,]+\.\d\d/);
    await expect.poll(async () => (await session.page.getByTestId('invest-twrr').innerText()).replace(/\s+/g, ' '), { timeout: 60_000 }).toMatch(/-?\d+(\.\d+)?\s?%/);
    expect((await session.page.getByTestId('invest-mwrr').innerText()).replace(/\s+/g, ' ')).toMatch(/-?\d+(\.\d+)?\s?%/);
    expect((await session.page.getByTestId('invest-total-return').innerText()).replace(/\s+/g, ' ')).toMatch(/£/);
    await session.page.waitForTimeout(500); // the value chart's first frame
    await session.page.screenshot({ path: `${ARTIFACTS}overview-desktop.png`, fullPage: true });
    await axeClean(session.page, 'overview, 1440');
    await session.page.setViewportSize(VIEWPORTS.phone);
    await axeClean(session.page, 'overview, 375');
    await session.page.screenshot({ path: `${ARTIFACTS}overview-phone.png`, fullPage: true });
    await session.page.setViewportSize(VIEWPORTS.desktop);
  }, 420_000);

  it('an asset\'s page, reached from the holdings, draws its candles', async () => {
    await session.page.getByRole('link', { name: 'Holdings', exact: true }).click();
    const rows = session.page.getByTestId('invest-holding-row');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await session.page.screenshot({ path: `${ARTIFACTS}holdings-desktop.png`, fullPage: true });
    await axeClean(session.page, 'holdings, 1440');
    await rows.first().getByRole('link').first().click();
    await session.page.getByTestId('asset-page').waitFor();
    const candles = session.page.getByTestId('asset-candles').locator('canvas');
    await candles.first().waitFor({ timeout: 60_000 });
    const box = await candles.first().boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(200);
    expect(box?.height ?? 0).toBeGreaterThan(100);
    // Something is drawn: the canvas is not one colour.
    const colours = await candles.first().evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d');
      if (!ctx) return 0;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      const seen = new Set<number>();
      for (let i = 0; i < data.length && seen.size < 50; i += 4 * 97) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return seen.size;
    });
    expect(colours).toBeGreaterThan(2);
    await session.page.screenshot({ path: `${ARTIFACTS}asset-desktop.png`, fullPage: true });
    await axeClean(session.page, 'asset page, 1440');
    await session.page.setViewportSize(VIEWPORTS.phone);
    await session.page.waitForTimeout(500);
    await axeClean(session.page, 'asset page, 375');
    await session.page.screenshot({ path: `${ARTIFACTS}asset-phone.png`, fullPage: true });
    await session.page.setViewportSize(VIEWPORTS.desktop);
  }, 180_000);

  it('a buy added through the form changes the holding; a sell larger than the holding is refused with its message', async () => {
    await session.page.setViewportSize(VIEWPORTS.desktop);
    await nav(session.page, 'Investments');
    await session.page.getByRole('link', { name: 'Holdings', exact: true }).click();
    await session.page.getByTestId('invest-holding-row').first().getByRole('link').first().click();
    await session.page.getByTestId('asset-page').waitFor();
    await session.page.getByTestId('asset-holdings').waitFor({ timeout: 60_000 });
    const before = await heldByAccount(session.page);
    const [account, units] = [...before.entries()][0]!;
    const symbol = ((await session.page.getByRole('heading', { level: 1 }).innerText()).split(' — ')[0] ?? '').trim();

    // Buy 10 units: the form shows the cash effect, the page says it was added, and the holding grows by 10.
    const editor = await submitTrade(session.page, { kind: 'Buy', account, quantity: '10', unitPrice: '1.50', fee: '0' });
    await expect.poll(async () => (await session.page.getByTestId('add-trade-status').innerText()).trim(), { timeout: 30_000 }).toMatch(new RegExp(`^Buy of ${escapeRe(symbol)} on \\d{4}-\\d{2}-\\d{2} added\\.$`));
    expect(await editor.count()).toBe(0);
    await expect.poll(async () => (await heldByAccount(session.page)).get(account), { timeout: 60_000 }).toBeCloseTo(units + 10, 6);

    // Sell 1,000 more than is held: refused under the quantity, naming the units held; nothing changes.
    const tooMany = String(Math.ceil(units + 10) + 1000);
    const refused = await submitTrade(session.page, { kind: 'Sell', account, quantity: tooMany, unitPrice: '1.50' });
    const message = refused.getByTestId('trade-quantity-error');
    await message.waitFor({ timeout: 30_000 });
    expect((await message.innerText()).trim()).toMatch(new RegExp(`^you cannot sell ${tooMany} .+ — ${escapeRe(account)} held [\\d.]+ on \\d{1,2} \\w{3} \\d{4}\\.$`));
    expect(await refused.getByTestId('trade-form-problems').innerText()).toMatch(/Quantity: you cannot sell/);
    await refused.screenshot({ path: `${ARTIFACTS}trade-refused-desktop.png` });
    await axeClean(session.page, 'add trade with a refusal, 1440');
    await session.page.setViewportSize(VIEWPORTS.phone);
    await axeClean(session.page, 'add trade with a refusal, 375');
    await refused.screenshot({ path: `${ARTIFACTS}trade-refused-phone.png` });
    await refused.getByRole('button', { name: 'Cancel' }).click();
    expect((await heldByAccount(session.page)).get(account)).toBeCloseTo(units + 10, 6);
    await session.page.setViewportSize(VIEWPORTS.desktop);
  }, 180_000);

  it('the allocation treemap renders by each grouping, axe clean at 1440 and 375', async () => {
    await session.page.setViewportSize(VIEWPORTS.desktop);
    await nav(session.page, 'Investments');
    await session.page.getByRole('link', { name: 'Allocation', exact: true }).click();
    const treemap = session.page.getByTestId('invest-treemap');
    await treemap.waitFor({ timeout: 60_000 });
    const groupBy = session.page.getByTestId('invest-allocation-by');
    const groupings = await groupBy.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(groupings.length).toBeGreaterThanOrEqual(5);
    for (const g of groupings) {
      await groupBy.selectOption(g);
      // The SVG renderer draws one shape per tile (and its label): several shapes, a summary in words for screen readers.
      await expect.poll(() => treemap.locator('svg path, svg rect').count(), { timeout: 30_000 }).toBeGreaterThan(3);
      expect(await treemap.getAttribute('aria-label')).toMatch(/\S/);
      await session.page.screenshot({ path: `${ARTIFACTS}allocation-${g}-desktop.png` });
    }
    await axeClean(session.page, 'allocation, 1440');
    await session.page.setViewportSize(VIEWPORTS.phone);
    await session.page.waitForTimeout(500);
    await axeClean(session.page, 'allocation, 375');
    await session.page.screenshot({ path: `${ARTIFACTS}allocation-phone.png`, fullPage: true });
    await session.page.setViewportSize(VIEWPORTS.desktop);
  }, 180_000);

  it('the capital gains report shows tax years and explains each disposal\'s matching, axe clean at 1440 and 375', async () => {
    await session.page.setViewportSize(VIEWPORTS.desktop);
    await nav(session.page, 'Investments');
    await session.page.getByRole('link', { name: 'Capital gains', exact: true }).click();
    await session.page.getByRole('heading', { level: 1, name: 'Capital gains' }).waitFor();
    // The worker's store catches up (prices first), then the report arrives.
    const years = session.page.getByTestId('gains-years').locator('tbody tr');
    await expect.poll(() => years.count(), { timeout: 180_000, interval: 1_000 }).toBeGreaterThan(0);
    const yearNames = (await years.locator('th').allTextContents()).map((t) => t.trim());
    for (const y of yearNames) expect(y).toMatch(/^\d{4}-\d{2}$/);
    // The demo household's ISA and pension are tax-free: named as left out.
    expect(await session.page.getByTestId('gains-excluded').textContent()).toMatch(/Left out as tax-free: .+/);
    // The latest year's disposals, each explained.
    const disposals = session.page.getByTestId('gains-disposals').locator('li');
    expect(await disposals.count()).toBeGreaterThan(0);
    const first = disposals.first();
    await first.getByText('How this is worked out').click();
    const working = (await first.locator('details').innerText()).replace(/\s+/g, ' ');
    expect(working).toMatch(/Sold [\d.]+ units? for £[\d,]+\.\d\d before fees\./);
    expect(working).toMatch(/units? (matched with the purchase on the same day|matched with the purchase within the next 30 days|from the Section 104 pool at an average cost of £[\d,.]+ per unit)/);
    expect(working).toMatch(/(Gain|Loss): £[\d,]+\.\d\d − £[\d,]+\.\d\d = -?£[\d,]+\.\d\d\./);
    expect(await session.page.getByTestId('gains-terms').innerText()).toMatch(/Short term[\s\S]*Long term/);
    // Choosing another year shows its disposals.
    if (yearNames.length > 1) {
      await session.page.getByLabel('Tax year shown').selectOption(yearNames[1]!);
      await expect.poll(() => session.page.locator('#gains-year-heading').textContent()).toMatch(new RegExp(`^\\s*${yearNames[1]!}:`));
      await disposals.first().getByText('How this is worked out').click();
    }
    // The year's disposals as CSV: a header and one row per disposal shown.
    const [download] = await Promise.all([session.page.waitForEvent('download'), session.page.getByTestId('gains-csv').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    const csvLines = csv.trimEnd().split('\r\n');
    expect(csvLines[0]).toBe('Date,Asset,Quantity,Proceeds (GBP),Allowable cost (GBP),Gain or loss (GBP),Term,Matching');
    expect(csvLines.length - 1).toBe(await disposals.count());
    expect(download.suggestedFilename()).toBe(`capital-gains-${yearNames[yearNames.length > 1 ? 1 : 0]!}.csv`);
    await axeClean(session.page, 'gains, 1440');
    await session.page.screenshot({ path: `${ARTIFACTS}gains-desktop.png`, fullPage: true });
    await session.page.setViewportSize(VIEWPORTS.phone);
    await axeClean(session.page, 'gains, 375');
    expect(await session.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    await session.page.screenshot({ path: `${ARTIFACTS}gains-phone.png`, fullPage: true });
    expect(session.pageErrors).toEqual([]);
  }, 300_000);
});
