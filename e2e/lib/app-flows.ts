import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** Steps through the real UI shared by the app's browser tests. */

export const OWNER_EMAIL = 'owner@example.org';
export const OWNER_PASSWORD = 'correct horse battery staple';
export const THEME_IDS = ['obsidian', 'arctic', 'midnight', 'vault', 'terminal', 'synthwave', 'ledger'] as const;
export const VIEWPORTS = { phone: { width: 375, height: 812 }, desktop: { width: 1440, height: 900 } } as const;

/** Registers the first account through /register and waits for the dashboard. */
export async function registerThroughUi(page: Page, base: string, email = OWNER_EMAIL, password = OWNER_PASSWORD): Promise<void> {
  await page.goto(`${base}/register`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${base}/`, { timeout: 90_000 });
}

/** Signs in through /login (credentials step; a TOTP step is left to the caller). */
export async function fillLogin(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Unlocks the replica from the Unlock screen (a full page load locks it: the key lives in memory only). */
export async function unlockThroughUi(page: Page, password = OWNER_PASSWORD): Promise<void> {
  await page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 30_000 });
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

/** Waits until a service worker controls the page (the app shell is precached). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined, undefined, { timeout: 60_000 });
  // The precache is complete when the active worker's install finished; `ready` resolves then.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
}

const require = createRequire(import.meta.url);
let axeSource: string | null = null;

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { target: readonly string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page: colour contrast plus every WCAG 2.0/2.1 A and AA rule. The source is
 * evaluated through the DevTools protocol, which the page's CSP (no inline scripts) does not block.
 */
export async function runAxe(page: Page): Promise<{ violations: AxeViolation[]; passes: number; incomplete: string[] }> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    type Axe = { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[]; passes: unknown[]; incomplete: { id: string }[] }> };
    const axe = (window as unknown as { axe: Axe }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return {
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })) })),
      passes: r.passes.length,
      incomplete: r.incomplete.map((i) => i.id),
    };
  });
}

export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 5).map((n) => `   ${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n')}`).join('\n');
}

/** Goes to a page by its navigation link (under "More" on a phone) and waits for its heading: in-app, no page load, so it works offline and the replica stays unlocked. */
export async function nav(page: Page, label: string): Promise<void> {
  const link = page.getByRole('navigation').getByRole('link', { name: label, exact: true });
  if (await link.first().isVisible()) await link.first().click();
  else {
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('link', { name: label, exact: true }).first().click();
  }
  await page.getByRole('heading', { level: 1, name: label }).waitFor();
}
