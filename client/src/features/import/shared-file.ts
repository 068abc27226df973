/**
 * A statement shared to the installed app (Web Share Target, Android): the service worker
 * (client/public/share-target.js) holds the POSTed file in memory only and opens /import?shared=1; the
 * page asks the worker for it by message, once. Nothing of it is stored in clear (no Cache Storage).
 */
export const SHARE_TAKE_MESSAGE = 'mymidas-share-take';
/** Where versions before issue 19 kept a shared file in clear; the page removes it if it is still there. */
export const LEGACY_SHARE_CACHE = 'mymidas-share-target';

/** The part of ServiceWorkerContainer this needs (tests pass a stand-in). */
export interface ShareWorkerHost {
  readonly controller: Pick<ServiceWorker, 'postMessage'> | null;
}

export async function takeSharedFile(
  host: ShareWorkerHost | undefined = globalThis.navigator?.serviceWorker,
  options: { timeoutMs?: number; caches?: CacheStorage | undefined } = {},
): Promise<File | null> {
  const caches = 'caches' in options ? options.caches : globalThis.caches;
  await caches?.delete(LEGACY_SHARE_CACHE).catch(() => false);
  const worker = host?.controller;
  if (!worker) return null;
  return new Promise<File | null>((resolve) => {
    const channel = new MessageChannel();
    const done = (file: File | null) => {
      clearTimeout(timer);
      channel.port1.close();
      resolve(file);
    };
    const timer = setTimeout(() => done(null), options.timeoutMs ?? 5_000);
    channel.port1.onmessage = (event: MessageEvent<unknown>) => {
      const data = event.data as { file?: unknown; name?: unknown } | null;
      const file = data?.file;
      const name = typeof data?.name === 'string' && data.name ? data.name : file instanceof File ? file.name : 'shared-statement.csv';
      done(file instanceof Blob ? (file instanceof File && file.name === name ? file : new File([file], name, { type: file.type })) : null);
    };
    worker.postMessage({ type: SHARE_TAKE_MESSAGE }, [channel.port2]);
  });
}
