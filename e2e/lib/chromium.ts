import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, LaunchOptions } from 'playwright-core';
import { describe, it } from 'vitest';

/**
 * Finding and starting Chromium for browser tests and benchmarks. Order: $CHROMIUM_PATH, Debian's
 * /usr/bin/chromium, then a browser downloaded by Playwright. With none of them, browser tests are
 * skipped with a loud line — except under CI=true, where a missing browser is a failure.
 */

/** Flags for a quiet, offline-friendly headless Chromium in a container. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Path of a usable Chromium, or null. A CHROMIUM_PATH that points nowhere is an error, not a fallback. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = [DEBIAN_CHROMIUM, chromium.executablePath()]): string | null {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  return candidates.find((path) => path && existsSync(path)) ?? null;
}

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/** Launches headless Chromium with CHROMIUM_ARGS; throws a clear error when there is none. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found: set CHROMIUM_PATH or install the Debian "chromium" package.');
  return chromium.launch({
    ...options,
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}

/**
 * `describe` for tests that need Chromium. Without a browser it prints a loud "BROWSER TESTS NOT RUN"
 * line and skips the suite, or — under CI=true — registers a failing test instead, so a CI run can never
 * pass without having run them.
 */
export function describeBrowser(
  name: string,
  body: () => void,
  options: { env?: NodeJS.ProcessEnv; find?: () => string | null } = {},
): void {
  const env = options.env ?? process.env;
  const found = (options.find ?? (() => findChromium(env)))();
  if (found) {
    describe(name, body);
    return;
  }
  const line = `BROWSER TESTS NOT RUN: "${name}" needs Chromium (set CHROMIUM_PATH or install /usr/bin/chromium)`;
  if (isCi(env)) {
    describe(name, () => {
      it('has a Chromium to run in (CI=true)', () => {
        throw new Error(line);
      });
    });
    return;
  }
  console.warn(`\n${'!'.repeat(line.length)}\n${line}\n${'!'.repeat(line.length)}\n`);
  describe.skip(name, body);
}
