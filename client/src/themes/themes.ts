/**
 * The seven themes as data. Each palette becomes CSS custom properties on the document (see
 * apply-theme.ts) and an ECharts theme (echarts-themes.ts); contrast.test.ts checks every text
 * colour against every surface it is drawn on. Decorations that are not colours (scanlines, grid,
 * ruled paper) live in themes.css under `[data-theme=…]`.
 */

export const THEME_IDS = ['obsidian', 'arctic', 'midnight', 'vault', 'terminal', 'synthwave', 'ledger'] as const;
export type ThemeId = (typeof THEME_IDS)[number];

export interface ThemePalette {
  /** Page background. */
  readonly bg: string;
  /** Cards, navigation, top bar. */
  readonly surface: string;
  /** Raised or selected elements on a surface (active nav item, inputs). */
  readonly raised: string;
  readonly border: string;
  /** Body text. */
  readonly text: string;
  /** Secondary text: labels, hints, timestamps. */
  readonly muted: string;
  /** Links, primary buttons, the active navigation marker; also used as text. */
  readonly accent: string;
  /** Text drawn on an accent-filled button. */
  readonly onAccent: string;
  readonly positive: string;
  readonly negative: string;
  readonly warning: string;
  /** Keyboard focus ring. */
  readonly focus: string;
  /** Series colours for charts, in order. */
  readonly series: readonly string[];
}

export interface ThemeFonts {
  readonly body: string;
  readonly heading: string;
  readonly mono: string;
}

export interface ThemeDefinition {
  readonly id: ThemeId;
  readonly label: string;
  readonly description: string;
  readonly scheme: 'light' | 'dark';
  readonly palette: ThemePalette;
  readonly fonts: ThemeFonts;
}

const SANS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif";
const MONO = "ui-monospace, 'SFMono-Regular', 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace";
const SERIF = "'Iowan Old Style', 'Palatino Linotype', Palatino, 'Book Antiqua', Georgia, 'DejaVu Serif', serif";
/**
 * Synthwave headings: Orbitron (SIL OFL), bundled from @fontsource/orbitron and imported in main.ts,
 * so it is served and precached with the app, never fetched from a font service.
 */
const DISPLAY = "Orbitron, 'Arial Black', " + SANS;

const sans: ThemeFonts = { body: SANS, heading: SANS, mono: MONO };

