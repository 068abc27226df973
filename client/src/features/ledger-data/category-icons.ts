/**
 * Category icons by name (the `icon` field of a category, as the demo household and the categories
 * panel write it): simple 24×24 line drawings, stroke = currentColor, so they render the same on every
 * device without an emoji font. An unknown name falls back to the category's initial.
 */
export const CATEGORY_ICONS: Readonly<Record<string, string>> = {
  basket: 'M5 10h14l-1.5 9h-11zM8 10l4-6 4 6M9 14v2M15 14v2',
  bag: 'M6 8h12l-1 12H7zM9 8V6a3 3 0 0 1 6 0v2',
  bank: 'M3 10h18M5 10v8M9.5 10v8M14.5 10v8M19 10v8M3 21h18M12 3l9 5H3z',
  bolt: 'M13 2L4 14h7l-1 8 9-12h-7z',
  car: 'M3 13l2-6h14l2 6v5h-3v-2H6v2H3zM3 13h18M7 16h.01M17 16h.01',
  gift: 'M4 10h16v10H4zM2 7h20v3H2zM12 7v13M12 7c-2-4-6-4-6-1s6 1 6 1c2-4 6-4 6-1s-6 1-6 1',
  heart: 'M12 20s-7-4.5-9-9a4.5 4.5 0 0 1 9-3 4.5 4.5 0 0 1 9 3c-2 4.5-9 9-9 9z',
  home: 'M3 11l9-7 9 7M5 10v10h14V10M10 20v-6h4v6',
  people: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20c0-3.3 2.7-6 6-6s6 2.7 6 6M17 11a2.5 2.5 0 1 0 0-5M19 20c0-2.6-1-4.6-3-5.5',
  swap: 'M7 4v16M7 4L3 8M7 4l4 4M17 20V4M17 20l-4-4M17 20l4-4',
  ticket: 'M3 7h18v3a2 2 0 0 0 0 4v3H3v-3a2 2 0 0 0 0-4zM14 7v10',
  wallet: 'M3 7h16v12H3zM3 7l12-4v4M15 13h4',
  coffee: 'M4 9h12v6a5 5 0 0 1-5 5H9a5 5 0 0 1-5-5zM16 11h2a2 2 0 0 1 0 4h-2M8 3v3M12 3v3',
  food: 'M7 3v8M5 3v5a2 2 0 0 0 4 0V3M7 11v10M17 3c-2 0-3 2-3 5s1 4 3 4v9',
  train: 'M7 3h10a2 2 0 0 1 2 2v10a3 3 0 0 1-3 3H8a3 3 0 0 1-3-3V5a2 2 0 0 1 2-2zM5 11h14M8 21l2-3M16 21l-2-3M8.5 15h.01M15.5 15h.01',
  fuel: 'M4 21V5a2 2 0 0 1 2-2h6a2 2 0 0 1 2 2v16M3 21h12M4 10h10M14 8l4 3v7a1.5 1.5 0 0 0 3 0V9l-3-3',
  health: 'M9 3h6v6h6v6h-6v6H9v-6H3V9h6z',
  education: 'M2 9l10-5 10 5-10 5zM6 11v5c3 2 9 2 12 0v-5M22 9v6',
  film: 'M4 4h16v16H4zM8 4v16M16 4v16M4 8h4M4 12h4M4 16h4M16 8h4M16 12h4M16 16h4',
  plane: 'M2 14l20-8-6 14-3-6zM13 14l9-8',
  shirt: 'M8 3l4 2 4-2 5 4-3 3-2-1v11H8V9L6 10 3 7z',
  briefcase: 'M3 7h18v12H3zM8 7V4h8v3M3 12h18',
  chart: 'M3 17l6-6 4 4 8-8M15 7h6v6',
  paw: 'M12 14c-3 0-5 3-5 5s2 2 5 1c3 1 5 1 5-1s-2-5-5-5zM6 10a1.5 2 0 1 0 0 .1M18 10a1.5 2 0 1 0 0 .1M9.5 6a1.5 2 0 1 0 0 .1M14.5 6a1.5 2 0 1 0 0 .1',
  phone: 'M7 2h10v20H7zM11 18h2',
  wrench: 'M14 6a4 4 0 0 0 5 5l-9 9a2 2 0 0 1-3-3l9-9a4 4 0 0 1-2-2z',
  box: 'M3 7l9-4 9 4v10l-9 4-9-4zM3 7l9 4 9-4M12 11v10',
};

export const CATEGORY_ICON_NAMES: readonly string[] = Object.keys(CATEGORY_ICONS);

export function categoryIconPath(name: string | null | undefined): string | null {
  return name ? (CATEGORY_ICONS[name] ?? null) : null;
}
