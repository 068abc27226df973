import { inject, type InjectionKey } from 'vue';
import { useSessionStore } from '../../stores/session.ts';
import { openAttachmentCache, type AttachmentCache } from './attachment-cache.ts';
import type { AttachmentDeps } from './attachment-service.ts';

/** Lets tests and harness pages give the attachment screens their own network and cache. */
export const ATTACHMENT_DEPS: InjectionKey<AttachmentDeps> = Symbol('attachment-deps');

let sharedCache: AttachmentCache | null = null;

/** The provided deps, or the app's: the device cache and the session's access token. */
export function useAttachmentDeps(): AttachmentDeps {
  const provided = inject(ATTACHMENT_DEPS, null);
  if (provided) return provided;
  const session = useSessionStore();
  sharedCache ??= openAttachmentCache();
  return { cache: sharedCache, getAccessToken: () => session.accessToken };
}
