import { defineConfig } from 'vite';

/**
 * The snapshot harness page (index.html): the compute worker (client/src/compute) built by vite, with
 * a JSON-only API on window.snapshotHarness for the browser test and the snapshot benchmark.
 * Built with vite's JS API by e2e/lib/harness-site.ts (build.outDir is a temp dir).
 */
const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  publicDir: false,
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: { input: { index: `${root}index.html` } },
  },
});
