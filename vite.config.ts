import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const clientRoot = fileURLToPath(new URL('./client', import.meta.url));

/**
 * The client build. The sync server serves `client/dist` and answers `/api/` itself, so the service
 * worker never caches or falls back for an API path: those requests always go to the network and a
 * failure reaches the app, which says it is offline instead of showing stale or invented data.
 */
export default defineConfig({
  root: clientRoot,
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  worker: { format: 'es' },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8090' },
  },
  preview: {
    proxy: { '/api': 'http://127.0.0.1:8090' },
  },
  plugins: [
    // <search> is the HTML landmark element (the transaction filters use it), not a component.
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'search' } } }),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      // public/ is covered by the glob below, so nothing is listed twice.
      includeManifestIcons: false,
      manifest: {
        name: 'MyMidas',
        short_name: 'MyMidas',
        description: 'Local-first personal finance: accounts, budgets, investments and forecasts, encrypted on your device.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#0f172a',
        theme_color: '#0f172a',
        lang: 'en',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        // Android share sheet → import (public/share-target.js receives the POST in the service worker).
        share_target: {
          action: '/import/share',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: {
            files: [{
              name: 'statement',
              accept: ['text/csv', 'text/comma-separated-values', 'text/plain', 'application/x-ofx', 'application/vnd.intu.qfx', 'application/qif', 'application/xml', 'text/xml', '.csv', '.ofx', '.qfx', '.qif', '.xml'],
            }],
          },
        },
      },
      workbox: {
        // App shell, code-split chunks, workers and WASM are all precached so the app opens offline.
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,ico,webmanifest,wasm,woff2}'],
        globIgnores: ['**/*.map'],
        // Runs before workbox's routes: answers the share target's POST (see public/share-target.js).
        importScripts: ['share-target.js'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        // The first install takes control at once so the first visit already works offline; a later
        // version waits for the user's "Reload now" (registerType: 'prompt').
        clientsClaim: true,
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/api\//],
        runtimeCaching: [
          {
            urlPattern: ({ url }) => url.pathname.startsWith('/api/'),
            handler: 'NetworkOnly',
          },
        ],
      },
    }),
  ],
});
