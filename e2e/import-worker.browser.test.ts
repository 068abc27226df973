import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { largeStarlingCsv } from './lib/large-statement.ts';
import type { ImportAppHarness, ImportHarness } from './lib/import-harness-api.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';
import { buildAndServeHarness } from './lib/harness-site.ts';
import type { HarnessSite } from './lib/harness-site.ts';

/**
 * The import flow in real Chromium (issue 6): a 100,000-row statement parsed and planned in the import
 * worker while the page keeps painting (a requestAnimationFrame counter), against a control that
 * parses on the page's thread and must be seen to freeze; duplicate, overlapping and unreadable
 * imports on an encrypted replica; and the real import page driven like a user, at 1440 and 375 px.
 * Set IMPORT_SCREENSHOT_DIR to keep the screenshots.
 */

const CONFIG = new URL('./import-harness/vite.config.ts', import.meta.url).pathname;
const ROWS = 100_000;
/**
 * "No long freeze": the longest time without a painted frame while the worker works. Typical runs show
 * 100–200 ms on this 2-CPU container; the limit leaves room for a machine shared with other test runs
 * (one run under load average 19 saw 986 ms once), while the main-thread control freezes for seconds.
 */
const MAX_FRAME_GAP_MS = 750;
/** The control parses more rows so that even a quiet, fast machine freezes well past the limit (one saw 522 ms at 100k). */
const CONTROL_ROWS = 4 * ROWS;

type Method = keyof ImportHarness;
function call<M extends Method>(page: Page, method: M, ...args: Parameters<ImportHarness[M]>): Promise<Awaited<ReturnType<ImportHarness[M]>>> {
  return page.evaluate(
    ({ method, args }) => ((window as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>).importHarness!)[method]!(...args),
    { method, args: args as unknown[] },
  ) as Promise<Awaited<ReturnType<ImportHarness[M]>>>;
}

const STARLING_HEADER = 'Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes';

