import { onScopeDispose } from 'vue';
import { useSyncStatusStore } from '../stores/sync-status.ts';

export interface UseConnectivityOptions {
  /** The window to listen on; passed in so tests can replace it. */
  readonly target?: Pick<Window, 'addEventListener' | 'removeEventListener'> & { navigator: Pick<Navigator, 'onLine'> };
}

/** Keeps the sync store's `online` flag in step with the browser's online/offline events. */
export function useConnectivity(options: UseConnectivityOptions = {}): void {
  const target = options.target ?? window;
  const sync = useSyncStatusStore();
  const update = () => sync.setOnline(target.navigator.onLine);
  update();
  target.addEventListener('online', update);
  target.addEventListener('offline', update);
  onScopeDispose(() => {
    target.removeEventListener('online', update);
    target.removeEventListener('offline', update);
  });
}
