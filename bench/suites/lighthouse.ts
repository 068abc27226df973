import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lighthouse, { snapshot } from 'lighthouse';
import puppeteer, { type Page } from 'puppeteer-core';
import { startAppSite } from '../../e2e/lib/app-site.ts';
import { OWNER_EMAIL, OWNER_PASSWORD } from '../../e2e/lib/app-flows.ts';
import { defineSuite } from '../lib/suite.ts';
import { CHROMIUM_ARGS, findChromium } from '../lib/browser.ts';

/**
 * Issue 7: Lighthouse 12 accessibility and best-practices scores of the production build (service
 * worker included) served by the real sync server, in Debian Chromium. Pages audited:
 *   - navigation mode (a fresh load, storage reset): /register on first run, then /login;
 *   - snapshot mode, after registering through the page (the replica is unlocked in memory, which a
 *     fresh navigation would lose): dashboard, accounts, transactions, settings and the conflict log.
 * Each suite's value is the lowest score of its category over those pages (0-100); the baseline is
 * the best possible score, 100, so the ratio reads as a fraction of perfect. Target: ≥ 95.
 */

type Category = 'accessibility' | 'best-practices';
const CATEGORIES: readonly Category[] = ['accessibility', 'best-practices'];

interface PageScores {
  readonly page: string;
  readonly mode: 'navigation' | 'snapshot';
  readonly scores: Record<Category, number>;
  /** Audits that lost points: id, score and title, for the log. */
  readonly failing: readonly string[];
}

interface LhResult {
  readonly lhr: {
    readonly categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
    readonly audits: Record<string, { score: number | null; title: string; scoreDisplayMode: string; details?: { items?: Record<string, unknown>[] } }>;
    readonly runtimeError?: { code: string; message: string };
  };
}

function scoresOf(page: string, mode: PageScores['mode'], result: LhResult | undefined): PageScores {
  if (!result) throw new Error(`lighthouse gave no result for ${page}`);
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`lighthouse ${page}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  const scores = {} as Record<Category, number>;
  const failing: string[] = [];
  for (const c of CATEGORIES) {
    const cat = lhr.categories[c];
    if (!cat || cat.score === null) throw new Error(`lighthouse ${page}: no ${c} score`);
    scores[c] = Math.round(cat.score * 100);
    for (const ref of cat.auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== 'notApplicable') {
        const items = (audit.details?.items ?? []).slice(0, 5).map((i) => JSON.stringify(i).slice(0, 300));
        failing.push([`${c}/${ref.id} (${audit.score}): ${audit.title}`, ...items.map((i) => `      ${i}`)].join('\n'));
      }
    }
  }
  return { page, mode, scores, failing };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForDevTools(port: number, chrome: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (chrome.exitCode !== null) throw new Error(`Chromium exited with code ${chrome.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/json/version`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('Chromium did not open its DevTools port within 30 s');
}

const FLAGS = {
  logLevel: 'error' as const,
  output: 'json' as const,
  onlyCategories: [...CATEGORIES],
  formFactor: 'desktop' as const,
  screenEmulation: { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false },
  throttlingMethod: 'provided' as const,
};

async function registerThroughPage(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/register`, { waitUntil: 'networkidle0' });
  await page.type('#reg-email', OWNER_EMAIL);
  await page.type('#reg-password', OWNER_PASSWORD);
  await page.type('#reg-confirm', OWNER_PASSWORD);
  await Promise.all([page.waitForFunction((b: string) => location.href === `${b}/`, { timeout: 90_000 }, base), page.click('form button[type="submit"]')]);
  await page.waitForSelector('#main h1', { timeout: 30_000 });
}

async function clientNavigate(page: Page, path: string, link = `nav a[href="${path}"]`): Promise<void> {
  await page.click(link);
  await page.waitForFunction((p: string) => location.pathname === p && document.querySelector('#main h1') !== null, { timeout: 30_000 }, path);
  // Let lazy data (counts, balances) settle before the snapshot.
  await new Promise((r) => setTimeout(r, 1_000));
}

/** Runs every audit once: builds and serves the app, starts Chromium with a DevTools port, audits, cleans up. */
async function auditApp(log: (line: string) => void): Promise<PageScores[]> {
  const site = await startAppSite();
  const executable = findChromium();
  if (!executable) throw new Error('No Chromium found: set CHROMIUM_PATH or install the Debian "chromium" package.');
  const port = await freePort();
  const profile = await mkdtemp(join(tmpdir(), 'mymidas-lighthouse-'));
  const chrome = spawn(executable, [...CHROMIUM_ARGS, `--remote-debugging-port=${port}`, `--user-data-dir=${profile}`, 'about:blank'], { stdio: 'ignore' });
  const results: PageScores[] = [];
  try {
    await waitForDevTools(port, chrome);
    for (const path of ['/register', '/login']) {
      const r = (await lighthouse(`${site.url}${path}`, { ...FLAGS, port })) as LhResult | undefined;
      results.push(scoresOf(path, 'navigation', r));
    }
    const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}`, defaultViewport: { width: 1350, height: 940 } });
    try {
      const page = await browser.newPage();
      await registerThroughPage(page, site.url);
      const snap = async (path: string) => {
        const r = (await snapshot(page as unknown as Parameters<typeof snapshot>[0], { flags: { ...FLAGS } })) as LhResult | undefined;
        results.push(scoresOf(path, 'snapshot', r));
      };
      await snap('/');
      await clientNavigate(page, '/accounts');
      await snap('/accounts');
      await clientNavigate(page, '/transactions');
      await snap('/transactions');
      await clientNavigate(page, '/settings');
      await snap('/settings');
      await clientNavigate(page, '/settings/conflicts', '#main a[href="/settings/conflicts"]');
      await snap('/settings/conflicts');
    } finally {
      await browser.disconnect();
    }
  } finally {
    chrome.kill('SIGTERM');
    await new Promise((r) => (chrome.exitCode !== null ? r(undefined) : chrome.once('exit', r)));
    await rm(profile, { recursive: true, force: true });
    await site.close();
  }
  for (const r of results) {
    log(`${r.mode.padEnd(10)} ${r.page.padEnd(19)} accessibility ${r.scores.accessibility}  best-practices ${r.scores['best-practices']}`);
    for (const f of r.failing) log(`    - ${f}`);
  }
  return results;
}

/** One audit serves both suites; run again only for a new `npm run bench` process. */
let audit: Promise<PageScores[]> | null = null;

function lighthouseSuite(category: Category) {
  return defineSuite<PageScores[]>({
    name: `lighthouse-${category}`,
    description: `Lighthouse 12 ${category} score, lowest over register, login (navigation) and dashboard, accounts, transactions, settings, conflict log (snapshot) — production build, real server (issue 7)`,
    environment: 'browser',
    sizeUnit: 'pages',
    size: { full: 7, quick: 7 },
    runs: { full: 1, quick: 1 },
    unit: 'score',
    better: 'higher',
    baselineName: 'perfect score',
    target: { on: 'value', min: 95 },
    setup: (ctx) => (audit ??= auditApp(ctx.log)),
    run: (_ctx, pages) => Math.min(...pages.map((p) => p.scores[category])),
    baseline: () => 100,
  });
}

export const lighthouseAccessibility = lighthouseSuite('accessibility');
export const lighthouseBestPractices = lighthouseSuite('best-practices');
