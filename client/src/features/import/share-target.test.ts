import { describe, expect, it } from 'vitest';
import source from '../../../public/share-target.js?raw';
import { SHARE_CACHE, SHARE_KEY, takeSharedFile } from './shared-file.ts';

/** A CacheStorage holding Responses in memory, enough for the share target's put/match/delete. */
function memoryCaches() {
  const stores = new Map<string, Map<string, Response>>();
  const storage = {
    async open(name: string) {
      let store = stores.get(name);
      if (!store) stores.set(name, (store = new Map()));
      const s = store;
      return {
        async put(key: string, response: Response) {
          s.set(key, response);
        },
        async match(key: string) {
          return s.get(key)?.clone();
        },
        async delete(key: string) {
          return s.delete(key);
        },
      };
    },
  };
  return { storage: storage as unknown as CacheStorage, stores };
}

type FetchListener = (event: { request: Request; respondWith(r: Promise<Response>): void }) => void;

/** Loads public/share-target.js as the service worker would (importScripts) with a stand-in `self`. */
function loadServiceWorkerPart(caches: CacheStorage) {
  const listeners: FetchListener[] = [];
  const self = {
    location: new URL('https://app.example/sw.js'),
    addEventListener(type: string, listener: FetchListener) {
      if (type === 'fetch') listeners.push(listener);
    },
  };
  new Function('self', 'caches', 'Response', source)(self, caches, Response);
  return async (request: Request): Promise<Response | null> => {
    let answer: Promise<Response> | null = null;
    for (const l of listeners) l({ request, respondWith: (r) => (answer = r) });
    return answer ? await answer : null;
  };
}

function sharePost(form: FormData, url = 'https://app.example/import/share'): Request {
  return new Request(url, { method: 'POST', body: form });
}

describe('Web Share Target', () => {
  it('stores the shared statement and opens the import page, which takes it once', async () => {
    const { storage, stores } = memoryCaches();
    const fetch = loadServiceWorkerPart(storage);
    const form = new FormData();
    form.append('statement', new File(['Date,Amount\n01/03/2024,-3.10\n'], 'Monzo £ export.csv', { type: 'text/csv' }));
    const response = await fetch(sharePost(form));
    expect(response?.status).toBe(303);
    expect(response?.headers.get('location')).toMatch(/\/import\?shared=1$/);
    expect(stores.get(SHARE_CACHE)?.has(SHARE_KEY)).toBe(true);

    const file = await takeSharedFile(storage);
    expect(file?.name).toBe('Monzo £ export.csv');
    expect(await file?.text()).toBe('Date,Amount\n01/03/2024,-3.10\n');
    // Taken once: the statement does not stay in Cache Storage.
    expect(stores.get(SHARE_CACHE)?.has(SHARE_KEY)).toBe(false);
    expect(await takeSharedFile(storage)).toBeNull();
  });

  it('says so when the share carried no file', async () => {
    const { storage } = memoryCaches();
    const form = new FormData();
    form.append('title', 'just text');
    const response = await loadServiceWorkerPart(storage)(sharePost(form));
    expect(response?.headers.get('location')).toMatch(/\/import\?shared=none$/);
  });

  it('leaves every other request to workbox', async () => {
    const { storage } = memoryCaches();
    const fetch = loadServiceWorkerPart(storage);
    expect(await fetch(new Request('https://app.example/import/share'))).toBeNull();
    expect(await fetch(sharePost(new FormData(), 'https://app.example/api/sync/push'))).toBeNull();
    expect(await fetch(sharePost(new FormData(), 'https://elsewhere.example/import/share'))).toBeNull();
  });

  it('finds nothing without Cache Storage', async () => {
    expect(await takeSharedFile(undefined)).toBeNull();
  });
});