describeBrowser('import in Chromium', () => {
  let site: HarnessSite;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    site = await buildAndServeHarness(CONFIG);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`${site.url}/index.html`);
    await page.waitForFunction(() => 'importHarness' in window, undefined, { timeout: 30_000 });
  });

  afterAll(async () => {
    await call(page, 'close').catch(() => undefined);
    await browser?.close();
    await site?.close();
  });

  it(`parses and plans ${ROWS.toLocaleString('en-GB')} rows in the worker while the page keeps painting`, async () => {
    const report = await call(page, 'freezeCheck', ROWS);
    console.info(`import worker: ${ROWS} rows, parse ${report.parseMs.toFixed(0)} ms, plan ${report.planMs.toFixed(0)} ms, ` +
      `${report.framesDuring} frames in ${report.workMs.toFixed(0)} ms, longest gap ${report.maxGapMs.toFixed(0)} ms at ${report.maxGapAtMs.toFixed(0)} ms ` +
      `(parse answered at ${report.parsedAtMs.toFixed(0)} ms), ${report.gapsOver100} gaps over 100 ms, ${report.progressEvents} progress events`);
    expect(report).toMatchObject({ rows: ROWS, format: 'starling', problems: 0, fresh: ROWS, duplicates: 0 });
    expect(report.totalMinor).toBe(report.expectedTotalMinor);
    expect(report.maxGapMs).toBeLessThan(MAX_FRAME_GAP_MS);
    // Frames kept coming all along: at least one per 100 ms of work on average, and no gap above the limit.
    expect(report.framesDuring).toBeGreaterThanOrEqual(Math.floor(report.workMs / 100));
    expect(report.progressEvents).toBeGreaterThanOrEqual(4);
    expect(report.lastProgress).toEqual({ stage: 'checking', done: ROWS, total: ROWS });
  });

  it('sees the freeze when the same parse runs on the page thread (the frame counter can fail)', async () => {
    const control = await call(page, 'mainThreadControl', CONTROL_ROWS);
    console.info(`main-thread control: parse ${control.workMs.toFixed(0)} ms, longest gap ${control.maxGapMs.toFixed(0)} ms`);
    expect(control.rows).toBe(CONTROL_ROWS);
    expect(control.maxGapMs).toBeGreaterThan(MAX_FRAME_GAP_MS);
  });

  it('adds nothing on a duplicate import, only the new rows of an overlapping one, and nothing from an unreadable file', async () => {
    await call(page, 'openReplica', `import-dup-${Date.now()}`);
    const first = largeStarlingCsv(300, 11).text;
    const a = await call(page, 'importText', first, 'march.csv');
    expect(a).toMatchObject({ format: 'starling', parsed: 300, fresh: 300, written: 300, accountTotal: 300 });

    const again = await call(page, 'importText', first, 'march (1).csv');
    expect(again).toMatchObject({ parsed: 300, fresh: 0, duplicates: 300, written: 0, batchId: null, accountTotal: 300 });

    // The same generator with more rows repeats the first 300 exactly, then 100 more (two same-day twins among them).
    const overlap = await call(page, 'importText', largeStarlingCsv(400, 11).text, 'march-april.csv');
    expect(overlap).toMatchObject({ parsed: 400, fresh: 100, duplicates: 300, written: 100, accountTotal: 400 });

    const twins = `${STARLING_HEADER}\n01/05/2030,Costa,COSTA 1,CONTACTLESS,-3.10,,,\n01/05/2030,Costa,COSTA 1,CONTACTLESS,-3.10,,,\n`;
    expect(await call(page, 'importText', twins, 'twins.csv')).toMatchObject({ fresh: 2, written: 2, accountTotal: 402 });
    expect(await call(page, 'importText', twins, 'twins.csv')).toMatchObject({ fresh: 0, written: 0, accountTotal: 402 });

    const junk = await call(page, 'importText', '\u0000\u0001garbage\u0002 not a statement', 'photo.jpg');
    expect(junk).toMatchObject({ written: 0, accountTotal: 402 });
    expect(junk.problems.length).toBeGreaterThan(0);

    // Undo takes out exactly the overlapping import's 100 rows.
    expect(await call(page, 'undo', overlap.batchId as string)).toEqual({ removed: 100, accountTotal: 302 });
  });

  it('runs the import page like a user: preview with duplicates and problems, import, re-import adds nothing, undo', async () => {
    const shots = process.env.IMPORT_SCREENSHOT_DIR;
    if (shots) mkdirSync(shots, { recursive: true });
    const ui = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    ui.on('pageerror', (e) => console.error('app page error:', e));
    // Generous: this machine is shared with other test runs (handing an 8 MB file to the page can be slow).
    ui.setDefaultTimeout(120_000);
    try {
      await ui.goto(`${site.url}/app.html?db=import-ui-${Date.now()}`);
      await ui.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      const total = () => ui.evaluate(() => (window as unknown as { importApp: ImportAppHarness }).importApp.accountTotal());
      expect(await total()).toBe(2);

      const statement = [
        STARLING_HEADER,
        '01/03/2024,Tesco,TESCO STORES 3145,CONTACTLESS,-24.67,975.33,GROCERIES,',
        '02/03/2024,J Smith,Rent share,FASTER PAYMENT,450.00,"1,425.33",INCOME,',
        '03/03/2024,Pret A Manger,PRET A MANGER LONDON,CONTACTLESS,-3.45,"1,421.88",EATING_OUT,',
        '03/03/2024,Pret A Manger,PRET A MANGER LONDON,CONTACTLESS,-3.45,"1,418.43",EATING_OUT,',
        '31/02/2024,Netflix,NETFLIX.COM,ONLINE PAYMENT,-10.99,"1,407.44",ENTERTAINMENT,',
        '05/03/2024,Tesco,TESCO EXPRESS 22,CONTACTLESS,-8.10,"1,399.34",GROCERIES,',
        '06/03/2024,Amazon,AMZN MKTP UK*2K4,ONLINE PAYMENT,-19.99,"1,379.35",SHOPPING,',
      ].join('\n');
      const file = { name: 'StarlingStatement_2024-03.csv', mimeType: 'text/csv', buffer: Buffer.from(statement) };

      await ui.setInputFiles('#import-file', file);
      await ui.getByRole('button', { name: 'Read statement' }).click();
      await ui.getByRole('heading', { name: 'Check before importing' }).waitFor({ timeout: 60_000 });
      const text = await ui.locator('.preview').innerText();
      expect(text).toContain('Starling CSV');
      expect(text).toMatch(/New\s+4/);
      expect(text).toMatch(/Already imported\s+2/);
      expect(text).toMatch(/Problems\s+1/);
      expect(text).toMatch(/\b6\b[\s\S]*Date|date/i);
      await expect(ui.locator('.problems td').first().innerText()).resolves.toBe('6');
      await expect(ui.locator('tr.is-new', { hasText: 'TESCO EXPRESS' }).innerText()).resolves.toContain('Groceries');
      await expect(ui.locator('tr.is-new', { hasText: 'PRET A MANGER' }).count()).resolves.toBe(2);
      if (shots) {
        await ui.screenshot({ path: join(shots, 'import-preview-1440.png'), fullPage: true });
        await ui.setViewportSize({ width: 375, height: 812 });
        await ui.screenshot({ path: join(shots, 'import-preview-375.png'), fullPage: true });
        await ui.setViewportSize({ width: 1440, height: 900 });
      }
      expect(await total()).toBe(2);

      await ui.getByRole('button', { name: 'Import 4 transactions' }).click();
      await ui.getByRole('heading', { name: 'Imported' }).waitFor({ timeout: 60_000 });
      expect(await total()).toBe(6);

      // The same file again: nothing new, nothing written.
      await ui.getByRole('button', { name: 'Import another file' }).click();
      await ui.setInputFiles('#import-file', file);
      await ui.getByRole('button', { name: 'Read statement' }).click();
      await ui.getByRole('heading', { name: 'Check before importing' }).waitFor({ timeout: 60_000 });
      await expect(ui.getByText('Nothing new to import.').isVisible()).resolves.toBe(true);
      await expect(ui.getByRole('button', { name: 'Import 0 transactions' }).isDisabled()).resolves.toBe(true);
      await ui.getByRole('button', { name: 'Cancel' }).click();
      expect(await total()).toBe(6);

      // A big file shows progress while the worker reads it; cancelling writes nothing.
      await ui.setViewportSize({ width: 375, height: 812 });
      await ui.setInputFiles('#import-file', { name: 'ten-years.csv', mimeType: 'text/csv', buffer: Buffer.from(largeStarlingCsv(ROWS, 3).text) });
      await ui.getByRole('button', { name: 'Read statement' }).click();
      await ui.locator('progress').first().waitFor({ timeout: 60_000 });
      await ui.locator('progress[value]').first().waitFor({ timeout: 60_000 });
      if (shots) await ui.screenshot({ path: join(shots, 'import-progress-375.png'), fullPage: true });
      await ui.getByRole('button', { name: 'Cancel' }).click();
      await ui.getByRole('heading', { name: 'Choose a statement' }).waitFor({ timeout: 60_000 });
      await ui.getByText('Import cancelled. Nothing was saved.').waitFor({ state: 'attached' });
      expect(await total()).toBe(6);
      await ui.setViewportSize({ width: 1440, height: 900 });

      // An unknown CSV asks for its columns; the mapping is kept for the account when its import is saved.
      await ui.setInputFiles('#import-file', { name: 'export.csv', mimeType: 'text/csv', buffer: Buffer.from('Posted,Details,Value\n2024-03-09,Window cleaner,(12.00)\n2024-03-10,Tesco refund,5.00\n') });
      await ui.getByRole('button', { name: 'Read statement' }).click();
      await ui.getByRole('heading', { name: 'Match up the columns' }).waitFor({ timeout: 60_000 });
      await expect(ui.locator('#map-date').inputValue()).resolves.toBe('Posted');
      await expect(ui.locator('#map-date-format').inputValue()).resolves.toBe('YYYY-MM-DD');
      await expect(ui.locator('#map-amount').inputValue()).resolves.toBe('Value');
      if (shots) {
        await ui.setViewportSize({ width: 375, height: 812 });
        await ui.screenshot({ path: join(shots, 'import-mapping-375.png'), fullPage: true });
        await ui.setViewportSize({ width: 1440, height: 900 });
      }
      await ui.getByRole('button', { name: 'Read with these columns' }).click();
      await ui.getByRole('heading', { name: 'Check before importing' }).waitFor({ timeout: 60_000 });
      await expect(ui.locator('.preview').innerText()).resolves.toMatch(/New\s+2/);
      await expect(ui.locator('tr.is-new', { hasText: 'Window cleaner' }).innerText()).resolves.toContain('-£12.00');
      await ui.getByRole('button', { name: 'Import 2 transactions' }).click();
      await ui.getByRole('heading', { name: 'Imported' }).waitFor({ timeout: 60_000 });
      expect(await total()).toBe(8);

      // The next file from that bank goes straight to the preview with the saved columns.
      await ui.getByRole('button', { name: 'Import another file' }).click();
      await ui.setInputFiles('#import-file', { name: 'export-april.csv', mimeType: 'text/csv', buffer: Buffer.from('Posted,Details,Value\n2024-04-02,Milkman,(4.20)\n') });
      await ui.getByRole('button', { name: 'Read statement' }).click();
      await ui.getByRole('heading', { name: 'Check before importing' }).waitFor({ timeout: 60_000 });
      await expect(ui.getByRole('button', { name: 'Change columns' }).isVisible()).resolves.toBe(true);
      await expect(ui.locator('tr.is-new', { hasText: 'Milkman' }).innerText()).resolves.toContain('-£4.20');
      await ui.getByRole('button', { name: 'Cancel' }).click();
      expect(await total()).toBe(8);

      // Undo the page's import from the recent list: back to the two seeded rows.
      await ui.locator('.batches li', { hasText: 'StarlingStatement_2024-03.csv' }).getByRole('button', { name: 'Undo…' }).click();
      await ui.getByRole('button', { name: 'Remove 4 transactions' }).click();
      await ui.getByText('Import undone: 4 transactions removed.').waitFor({ state: 'attached', timeout: 60_000 });
      expect(await total()).toBe(4);
    } finally {
      await ui.close();
    }
  });
});
