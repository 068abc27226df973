import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { DEFAULT_THEME, isThemeId, THEMES, themeCssVariables, type ThemeId } from '../themes/themes.ts';

export const THEME_STORAGE_KEY = 'mymidas.theme';

/** Reads the remembered theme; anything unknown falls back to the default. */
export function readStoredTheme(storage: Pick<Storage, 'getItem'> | undefined): ThemeId {
  try {
    const value = storage?.getItem(THEME_STORAGE_KEY);
    return isThemeId(value) ? value : DEFAULT_THEME;
  } catch {
    return DEFAULT_THEME;
  }
}

/** Sets the theme's custom properties and `data-theme` on the root element. */
export function applyTheme(id: ThemeId, root: HTMLElement = document.documentElement): void {
  const theme = THEMES[id];
  for (const [name, value] of Object.entries(themeCssVariables(theme))) root.style.setProperty(name, value);
  root.dataset.theme = id;
  root.style.colorScheme = theme.scheme;
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', theme.palette.surface);
}

/** The chosen theme, remembered per device in localStorage. */
export const useThemeStore = defineStore('theme', () => {
  const storage = typeof localStorage === 'undefined' ? undefined : localStorage;
  const current = ref<ThemeId>(readStoredTheme(storage));
  watch(
    current,
    (id) => {
      applyTheme(id);
      try {
        storage?.setItem(THEME_STORAGE_KEY, id);
      } catch {
        // Private mode or full storage: the theme still applies for this visit.
      }
    },
    { immediate: true },
  );
  return {
    current,
    select(id: string) {
      if (!isThemeId(id)) throw new RangeError(`Unknown theme "${id}"`);
      current.value = id;
    },
  };
});
