import { afterEach, describe, expect, it, vi } from 'vitest';
import source from '../../../public/share-target.js?raw';
import { LEGACY_SHARE_CACHE, takeSharedFile, type ShareWorkerHost } from './shared-file.ts';

const ORIGIN = 'https://app.example';

interface FetchEventLike {
  request: Request;
  clientId: string;
  respondWith(r: Promise<Response>): void;
  waitUntil(p: Promise<unknown>): void;
}
type Listener = (event: never) => void;

/**
 * Loads public/share-target.js as the service worker would (importScripts) with a stand-in `self`:
 * fetch and message events, the worker's own clients, and a Cache Storage that records what it holds.
 */
function loadServiceWorkerPart(ownClients: Record<string, string> = {}) {
  const listeners = new Map<string, Listener[]>();
  const cacheNames = new Set<string>([LEGACY_SHARE_CACHE]);
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    clients: { get: async (id: string) => (ownClients[id] ? { id, url: ownClients[id] } : undefined) },
    addEventListener(type: string, listener: Listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
  };
  const caches = { delete: async (name: string) => cacheNames.delete(name), keys: async () => [...cacheNames] };
  new Function('self', 'caches', 'Response', source)(self, caches, Response);
  const emit = (type: string, event: unknown) => (listeners.get(type) ?? []).forEach((l) => l(event as never));

  const held: Promise<unknown>[] = [];
  async function fetch(request: Request, clientId = ''): Promise<Response | null> {
    let answer: Promise<Response> | null = null;
    const event: FetchEventLike = { request, clientId, respondWith: (r) => (answer = r), waitUntil: (p) => void held.push(p) };
    emit('fetch', event);
    return answer ? await answer : null;
  }
  /** The page's side: what takeSharedFile would receive from this worker. */
  const host: ShareWorkerHost = {
    controller: {
      postMessage(message: unknown, transfer: Transferable[]) {
        emit('message', { data: message, ports: transfer });
      },
    } as Pick<ServiceWorker, 'postMessage'>,
  };
  const activate = async () => {
    const waits: Promise<unknown>[] = [];
    emit('activate', { waitUntil: (p: Promise<unknown>) => void waits.push(p) });
    await Promise.all(waits);
  };
  return { fetch, host, held, cacheNames, activate };
}

/** The share sheet's POST: a multipart navigation; `origin` null is a browser-started navigation. */
function sharePost(form: FormData, init: { url?: string; origin?: string | null; mode?: RequestMode } = {}): Request {
  const request = new Request(init.url ?? `${ORIGIN}/import/share`, { method: 'POST', body: form });
  const headers = new Headers(request.headers);
  if (init.origin !== undefined && init.origin !== null) headers.set('origin', init.origin);
  // `mode: 'navigate'` cannot be set on a constructed Request; the worker reads it, so it is stood in.
  return new Proxy(request, {
    get(target, key) {
      if (key === 'mode') return init.mode ?? 'navigate';
      if (key === 'headers') return headers;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function statement(): FormData {
  const form = new FormData();
  form.append('statement', new File(['Date,Amount\n01/03/2024,-3.10\n'], 'Monzo £ export.csv', { type: 'text/csv' }));
  return form;
}

afterEach(() => vi.useRealTimers());

describe('Web Share Target', () => {
  it('takes the share sheet\'s POST, opens the import page, and hands the file over once, by message, never stored', async () => {
    const sw = loadServiceWorkerPart();
    const response = await sw.fetch(sharePost(statement()));
    expect(response?.status).toBe(303);
    expect(response?.headers.get('location')).toMatch(/\/import\?shared=1$/);
    // Nothing went into Cache Storage (and the clear-text cache of older versions is removed).
    expect([...sw.cacheNames]).toEqual([LEGACY_SHARE_CACHE]);
    await sw.activate();
    expect([...sw.cacheNames]).toEqual([]);

    const file = await takeSharedFile(sw.host, { caches: undefined });
    expect(file?.name).toBe('Monzo £ export.csv');
    expect(await file?.text()).toBe('Date,Amount\n01/03/2024,-3.10\n');
    expect(await takeSharedFile(sw.host, { caches: undefined })).toBeNull();
    // Once taken, the worker no longer needs to stay alive for it.
    await expect(Promise.all(sw.held)).resolves.toBeDefined();
  });

  it('accepts a POST from a page of the app itself, and one whose Origin is the app or "null"', async () => {
    const sw = loadServiceWorkerPart({ 'own-tab': `${ORIGIN}/accounts` });
    for (const [origin, clientId] of [[ORIGIN, 'own-tab'], ['null', ''], [ORIGIN, '']] as const) {
      const response = await sw.fetch(sharePost(statement(), { origin }), clientId);
      expect(response?.headers.get('location')).toMatch(/\/import\?shared=1$/);
      expect(await takeSharedFile(sw.host, { caches: undefined })).not.toBeNull();
    }
  });

  it('refuses a POST another site makes (its Origin, or its page as the initiator), keeps nothing and hands out nothing', async () => {
    const sw = loadServiceWorkerPart({ 'own-tab': `${ORIGIN}/` });
    const attacks: [Request, string][] = [
      [sharePost(statement(), { origin: 'https://evil.example' }), ''],
      [sharePost(statement(), { origin: 'https://evil.example' }), 'evil-page'],
      // A sandboxed frame of another site sends Origin "null", but is still a page that started it.
      [sharePost(statement(), { origin: 'null' }), 'evil-sandboxed-frame'],
      [sharePost(statement(), { origin: 'https://app.example.evil.example' }), ''],
      // A fetch() rather than a navigation.
      [sharePost(statement(), { mode: 'cors' }), ''],
    ];
    for (const [request, clientId] of attacks) {
      const response = await sw.fetch(request, clientId);
      expect(response?.status).toBe(403);
      expect(response?.headers.get('location')).toBeNull();
    }
    expect(await takeSharedFile(sw.host, { caches: undefined })).toBeNull();
  });

  it('refuses a POST that is not multipart form data', async () => {
    const sw = loadServiceWorkerPart();
    const plain = new Request(`${ORIGIN}/import/share`, { method: 'POST', body: 'statement=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const response = await sw.fetch(new Proxy(plain, { get: (t, k) => (k === 'mode' ? 'navigate' : (Reflect.get(t, k, t) as unknown)) }));
    expect(response?.status).toBe(403);
  });

  it('says so when the share carried no file', async () => {
    const form = new FormData();
    form.append('title', 'just text');
    const response = await loadServiceWorkerPart().fetch(sharePost(form));
    expect(response?.headers.get('location')).toMatch(/\/import\?shared=none$/);
  });

  it('leaves every other request to workbox', async () => {
    const sw = loadServiceWorkerPart();
    expect(await sw.fetch(new Request(`${ORIGIN}/import/share`))).toBeNull();
    expect(await sw.fetch(sharePost(new FormData(), { url: `${ORIGIN}/api/sync/push` }))).toBeNull();
    expect(await sw.fetch(sharePost(new FormData(), { url: 'https://elsewhere.example/import/share' }))).toBeNull();
  });

  it('finds nothing without a service worker, or when the worker does not answer', async () => {
    expect(await takeSharedFile(undefined, { caches: undefined })).toBeNull();
    expect(await takeSharedFile({ controller: null }, { caches: undefined })).toBeNull();
    const silent: ShareWorkerHost = { controller: { postMessage: () => undefined } as Pick<ServiceWorker, 'postMessage'> };
    expect(await takeSharedFile(silent, { caches: undefined, timeoutMs: 20 })).toBeNull();
  });
});
