import { defineConfig } from 'vite';

/**
 * The replica harness pages: index.html (the browser tests' API over client/src/db) and bench.html
 * (the replica-encryption benchmark). e2e/lib/harness-site.ts builds it into a temp dir (build.outDir).
 */
const root = new URL('.', import.meta.url).pathname;
/**
 * RxDB pins its own Dexie (4.4.2) while the client lists a newer one; two Dexie copies on one page
 * refuse to load. The raw-Dexie baseline must measure the Dexie RxDB runs on anyway, so `dexie`
 * resolves to RxDB's copy here.
 */
const rxdbDexie = new URL('../../node_modules/rxdb/node_modules/dexie/', import.meta.url).pathname;

export default defineConfig({
  root,
  publicDir: false,
  resolve: { alias: [{ find: /^dexie$/, replacement: rxdbDexie }] },
  build: {
    target: 'es2022',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: { index: `${root}index.html`, bench: `${root}bench.html` },
    },
  },
});
