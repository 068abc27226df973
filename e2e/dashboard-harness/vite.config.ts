import { defineConfig } from 'vite';

/**
 * The dashboard harness page (seed.html), served under /harness/ next to the built app by
 * e2e/lib/dashboard-site.ts, so it shares the app's origin and so its IndexedDB.
 */
const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  base: '/harness/',
  publicDir: false,
  build: {
    target: 'es2022',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: { input: { seed: `${root}seed.html` } },
  },
});
