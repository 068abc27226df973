import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/**
 * The ledger harness page: the real client app (App.vue, router, stores, the encrypted replica on
 * IndexedDB) unlocked on start with a test password, hash routing so a static server can serve it,
 * and a JSON API on window.ledgerHarness for the browser test and the transactions-page benchmark.
 * Built with vite's JS API by e2e/lib/harness-site.ts (build.outDir is a temp dir).
 */
const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  publicDir: new URL('../../client/public', import.meta.url).pathname,
  plugins: [vue()],
  resolve: { alias: [{ find: /^virtual:pwa-register$/, replacement: `${root}pwa-register.ts` }] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: { input: { index: `${root}index.html` } },
  },
});
