import { rm } from 'node:fs/promises';
import { buildClient, SHARED_CLIENT_DIST_ENV } from './app-site.ts';
import { findChromium } from './chromium.ts';

/**
 * Vitest globalSetup of the browser project: builds the production client once for every browser test
 * file (each file used to build its own), and removes it when the run ends.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Without Chromium the browser suite reports itself as not run; nothing to build for.
  if (findChromium() === null) return async () => undefined;
  const dist = await buildClient();
  process.env[SHARED_CLIENT_DIST_ENV] = dist;
  return async () => {
    delete process.env[SHARED_CLIENT_DIST_ENV];
    await rm(dist, { recursive: true, force: true });
  };
}
