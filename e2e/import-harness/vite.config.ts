import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/**
 * The import harness pages, built by e2e/lib/harness-site.ts into a temp dir:
 * - index.html: a JSON-only API (window.importHarness) over the import worker and the import store on
 *   a real encrypted replica, with a requestAnimationFrame counter for the freeze check;
 * - app.html: the real ImportPage.vue on a seeded replica, for the UI test and the screenshots.
 */
const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  publicDir: false,
  plugins: [vue()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: { input: { index: `${root}index.html`, app: `${root}app.html` } },
  },
});
