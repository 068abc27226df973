import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RANGE, NO_CATEGORY, REPORT_IDS, emptyState, optionOf, parseReportQuery, reportFilters, sharedQuery, toReportQuery, withOption,
} from './report-filters.ts';
import type { QueryInput, ReportId } from './report-filters.ts';

describe('report filters in the address', () => {
  it('reads an empty query as the report’s defaults and writes them back as an empty query', () => {
    for (const id of REPORT_IDS) {
      const { state, problems } = parseReportQuery(id, {});
      expect(problems).toEqual([]);
      expect(state).toEqual(emptyState(id));
      expect(toReportQuery(id, state)).toEqual({});
    }
  });

  it('round-trips every filter: preset, custom dates, accounts, categories (uncategorised too), tags, original currency, options', () => {
    const query: QueryInput = {
      range: 'custom', from: '2025-03-25', to: '2026-03-24', account: ['b', 'a'], category: [NO_CATEGORY, 'food'],
      tag: ['holiday', 'work trip'], orig: '1', by: 'quarter',
    };
    const { state, problems } = parseReportQuery('income-expense', query);
    expect(problems).toEqual([]);
    expect(state.accounts).toEqual(['a', 'b']);
    expect(state.categories).toEqual(['food', NO_CATEGORY]);
    const written = toReportQuery('income-expense', state);
    expect(written).toEqual({ range: 'custom', from: '2025-03-25', to: '2026-03-24', account: ['a', 'b'], category: ['food', NO_CATEGORY], tag: ['holiday', 'work trip'], orig: '1', by: 'quarter' });
    expect(parseReportQuery('income-expense', written).state).toEqual(state);
  });

  it('gives the engine its filters: custom dates only with custom, empty lists left out, uncategorised as null', () => {
    const { state } = parseReportQuery('categories', { range: 'last-month', from: '2020-01-01', to: '2020-02-01', category: [NO_CATEGORY, 'x'], tag: 'a' });
    expect(reportFilters(state)).toEqual({ preset: 'last-month', categoryIds: [null, 'x'], tags: ['a'] });
    expect(reportFilters(emptyState('net-worth'))).toEqual({ preset: 'all-time' });
    const custom = parseReportQuery('categories', { range: 'custom', from: '2026-01-01', to: '2026-01-31' }).state;
    expect(reportFilters(custom)).toEqual({ preset: 'custom', from: '2026-01-01', to: '2026-01-31' });
  });

  it('drops what it does not understand, names it, and keeps the rest', () => {
    const { state, problems } = parseReportQuery('net-worth', { range: 'fortnight', account: 'acc1', by: 'year', orig: 'yes' });
    expect(state.range).toBe(DEFAULT_RANGE['net-worth']);
    expect(state.accounts).toEqual(['acc1']);
    expect(state.options).toEqual({});
    expect(problems).toEqual([
      'The date range “fortnight” is not one of the presets; all time is shown.',
      '“orig=yes” is not understood (orig=1 shows original currencies).',
      'Points “year” is not one of day, week, month; month is used.',
    ]);
  });

  it('refuses a custom range without both dates, with a bad date or backwards, and shows the usual range', () => {
    const cases: QueryInput[] = [
      { range: 'custom', from: '2026-01-01' },
      { range: 'custom', from: '2026-02-30', to: '2026-03-01' },
      { range: 'custom', from: '2026-03-02', to: '2026-03-01' },
    ];
    for (const q of cases) {
      const { state, problems } = parseReportQuery('cash-flow', q);
      expect(state.range).toBe('this-month');
      expect(state.from).toBeNull();
      expect(problems).toHaveLength(1);
    }
    expect(parseReportQuery('cash-flow', { range: 'custom', from: '2026-03-02', to: '2026-03-01' }).problems[0]).toBe('The custom range starts (2026-03-02) after it ends (2026-03-01); this month is shown.');
  });

  it('leaves defaults out of the address so the same filters make the same address', () => {
    const s = withOption(withOption(emptyState('net-worth'), 'by', 'month'), 'x', null);
    expect(toReportQuery('net-worth', s)).toEqual({});
    expect(toReportQuery('net-worth', withOption(s, 'by', 'day'))).toEqual({ by: 'day' });
    expect(optionOf('net-worth', s, 'by')).toBe('month');
    expect(optionOf('categories', emptyState('categories'), 'group')).toBeNull();
  });

  it('ignores over-long ids and tags, repeats and blanks', () => {
    const long = 'x'.repeat(65);
    const { state, problems } = parseReportQuery('categories', { account: [long, ' a ', 'a', ''], tag: ['t'.repeat(41), 'ok'], group: long });
    expect(state.accounts).toEqual(['a']);
    expect(state.tags).toEqual(['ok']);
    expect(state.options).toEqual({});
    expect(problems).toHaveLength(3);
  });

  it('keeps the shared filters when moving to another report, and a non-default range; drops the last report’s options', () => {
    const { state } = parseReportQuery('categories', { range: 'last-year', account: 'a', group: 'g', cat: 'c', kind: 'income' });
    expect(sharedQuery('categories', 'net-worth', state)).toEqual({ range: 'last-year', account: ['a'] });
    const usual = parseReportQuery('categories', { account: 'a' }).state;
    // The breakdown's usual range (this month) becomes the net worth report's usual one (all time).
    expect(sharedQuery('categories', 'net-worth', usual)).toEqual({ account: ['a'] });
    const to: ReportId = 'income-expense';
    expect(sharedQuery('categories', to, usual)).toEqual({ account: ['a'] });
  });
});
