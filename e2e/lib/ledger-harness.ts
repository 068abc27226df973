import type { Page } from 'playwright-core';
import { buildAndServeHarness } from './harness-site.ts';
import type { HarnessSite } from './harness-site.ts';

/** The ledger harness (e2e/ledger-harness): the real app unlocked at start, for the ledger test and bench. */
export const LEDGER_HARNESS_CONFIG = new URL('../ledger-harness/vite.config.ts', import.meta.url).pathname;

export function buildLedgerHarness(): Promise<HarnessSite> {
  return buildAndServeHarness(LEDGER_HARNESS_CONFIG);
}

/** Waits for the harness page to have unlocked the replica and mounted the app; throws its error if it failed. */
export async function ledgerReady(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { ledgerHarness?: { ready: boolean } }).ledgerHarness?.ready === true || document.body.dataset.harnessError !== undefined, undefined, { timeout: 90_000 });
  const error = await page.evaluate(() => document.body.dataset.harnessError ?? null);
  if (error) throw new Error(`ledger harness failed to start: ${error}`);
}
