import { inject, type InjectionKey } from 'vue';
import { sessionTokens } from '../../api/session-tokens.ts';
import { REPLICA_PORT } from '../../app/injection.ts';
import { deviceDataKey } from '../../db/database.ts';
import { ReplicaLockedError } from '../../db/errors.ts';
import { useSessionStore } from '../../stores/session.ts';
import { openAttachmentCache, type AttachmentCache } from './attachment-cache.ts';
import type { AttachmentDeps } from './attachment-service.ts';

/** Lets tests and harness pages give the attachment screens their own network and cache. */
export const ATTACHMENT_DEPS: InjectionKey<AttachmentDeps> = Symbol('attachment-deps');

let sharedCache: AttachmentCache | null = null;

/**
 * The provided deps, or the app's: the device cache, sealed with the replica's data key, and the
 * session's access token (renewed through the session on a 401).
 */
export function useAttachmentDeps(): AttachmentDeps {
  const provided = inject(ATTACHMENT_DEPS, null);
  if (provided) return provided;
  const session = useSessionStore();
  const port = inject(REPLICA_PORT, null);
  sharedCache ??= openAttachmentCache({
    key: () => {
      const db = port?.database();
      if (!db) throw new ReplicaLockedError();
      return deviceDataKey(db);
    },
  });
  return { cache: sharedCache, ...sessionTokens(session) };
}
