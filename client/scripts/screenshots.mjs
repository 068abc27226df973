// Screenshots of the shell for a visual check, against a running server that serves client/dist:
//   BASE_URL=http://127.0.0.1:8191 OUT=/tmp/mm-shots node client/scripts/screenshots.mjs
// Registers an account on that server (it must have none), so point it at a throw-away data dir.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8191';
const OUT = process.env.OUT ?? '/tmp/mm-shots';
const THEMES = ['obsidian', 'arctic', 'midnight', 'vault', 'terminal', 'synthwave', 'ledger'];
const SIZES = { phone: { width: 375, height: 812 }, desktop: { width: 1440, height: 900 } };
const EMAIL = 'owner@example.org';
const PASSWORD = 'correct horse battery staple';

mkdirSync(OUT, { recursive: true });
// A persistent profile, so Chromium judges installability as for a normal (not incognito) window.
const profile = mkdtempSync(join(tmpdir(), 'mm-shots-profile-'));
const context = await chromium.launchPersistentContext(profile, {
  viewport: SIZES.desktop,
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] ?? (await context.newPage());
const problems = [];
page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
const shot = async (name) => page.screenshot({ path: `${OUT}/${name}.png`, fullPage: false });
const both = async (name) => {
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    await shot(`${name}-${size}`);
  }
};

const status = await (await fetch(`${BASE}/api/v1/auth/status`)).json();
await page.goto(BASE);
await page.waitForURL(/\/login/);
if (status.registrationOpen) await page.getByRole('link', { name: /create the account/i }).waitFor();
await both('login');

if (status.hasAccount) {
  await page.getByLabel('E-mail').fill(EMAIL);
  await page.getByLabel('Password').fill('wrong password for this account');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /./ }).waitFor();
  await both('login-error');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
} else {
await page.goto(`${BASE}/register`);
await page.getByLabel('E-mail').fill(EMAIL);
await page.getByLabel('Password', { exact: true }).fill('short');
await page.getByLabel('Repeat the password').fill('short');
await page.getByRole('button', { name: 'Create account' }).click();
await page.getByRole('alert').filter({ hasText: '12 characters' }).waitFor();
await both('register-error');
await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
await page.getByLabel('Repeat the password').fill(PASSWORD);
await page.getByRole('button', { name: 'Create account' }).click();
}
await page.waitForURL(`${BASE}/`, { timeout: 60_000 });
await page.getByText('On this device now').waitFor();
await page.getByText(/\d+ accounts?/).first().waitFor({ timeout: 30_000 });

// Keyboard: the first Tab shows the skip link; focus rings are visible on navigation.
await page.keyboard.press('Tab');
await shot('keyboard-skip-link-desktop');
await page.keyboard.press('Tab');
await page.keyboard.press('Tab');
await page.keyboard.press('Tab');
await page.keyboard.press('Tab');
await page.keyboard.press('Tab');
await page.keyboard.press('Tab');
await shot('keyboard-focus-desktop');
console.log('focused after 7 tabs:', await page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim()} aria-current=${document.activeElement?.getAttribute('aria-current')}`));

for (const theme of THEMES) {
  await page.setViewportSize(SIZES.desktop);
  await page.selectOption('#theme-select', theme);
  await both(`dashboard-${theme}`);
}
await page.selectOption('#theme-select', 'obsidian');

await shot('offline-ready-toast-desktop');
await page.getByText('ready to work offline').waitFor({ state: 'hidden', timeout: 15_000 });
await page.setViewportSize(SIZES.phone);
await page.getByRole('button', { name: 'More' }).click();
await shot('more-menu-phone');
await page.getByRole('link', { name: 'Settings' }).click();
await page.waitForURL(/settings/);
await both('settings');
await page.getByRole('link', { name: 'Transactions' }).click();
await page.waitForURL(/transactions/);
await both('transactions');

// Lock, then a wrong password on the unlock screen.
await page.setViewportSize(SIZES.desktop);
await page.getByRole('button', { name: 'Lock this device' }).click();
await page.waitForURL(/unlock/);
await page.getByLabel('Password').fill('not the password at all');
await page.getByRole('button', { name: 'Unlock' }).click();
await page.getByRole('alert').filter({ hasText: 'does not unlock' }).waitFor({ timeout: 60_000 });
await both('unlock-wrong-password');
await page.getByLabel('Password').fill(PASSWORD);
await page.getByRole('button', { name: 'Unlock' }).click();
await page.waitForURL((u) => !u.pathname.startsWith('/unlock'), { timeout: 60_000 });

await context.setOffline(true);
await page.getByText('You are offline').waitFor();
await both('offline');
// Still offline: a reload is served by the service worker, and the password unlocks without the server.
await page.reload();
await page.getByRole('heading', { name: 'Unlock' }).waitFor();
await page.getByLabel('Password').fill(PASSWORD);
await page.getByRole('button', { name: 'Unlock' }).click();
await page.getByText('On this device now').waitFor({ timeout: 60_000 });
await both('offline-after-reload');
console.log('offline reload + unlock: ok');
await context.setOffline(false);

const cdp = await context.newCDPSession(page);
const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
console.log('installability errors:', JSON.stringify(installabilityErrors));
console.log('sw controlled:', await page.evaluate(() => navigator.serviceWorker.controller !== null));
console.log('page problems:', problems.length ? problems.join('\n') : 'none');
console.log('sync dot colour:', await page.evaluate(() => { const d = document.querySelector('.sync .dot'); return d ? `${getComputedStyle(d).backgroundColor} tone=${d.closest('.sync')?.getAttribute('data-tone')}` : 'none'; }));
await context.close();
rmSync(profile, { recursive: true, force: true });
