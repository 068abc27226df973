/**
 * A statement shared to the installed app (Web Share Target, Android): the service worker
 * (client/public/share-target.js) stores the POSTed file in Cache Storage and opens /import?shared=1;
 * the page takes it from there once and deletes it, so the statement does not linger unencrypted.
 */
export const SHARE_CACHE = 'mymidas-share-target';
export const SHARE_KEY = '/import/shared-file';

export async function takeSharedFile(storage: CacheStorage | undefined = globalThis.caches): Promise<File | null> {
  if (!storage) return null;
  const cache = await storage.open(SHARE_CACHE);
  const response = await cache.match(SHARE_KEY);
  if (!response) return null;
  await cache.delete(SHARE_KEY);
  const name = decodeURIComponent(response.headers.get('x-file-name') ?? 'shared-statement.csv');
  const blob = await response.blob();
  return new File([blob], name, { type: blob.type });
}
