import { onScopeDispose, watch } from 'vue';
import { useDeviceSettingsStore } from '../stores/device-settings.ts';
import { useSessionStore } from '../stores/session.ts';

export interface UseIdleLockOptions {
  /** Where activity is listened for; passed in so tests can replace it. */
  readonly target?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}

const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/** Locks the replica after the device's auto-lock time without input. */
export function useIdleLock(options: UseIdleLockOptions = {}): void {
  const target = options.target ?? window;
  const session = useSessionStore();
  const settings = useDeviceSettingsStore();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    const minutes = settings.autoLockMinutes;
    if (minutes > 0 && session.unlocked) timer = setTimeout(() => void session.lock(), minutes * 60_000);
  };
  for (const type of ACTIVITY) target.addEventListener(type, arm, { passive: true });
  const stop = watch([() => settings.autoLockMinutes, () => session.unlocked], arm, { immediate: true });
  onScopeDispose(() => {
    clearTimeout(timer);
    stop();
    for (const type of ACTIVITY) target.removeEventListener(type, arm);
  });
}
