/*
 * Web Share Target (manifest `share_target` in vite.config.ts): Android's share sheet POSTs a statement
 * file to /import/share. Loaded into the generated service worker through workbox `importScripts`,
 * before workbox's own routes, so this listener answers that POST: the file goes into Cache Storage
 * (read and deleted by the import page, client/src/features/import/shared-file.ts) and the app opens
 * on /import?shared=1. Nothing is sent anywhere.
 */
const SHARE_CACHE = 'mymidas-share-target';
const SHARE_KEY = '/import/shared-file';
const back = (outcome) => Response.redirect(new URL(`/import?shared=${outcome}`, self.location.origin).href, 303);

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'POST' || url.origin !== self.location.origin || url.pathname !== '/import/share') return;
  event.respondWith(
    (async () => {
      try {
        const form = await event.request.formData();
        const file = form.getAll('statement').find((f) => typeof f !== 'string');
        if (!file) return back('none');
        const cache = await caches.open(SHARE_CACHE);
        await cache.put(
          SHARE_KEY,
          new Response(file, { headers: { 'content-type': file.type || 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name || 'shared-statement.csv') } }),
        );
        return back('1');
      } catch {
        return back('error');
      }
    })(),
  );
});
