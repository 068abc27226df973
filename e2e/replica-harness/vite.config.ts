import { defineConfig } from 'vite';

/**
 * The replica harness pages: index.html (the browser tests' API over client/src/db) and bench.html
 * (the replica-encryption benchmark). e2e/lib/harness-site.ts builds it into a temp dir (build.outDir).
 */
const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  publicDir: false,
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
