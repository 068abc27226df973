import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OWNER_PASSWORD, registerThroughUi, waitForServiceWorker } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';

/**
 * Web Share Target on the production build (issue 6): the manifest names /import/share, and the
 * service worker (workbox + public/share-target.js) answers the share sheet's multipart POST by keeping
 * the file and opening /import?shared=1, where the import page picks it up, reads it into a preview
 * and imports it. Chromium on Linux has no share sheet, so the test submits the same POST navigation
 * an installed app receives.
 */

const STATEMENT = [
  'Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes',
  '01/03/2024,Tesco,TESCO STORES 3145,CONTACTLESS,-24.67,975.33,GROCERIES,',
  '02/03/2024,J Smith,Rent share,FASTER PAYMENT,450.00,"1,425.33",INCOME,',
].join('\n');

describeBrowser('sharing a statement to the installed app', () => {
  let site: AppSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    site = await startAppSite();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 412, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('declares the share target in the manifest', async () => {
    const manifest = (await (await fetch(`${site.url}/manifest.webmanifest`)).json()) as { share_target?: { action: string; method: string; enctype: string; params: { files: { name: string; accept: string[] }[] } } };
    expect(manifest.share_target).toMatchObject({ action: '/import/share', method: 'POST', enctype: 'multipart/form-data' });
    expect(manifest.share_target?.params.files[0]?.name).toBe('statement');
    expect(manifest.share_target?.params.files[0]?.accept).toEqual(expect.arrayContaining(['.csv', '.ofx', '.qif']));
  });

  it('receives the POSTed file in the service worker, opens the import page with it, and imports it', async () => {
    await registerThroughUi(page, site.url);
    await waitForServiceWorker(page);
    // An account to import into.
    const link = page.getByRole('navigation').getByRole('link', { name: 'Accounts' }).first();
    await link.click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    const form = page.locator('#add-account');
    await form.getByLabel('Name').fill('Shared current');
    await form.getByLabel('Opening balance').fill('0');
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.locator('[data-account-id]').filter({ hasText: 'Shared current' }).waitFor({ timeout: 60_000 });

    // What the share sheet does: a multipart POST navigation to the share target's action.
    await page.evaluate((text) => {
      const f = document.createElement('form');
      f.method = 'post';
      f.enctype = 'multipart/form-data';
      f.action = '/import/share';
      const input = document.createElement('input');
      input.type = 'file';
      input.name = 'statement';
      const files = new DataTransfer();
      files.items.add(new File([text], 'StarlingStatement.csv', { type: 'text/csv' }));
      input.files = files.files;
      f.append(input);
      document.body.append(f);
      f.submit();
    }, STATEMENT);
    // A fresh page load after the share: the router asks for the password first, then opens the import page.
    const unlockHeading = page.getByRole('heading', { name: 'Unlock' });
    const importHeading = page.getByRole('heading', { name: 'Import', level: 1 });
    await unlockHeading.or(importHeading).waitFor({ timeout: 60_000 });
    if (await unlockHeading.isVisible()) {
      expect(new URL(page.url()).searchParams.get('redirect')).toBe('/import?shared=1');
      await page.getByLabel('Password').fill(OWNER_PASSWORD);
      await page.getByRole('button', { name: 'Unlock' }).click();
    }
    await page.getByText('“StarlingStatement.csv” was shared to MyMidas.').waitFor({ timeout: 60_000 });
    // The file went from the worker's memory to the page: no Cache Storage entry holds the statement, and the query is gone.
    const cached = await page.evaluate(async () => {
      const found: string[] = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          if (((await (await cache.match(request))?.text()) ?? '').includes('TESCO STORES 3145')) found.push(`${name} ${request.url}`);
        }
      }
      return { names: await caches.keys(), found };
    });
    expect(cached.found).toEqual([]);
    expect(cached.names).not.toContain('mymidas-share-target');
    expect(new URL(page.url()).search).toBe('');

    await page.getByRole('button', { name: 'Read statement' }).click();
    await page.getByRole('heading', { name: 'Check before importing' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Import 2 transactions' }).click();
    await page.getByRole('heading', { name: 'Imported' }).waitFor({ timeout: 60_000 });
    await expect(page.locator('.batches li').first().innerText()).resolves.toContain('StarlingStatement.csv');
  });

  it('refuses the same POST when another site makes it', async () => {
    // Another site: localhost is not the same site as 127.0.0.1 (the app's address).
    const evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title><p>elsewhere</p>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = evil.address() as AddressInfo;
      await page.goto(`http://localhost:${port}/`);
      const target = `${site.url}/import/share`;
      await Promise.all([
        page.waitForURL(target, { timeout: 60_000 }),
        page.evaluate(({ text, action }) => {
          const f = document.createElement('form');
          f.method = 'post';
          f.enctype = 'multipart/form-data';
          f.action = action;
          const input = document.createElement('input');
          input.type = 'file';
          input.name = 'statement';
          const files = new DataTransfer();
          files.items.add(new File([text], 'Planted.csv', { type: 'text/csv' }));
          input.files = files.files;
          f.append(input);
          document.body.append(f);
          f.submit();
        }, { text: STATEMENT, action: target }),
      ]);
      await page.getByText('did not come from the share sheet').waitFor({ timeout: 30_000 });
      // Nothing waits for the import page either.
      await page.goto(`${site.url}/import?shared=1`);
      await page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 60_000 });
      await page.getByLabel('Password').fill(OWNER_PASSWORD);
      await page.getByRole('button', { name: 'Unlock' }).click();
      await page.getByText('The shared file is no longer waiting here').waitFor({ timeout: 60_000 });
    } finally {
      evil.close();
    }
  });
});