export const THEMES: Readonly<Record<ThemeId, ThemeDefinition>> = {
  obsidian: {
    id: 'obsidian',
    label: 'Obsidian',
    description: 'Dark slate with blue-grey accents.',
    scheme: 'dark',
    fonts: sans,
    palette: {
      bg: '#111418', surface: '#1a1f26', raised: '#252c36', border: '#3a4452',
      text: '#e6e9ee', muted: '#a7b1be', accent: '#93b6da', onAccent: '#0e1216',
      positive: '#74d69e', negative: '#ff9494', warning: '#f2c46d', focus: '#a9cbff',
      series: ['#93b6da', '#74d69e', '#f2c46d', '#ff9494', '#c5a3ff', '#6fd3d3'],
    },
  },
  arctic: {
    id: 'arctic',
    label: 'Arctic',
    description: 'Light, ice blue.',
    scheme: 'light',
    fonts: sans,
    palette: {
      bg: '#f2f7fb', surface: '#ffffff', raised: '#e3eef7', border: '#b9cddd',
      text: '#0f2433', muted: '#475d6f', accent: '#0b5d87', onAccent: '#ffffff',
      positive: '#11693a', negative: '#b02129', warning: '#854f00', focus: '#0b5d87',
      series: ['#0b5d87', '#11693a', '#b46a00', '#b02129', '#6a3fb5', '#00838f'],
    },
  },
  midnight: {
    id: 'midnight',
    label: 'Midnight',
    description: 'Deep navy with cyan.',
    scheme: 'dark',
    fonts: sans,
    palette: {
      bg: '#070d1f', surface: '#0e1730', raised: '#17234a', border: '#2c3d6b',
      text: '#e4ecff', muted: '#a3b3d8', accent: '#22d3ee', onAccent: '#04121f',
      positive: '#4ade80', negative: '#fb8195', warning: '#fbbf24', focus: '#67e8f9',
      series: ['#22d3ee', '#4ade80', '#fbbf24', '#fb8195', '#a78bfa', '#60a5fa'],
    },
  },
  vault: {
    id: 'vault',
    label: 'Vault',
    description: 'Forest green with brass.',
    scheme: 'dark',
    fonts: sans,
    palette: {
      bg: '#0d1a14', surface: '#13241c', raised: '#1d3629', border: '#35553f',
      text: '#e8f2ea', muted: '#a9c2b1', accent: '#d9b763', onAccent: '#14210f',
      positive: '#84e0a0', negative: '#ffa192', warning: '#f0c674', focus: '#ecd594',
      series: ['#d9b763', '#84e0a0', '#7cc7e8', '#ffa192', '#c9a0ff', '#e8e07c'],
    },
  },
  terminal: {
    id: 'terminal',
    label: 'Terminal',
    description: 'Phosphor green on black, scanlines, monospace.',
    scheme: 'dark',
    fonts: { body: MONO, heading: MONO, mono: MONO },
    palette: {
      bg: '#000000', surface: '#030b04', raised: '#0a1f0d', border: '#1f6b2c',
      text: '#39ff6a', muted: '#27c04f', accent: '#39ff6a', onAccent: '#000000',
      positive: '#39ff6a', negative: '#ff6b6b', warning: '#ffd75f', focus: '#b6ffc8',
      series: ['#39ff6a', '#ffd75f', '#5fd7ff', '#ff6b6b', '#d7afff', '#afff5f'],
    },
  },
  synthwave: {
    id: 'synthwave',
    label: 'Synthwave',
    description: 'Neon pink and purple, grid lines, wide display headings.',
    scheme: 'dark',
    fonts: { body: SANS, heading: DISPLAY, mono: MONO },
    palette: {
      bg: '#1a0b2e', surface: '#241041', raised: '#341a5c', border: '#6a3596',
      text: '#fbeaff', muted: '#d8bdea', accent: '#ff5fdb', onAccent: '#1a0b2e',
      positive: '#5cf2c4', negative: '#ff8aa0', warning: '#ffd166', focus: '#3deaff',
      series: ['#ff5fdb', '#3deaff', '#ffd166', '#5cf2c4', '#b388ff', '#ff8aa0'],
    },
  },
  ledger: {
    id: 'ledger',
    label: 'Ledger',
    description: 'Warm paper, serif type, ruled lines.',
    scheme: 'light',
    fonts: { body: SERIF, heading: SERIF, mono: MONO },
    palette: {
      bg: '#f5eedc', surface: '#fbf7ec', raised: '#eee3c8', border: '#c9b48a',
      text: '#2b2118', muted: '#5c4a37', accent: '#7a2e1f', onAccent: '#fbf7ec',
      positive: '#2d5c1d', negative: '#9b1c1c', warning: '#744700', focus: '#7a2e1f',
      series: ['#7a2e1f', '#2d5c1d', '#1f4e7a', '#9a6a00', '#5e3a7a', '#3f6f6a'],
    },
  },
};

export const DEFAULT_THEME: ThemeId = 'obsidian';

export function isThemeId(value: unknown): value is ThemeId {
  return typeof value === 'string' && (THEME_IDS as readonly string[]).includes(value);
}

/** The CSS custom properties a theme sets on the document element. */
export function themeCssVariables(theme: ThemeDefinition): Record<string, string> {
  const p = theme.palette;
  return {
    '--mm-bg': p.bg,
    '--mm-surface': p.surface,
    '--mm-raised': p.raised,
    '--mm-border': p.border,
    '--mm-text': p.text,
    '--mm-muted': p.muted,
    '--mm-accent': p.accent,
    '--mm-on-accent': p.onAccent,
    '--mm-positive': p.positive,
    '--mm-negative': p.negative,
    '--mm-warning': p.warning,
    '--mm-focus': p.focus,
    '--mm-font-body': theme.fonts.body,
    '--mm-font-heading': theme.fonts.heading,
    '--mm-font-mono': theme.fonts.mono,
  };
}
