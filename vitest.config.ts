import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Vitest's default on two cores is one worker, which runs every file in turn (the whole suite took 25 min).
    // Two: a browser file (one at a time, below) or a server file beside the unit tests.
    maxWorkers: 2,
    projects: [
      // 30 s, not Vitest's 5 s: a test that builds the ten-year household is slow on a loaded two-core machine
      // (timeouts catch hangs; speed targets live in `npm run bench`).
      { test: { name: 'shared', include: ['shared/src/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      // The Vue plugin lets component tests (@vue/test-utils, `// @vitest-environment happy-dom`) import .vue files.
      { plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'search' } } })], test: { name: 'client', include: ['client/src/**/*.test.ts'], exclude: ['client/src/**/*.browser.test.ts'], environment: 'node', testTimeout: 30_000 } },
      {
        test: {
          name: 'server',
          include: ['sync-server/src/**/*.test.ts', 'tests/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'browser',
          include: ['e2e/**/*.browser.test.ts'],
          // One production build of the client for every browser test file.
          globalSetup: ['e2e/lib/build-once.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
