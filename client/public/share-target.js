/*
 * Web Share Target (manifest `share_target` in vite.config.ts): Android's share sheet POSTs a statement
 * file to /import/share. Loaded into the generated service worker through workbox `importScripts`,
 * before workbox's own routes, so this listener answers that POST and the app opens on /import?shared=1.
 *
 * Only what the share sheet sends is accepted: a multipart POST navigation that no other site started.
 * The share sheet's navigation is started by the browser itself: it has no initiating page (empty
 * clientId) and its Origin is absent or "null". A form on another site carries that site's Origin and
 * its page as the initiating client; a form of this app is one of its own clients. Anything else gets a
 * 403 and is not read.
 *
 * The file is never written anywhere: the worker holds it in memory (kept alive by waitUntil for a few
 * minutes, time to unlock) and hands it to the import page when the page asks for it by message
 * (client/src/features/import/shared-file.ts), once. Nothing is sent anywhere.
 */
const SHARE_PATH = '/import/share';
const TAKE_MESSAGE = 'mymidas-share-take';
/** How long a shared file waits for the page to take it; then it is dropped. */
const HOLD_MS = 4 * 60 * 1000;
/** Where versions before issue 19 left shared files in clear: removed when this worker activates. */
const LEGACY_CACHE = 'mymidas-share-target';

let waiting = null;

const back = (outcome) => Response.redirect(new URL(`/import?shared=${outcome}`, self.location.origin).href, 303);
const refused = () => new Response('This share did not come from the share sheet, so MyMidas did not take it.', { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/** Whether the POST is what the share sheet sends (see above), not a form on another site. */
async function fromShareSheet(event) {
  const request = event.request;
  if (request.mode !== 'navigate') return false;
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) return false;
  const origin = request.headers.get('origin');
  if (origin !== null && origin !== 'null' && origin !== self.location.origin) return false;
  if (!event.clientId) return true;
  // Started by a page: only one of this app's own (clients.get finds same-origin clients only).
  const client = await self.clients.get(event.clientId);
  return client !== undefined && client !== null && new URL(client.url).origin === self.location.origin;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'POST' || url.origin !== self.location.origin || url.pathname !== SHARE_PATH) return;
  let release = () => undefined;
  const held = new Promise((resolve) => {
    release = resolve;
    setTimeout(resolve, HOLD_MS);
  });
  event.respondWith(
    (async () => {
      try {
        if (!(await fromShareSheet(event))) {
          release();
          return refused();
        }
        const form = await request.formData();
        const file = form.getAll('statement').find((f) => typeof f !== 'string');
        if (!file) {
          release();
          return back('none');
        }
        waiting?.release();
        const entry = { file, release };
        waiting = entry;
        void held.then(() => {
          if (waiting === entry) waiting = null;
        });
        return back('1');
      } catch {
        release();
        return back('error');
      }
    })(),
  );
  event.waitUntil(held);
});

// The import page asks for the file over a MessageChannel; it is handed over once and forgotten here.
self.addEventListener('message', (event) => {
  if (event.data?.type !== TAKE_MESSAGE || !event.ports?.[0]) return;
  const entry = waiting;
  waiting = null;
  event.ports[0].postMessage(entry ? { file: entry.file, name: entry.file.name || 'shared-statement.csv' } : { file: null });
  entry?.release();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.delete(LEGACY_CACHE).catch(() => false));
});
