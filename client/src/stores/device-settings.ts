import { defineStore } from 'pinia';
import { ref } from 'vue';

export const AUTO_LOCK_STORAGE_KEY = 'mymidas.auto-lock-minutes';
/** Minutes of inactivity before the replica locks; 0 means never. */
export const AUTO_LOCK_CHOICES = [1, 5, 15, 30, 60, 0] as const;
const DEFAULT_MINUTES = 15;

/** Unknown or missing values fall back to 15 minutes. */
export function readAutoLockMinutes(storage: Pick<Storage, 'getItem'> | undefined): number {
  const n = Number(storage?.getItem(AUTO_LOCK_STORAGE_KEY) ?? DEFAULT_MINUTES);
  return (AUTO_LOCK_CHOICES as readonly number[]).includes(n) ? n : DEFAULT_MINUTES;
}

/** Settings that belong to this device, not to the account: kept in localStorage. */
export const useDeviceSettingsStore = defineStore('device-settings', () => {
  const storage = typeof localStorage === 'undefined' ? undefined : localStorage;
  const autoLockMinutes = ref(readAutoLockMinutes(storage));
  return {
    autoLockMinutes,
    setAutoLockMinutes(minutes: number) {
      if (!(AUTO_LOCK_CHOICES as readonly number[]).includes(minutes)) {
        throw new RangeError(`Auto-lock must be one of ${AUTO_LOCK_CHOICES.join(', ')} minutes, got ${minutes}`);
      }
      autoLockMinutes.value = minutes;
      storage?.setItem(AUTO_LOCK_STORAGE_KEY, String(minutes));
    },
  };
});
