import { describe, expect, it } from 'vitest';
import { contrastRatio, parseHexColour, relativeLuminance } from './contrast.ts';
import { THEME_IDS, THEMES, type ThemePalette } from './themes.ts';
import { ECHARTS_THEMES } from './echarts-themes.ts';

describe('contrast ratio', () => {
  it('matches the WCAG reference points', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
    // #767676 on white is the well-known lightest grey that passes AA (4.54:1).
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
    expect(relativeLuminance('#ffffff')).toBe(1);
  });

  it('is symmetric', () => {
    expect(contrastRatio('#1a0b2e', '#ff5fdb')).toBe(contrastRatio('#ff5fdb', '#1a0b2e'));
  });

  it('refuses a colour it cannot read instead of guessing', () => {
    expect(() => parseHexColour('red')).toThrow(/#rrggbb/);
    expect(() => parseHexColour('#fff')).toThrow(/#rrggbb/);
  });
});

/** Every text colour against every background it is drawn on in the shell. */
function textPairs(p: ThemePalette): Array<[string, string, string]> {
  const grounds: Array<[string, string]> = [['bg', p.bg], ['surface', p.surface], ['raised', p.raised]];
  const inks: Array<[string, string]> = [
    ['text', p.text], ['muted', p.muted], ['accent', p.accent],
    ['positive', p.positive], ['negative', p.negative], ['warning', p.warning],
  ];
  const pairs: Array<[string, string, string]> = [];
  for (const [inkName, ink] of inks) for (const [groundName, ground] of grounds) pairs.push([`${inkName} on ${groundName}`, ink, ground]);
  pairs.push(['onAccent on accent', p.onAccent, p.accent]);
  return pairs;
}

describe.each(THEME_IDS.map((id) => [id]))('theme %s', (id) => {
  const theme = THEMES[id];

  it.each(textPairs(theme.palette))('%s meets WCAG AA for body text (≥ 4.5:1)', (_name, ink, ground) => {
    expect(contrastRatio(ink, ground)).toBeGreaterThanOrEqual(4.5);
  });

  it('has a focus ring visible against every background (WCAG 1.4.11, ≥ 3:1)', () => {
    const p = theme.palette;
    for (const ground of [p.bg, p.surface, p.raised]) expect(contrastRatio(p.focus, ground)).toBeGreaterThanOrEqual(3);
  });

  it('has an ECharts theme drawn from the same palette', () => {
    const chart = ECHARTS_THEMES[id];
    expect(chart.color).toEqual([...theme.palette.series]);
    expect(chart.textStyle.color).toBe(theme.palette.text);
    expect(contrastRatio(chart.textStyle.color, theme.palette.surface)).toBeGreaterThanOrEqual(4.5);
  });
});
