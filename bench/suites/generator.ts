import type { Page } from 'playwright-core';
import { bundleForBrowser, openModulePage, servePages } from '../lib/browser.ts';
import type { PageServer } from '../lib/browser.ts';
import { defineSuite } from '../lib/suite.ts';
import { measureBareLoop, measureGenerator } from './generator-work.ts';
import type { Throughput } from './generator-work.ts';

/**
 * Generator throughput (issue 4): documents per second for the whole demo household sized at
 * `size` transactions (accounts, rules, budgets, ~116k quotes, investment trades and the
 * transactions), every document JSON-stringified. Baseline: the bare PRNG + JSON.stringify loop over
 * the same number of plain transaction-shaped objects. Target: the household logic costs at most 4×
 * the floor (ratio ≥ 0.25), so 1,000,000 transactions stay a matter of seconds.
 */

const common = {
  sizeUnit: 'transactions',
  size: { full: 100_000, quick: 10_000 },
  runs: { full: 5, quick: 2 },
  unit: 'docs/s',
  better: 'higher',
  baselineName: 'bare PRNG + JSON.stringify',
  target: { on: 'ratio', min: 0.25 },
} as const;

export const generatorNode = defineSuite<{ docs: number }>({
  ...common,
  name: 'generator',
  description: 'demo household generator throughput in Node',
  environment: 'node',
  setup(ctx) {
    const warm = measureGenerator(ctx.size);
    measureBareLoop(warm.docs);
    ctx.log(`generator: ${warm.docs} documents for ${ctx.size} transactions`);
    return { docs: warm.docs };
  },
  run: (ctx) => measureGenerator(ctx.size).docsPerSecond,
  baseline: (_ctx, state) => measureBareLoop(state.docs).docsPerSecond,
});

interface PageState {
  readonly server: PageServer;
  readonly page: Page;
  readonly docs: number;
}

type PageApi = { measureGenerator(n: number): Throughput; measureBareLoop(n: number): Throughput };
const callPage = (page: Page, fn: keyof PageApi, n: number) =>
  page.evaluate(([f, x]) => ((globalThis as unknown as { generatorBench: PageApi }).generatorBench[f])(x), [fn, n] as const);

export const generatorBrowser = defineSuite<PageState>({
  ...common,
  name: 'generator-browser',
  description: 'demo household generator throughput in headless Chromium',
  environment: 'browser',
  async setup(ctx) {
    const script = await bundleForBrowser(new URL('./generator-page.ts', import.meta.url).pathname);
    const server = await servePages();
    const page = await openModulePage(await ctx.browser(), server, 'generator', script, 'generatorBench');
    const warm = await callPage(page, 'measureGenerator', ctx.size);
    await callPage(page, 'measureBareLoop', warm.docs);
    return { server, page, docs: warm.docs };
  },
  run: async (ctx, s) => (await callPage(s.page, 'measureGenerator', ctx.size)).docsPerSecond,
  baseline: async (_ctx, s) => (await callPage(s.page, 'measureBareLoop', s.docs)).docsPerSecond,
  async teardown(_ctx, s) {
    await s.page.close();
    await s.server.close();
  },
});
