import { describe, expect, it } from 'vitest';
import { DEFAULT_THEME, THEME_IDS, THEMES, themeCssVariables } from '../themes/themes.ts';
import { readStoredTheme, THEME_STORAGE_KEY } from './theme.ts';

const storageWith = (value: string | null) => ({ getItem: (k: string) => (k === THEME_STORAGE_KEY ? value : null) });

describe('theme choice', () => {
  it('remembers each of the seven themes', () => {
    for (const id of THEME_IDS) expect(readStoredTheme(storageWith(id))).toBe(id);
    expect(THEME_IDS).toHaveLength(7);
  });

  it('falls back to the default for nothing stored, an unknown name, or storage that throws', () => {
    expect(readStoredTheme(storageWith(null))).toBe(DEFAULT_THEME);
    expect(readStoredTheme(storageWith('hotdog-stand'))).toBe(DEFAULT_THEME);
    expect(readStoredTheme({ getItem: () => { throw new Error('SecurityError'); } })).toBe(DEFAULT_THEME);
    expect(readStoredTheme(undefined)).toBe(DEFAULT_THEME);
  });

  it('gives every theme the same set of custom properties, so no theme leaves one unset', () => {
    const names = Object.keys(themeCssVariables(THEMES.obsidian)).sort();
    for (const id of THEME_IDS) expect(Object.keys(themeCssVariables(THEMES[id])).sort()).toEqual(names);
  });

  it('draws Terminal in monospace and Ledger in a serif face', () => {
    expect(THEMES.terminal.fonts.body).toMatch(/monospace$/);
    expect(THEMES.ledger.fonts.body).toMatch(/serif$/);
    expect(THEMES.ledger.fonts.body).not.toMatch(/sans-serif$/);
    expect(THEMES.synthwave.fonts.heading).toMatch(/^Orbitron/);
  });
});
