import { mkdirSync } from 'node:fs';
import { authenticator } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fillLogin, OWNER_EMAIL, OWNER_PASSWORD, registerThroughUi, unlockThroughUi, VIEWPORTS } from './lib/app-flows.ts';
import { startAppSite, type AppSite } from './lib/app-site.ts';
import { describeBrowser, launchChromium } from './lib/chromium.ts';

/**
 * Issue 7 item 4 end to end on the production build and the real server: enrol TOTP in Settings
 * (QR drawn on the device, confirm with a code, ten backup codes shown once), sign in again through the
 * login's TOTP step, change the password (server + the device key re-wrapped: the old password stops
 * unlocking, the new one works), turn TOTP off with a backup code, and the "session expired" state
 * when the refresh cookie is gone (local use continues, sync asks for a sign-in).
 */

const ARTIFACTS = new URL('./artifacts/security/', import.meta.url).pathname;
const NEW_PASSWORD = 'a brand new passphrase for the ledger';

/** The TOTP code for the 30-second step `offset` steps from now. */
function totpCode(secret: string, offset = 0): string {
  return authenticator.clone({ epoch: Date.now() + offset * 30_000 }).generate(secret);
}

async function apiLogin(base: string, password: string, totp?: string): Promise<{ status: number; type: string | null }> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: OWNER_EMAIL, password, ...(totp ? { totp } : {}) }),
  });
  const body = (await res.json()) as { type?: string };
  return { status: res.status, type: res.ok ? null : (body.type ?? '').split('/').at(-1) ?? null };
}

/** Screenshots of the account and security card at phone and desktop widths. */
async function both(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(100);
    // The fixed top bar and phone navigation would otherwise cover part of the card in an element shot.
    const bars = page.locator('.shell-top, .shell-nav, nav');
    await bars.evaluateAll((els) => els.forEach((el) => ((el as HTMLElement).style.visibility = 'hidden')));
    await page.locator('section[aria-labelledby="security-heading"]').screenshot({ path: `${ARTIFACTS}${name}-${size}.png` });
    await bars.evaluateAll((els) => els.forEach((el) => ((el as HTMLElement).style.visibility = '')));
  }
  await page.setViewportSize(VIEWPORTS.desktop);
}

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).first().click();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
}

describeBrowser('settings security: TOTP, password, session expiry (production build, real server)', () => {
  let site: AppSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let secret = '';
  let backupCodes: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    site = await startAppSite();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await registerThroughUi(page, site.url);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('enrols TOTP: QR code drawn on the device, a wrong code refused, the right one shows ten backup codes once', async () => {
    await openSettings(page);
    await page.getByText('Signed in as').waitFor();
    await page.getByRole('button', { name: 'Turn on two-factor sign-in…' }).click();
    // The server wants the password again (issue 19): a wrong one is refused with a clear message.
    await page.getByLabel('Password', { exact: true }).fill('not my password at all');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'The password is wrong.' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(OWNER_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    const qr = page.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    expect(await qr.locator('path').getAttribute('d')).toMatch(/^(M\d+ \d+h1v1h-1z)+$/);
    secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    // The focus moved to the code field, ready for typing.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('totp-confirm-code');
    await both(page, 'totp-enrol');

    const wrong = String((Number(totpCode(secret)) + 1) % 1_000_000).padStart(6, '0');
    await page.getByLabel('Code from the app').fill(wrong);
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.getByRole('alert').filter({ hasText: 'does not match' }).waitFor();

    await page.getByLabel('Code from the app').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    backupCodes = await page.locator('ol.codes code').allTextContents();
    expect(backupCodes).toHaveLength(10);
    for (const c of backupCodes) expect(c).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(new Set(backupCodes).size).toBe(10);
    await both(page, 'totp-backup-codes');
    await page.getByRole('button', { name: 'I have saved my backup codes' }).click();
    expect(await page.locator('ol.codes').count()).toBe(0);
    await page.getByText('On. Signing in needs a code').waitFor();
    expect((await apiLogin(site.url, OWNER_PASSWORD)).type).toBe('totp-required');
  });

  it("login's TOTP step: after sign-out, the password alone asks for a code, and the code signs in", async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/login/);
    await fillLogin(page, OWNER_EMAIL, OWNER_PASSWORD);
    await page.getByRole('heading', { name: 'Second step' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-totp');
    // The next step's code: the confirm above used this step's, and a code is never accepted twice.
    await page.getByLabel('Authentication code').fill(totpCode(secret, 1));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(`${site.url}/`, { timeout: 60_000 });
    await openSettings(page);
    await page.getByText('On. Signing in needs a code').waitFor();
  });

  it('changes the password on the server and re-wraps the device key: the old password no longer unlocks, the new one does', async () => {
    await page.getByLabel('Current password').fill(OWNER_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor({ timeout: 60_000 });
    await both(page, 'password-changed');

    expect((await apiLogin(site.url, OWNER_PASSWORD, totpCode(secret, 1))).status).toBe(401);
    expect((await apiLogin(site.url, NEW_PASSWORD)).type).toBe('totp-required');

    await page.getByRole('button', { name: 'Lock this device' }).click();
    await unlockThroughUi(page, OWNER_PASSWORD);
    await page.getByRole('alert').filter({ hasText: 'does not unlock' }).waitFor({ timeout: 60_000 });
    await unlockThroughUi(page, NEW_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/unlock'), { timeout: 60_000 });
  });

  it('turns TOTP off with the new password and a backup code', async () => {
    await openSettings(page);
    await page.getByRole('button', { name: 'Turn off two-factor sign-in…' }).click();
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Code from the app, or a backup code').fill(backupCodes[0]!);
    await page.getByRole('button', { name: 'Turn off', exact: true }).click();
    await page.getByText('Off. With it on').waitFor();
    expect((await apiLogin(site.url, NEW_PASSWORD)).status).toBe(200);
  });

  it('with the refresh cookie gone, the app says the session expired, local use continues and sync asks for a sign-in', async () => {
    await context.clearCookies();
    await page.reload();
    await unlockThroughUi(page, NEW_PASSWORD);
    await page.waitForURL((u) => !u.pathname.startsWith('/unlock'), { timeout: 60_000 });
    await expect.poll(() => page.locator('.sync').getAttribute('data-state'), { timeout: 30_000 }).toBe('needs-sign-in');
    await openSettings(page);
    await page.getByTestId('session-state').getByText('Session expired').waitFor();
    await both(page, 'session-expired');
    // The indicator leads to sign-in, which explains why.
    await page.locator('.sync a').click();
    await page.waitForURL(/\/login\?.*reason=expired/);
    await page.getByText('Your session has ended').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
