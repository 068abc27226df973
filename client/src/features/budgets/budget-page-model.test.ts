import { describe, expect, it } from 'vitest';
import type { Budget, Category } from '@mymidas/shared/schema';
import type { BudgetForecast, BudgetPeriodFigures } from '@mymidas/shared/budget';
import { THEME_IDS, THEMES } from '../../themes/themes.ts';
import { contrastRatio } from '../../themes/contrast.ts';
import {
  amountAt, averageSpent, budgetCategoryOptions, forecastText, gaugeFill, gaugeLabel, moveDate, percentUsed, periodLabel, periodStartLabel, shownPeriod, stateColour,
  transactionsLink, withAmountFrom,
} from './budget-page-model.ts';

const figures = (over: Partial<BudgetPeriodFigures> = {}): BudgetPeriodFigures => ({
  budgetId: 'b', categoryId: 'c', period: { start: '2026-11-01', end: '2026-11-30' }, amount: 30_000, carried: 0, spent: 24_000, pending: 0,
  available: 6_000, state: 'over-threshold', ...over,
});

describe('budget page wording', () => {
  it('names periods as people read them', () => {
    expect(periodLabel('monthly', { start: '2026-11-01', end: '2026-11-30' })).toBe('November 2026');
    expect(periodLabel('monthly', { start: '2026-11-25', end: '2026-12-24' })).toBe('25 Nov 2026 – 24 Dec 2026');
    expect(periodLabel('quarterly', { start: '2026-10-01', end: '2026-12-31' })).toBe('Q4 2026');
    expect(periodLabel('yearly', { start: '2026-01-01', end: '2026-12-31' })).toBe('2026');
    expect(periodLabel('weekly', { start: '2026-11-30', end: '2026-12-06' })).toBe('30 Nov 2026 – 6 Dec 2026');
    expect(periodStartLabel('weekly', { start: '2026-11-30', end: '2026-12-06' })).toBe('the week of 30 Nov 2026');
    expect(periodStartLabel('quarterly', { start: '2027-01-01', end: '2027-03-31' })).toBe('Q1 2027');
  });

  it('moves between periods of each kind, across a year end and a payday-25th month', () => {
    expect(moveDate('monthly', '2026-12-10', 1, 25)).toBe('2026-12-25');
    expect(moveDate('monthly', '2026-12-10', -1, 25)).toBe('2026-10-25');
    expect(moveDate('weekly', '2026-12-31', 1, 1)).toBe('2027-01-04');
    expect(moveDate('quarterly', '2026-11-14', 1, 1)).toBe('2027-01-01');
    expect(moveDate('yearly', '2026-11-14', -1, 1)).toBe('2025-01-01');
    expect(shownPeriod('monthly', '2026-12-26', 25)).toEqual({ start: '2026-12-25', end: '2027-01-24' });
  });

  it('says the figures of a gauge in words, and caps its arc at full', () => {
    expect(gaugeLabel('Groceries', figures(), 'GBP')).toBe('Groceries: £240.00 spent of £300.00 (80%), near the limit, £60.00 left.');
    const over = figures({ spent: 36_000, carried: -1_000, available: -7_000, state: 'over' });
    expect(percentUsed(over)).toBe(124);
    expect(gaugeFill(over)).toBe(100);
    expect(gaugeLabel('Food', over, 'GBP')).toBe('Food: £360.00 spent of £290.00 (124%), over budget, £70.00 over.');
    expect(percentUsed(figures({ amount: 0, spent: 5 }))).toBeNull();
    expect(gaugeFill(figures({ amount: 0, spent: 5 }))).toBe(100);
  });

  it('says what the probability is based on, and nothing without history', () => {
    const forecast: BudgetForecast = { projectedSpent: 41_250, knownUpcoming: 2_000, probabilityOver: 0.382, basedOnPeriods: 8, dailyMean: 900, dailyStdDev: 300 };
    expect(forecastText(forecast, figures(), 'monthly', 'GBP')).toEqual({
      projection: 'Projected £412.50 by 30 Nov 2026 at this pace',
      bills: 'including £20.00 of scheduled bills',
      probability: '38% chance of going over',
      basis: 'from daily spending in the last 8 months',
    });
    const thin = forecastText({ ...forecast, probabilityOver: null, basedOnPeriods: 0, knownUpcoming: 0 }, figures(), 'weekly', 'GBP');
    expect(thin).toEqual({ projection: 'Projected £412.50 by 30 Nov 2026 at this pace', bills: null, probability: null, basis: null });
    expect(forecastText({ ...forecast, probabilityOver: 0.001 }, figures(), 'monthly', 'GBP').probability).toBe('under 1% chance of going over');
  });

  it('colours states with the theme colours, each at least 3:1 against cards in every theme', () => {
    for (const id of THEME_IDS) {
      const p = THEMES[id].palette;
      for (const state of ['on-track', 'over-threshold', 'over'] as const) expect(contrastRatio(stateColour(state, p), p.surface)).toBeGreaterThanOrEqual(3);
    }
    expect(stateColour('over', THEMES.arctic.palette)).toBe(THEMES.arctic.palette.negative);
  });
});

describe('budget amounts over time', () => {
  const budget = { amounts: [{ from: '2026-01-01', amount: 100 }, { from: '2026-06-01', amount: 200 }] } as Pick<Budget, 'amounts'>;
  it('reads the amount in force on a date', () => {
    expect(amountAt(budget, '2025-12-01')).toBe(100);
    expect(amountAt(budget, '2026-05-31')).toBe(100);
    expect(amountAt(budget, '2026-06-01')).toBe(200);
  });
  it('records a change from a date without touching earlier or later entries', () => {
    expect(withAmountFrom(budget.amounts, '2026-03-01', 150)).toEqual([{ from: '2026-01-01', amount: 100 }, { from: '2026-03-01', amount: 150 }, { from: '2026-06-01', amount: 200 }]);
    expect(withAmountFrom(budget.amounts, '2026-06-01', 250)).toEqual([{ from: '2026-01-01', amount: 100 }, { from: '2026-06-01', amount: 250 }]);
  });
  it('averages the last n complete periods before the shown one, rounded, never below zero', () => {
    const months = ['2026-07-01', '2026-08-01', '2026-09-01', '2026-10-01', '2026-11-01'].map((start, i) => figures({ period: { start, end: start }, spent: [100, 200, 301, 400, 9_999][i]! }));
    expect(averageSpent(months, '2026-11-01', 3)).toEqual({ amount: 300, periods: 3 });
    expect(averageSpent(months, '2026-11-01', 12)).toEqual({ amount: 250, periods: 4 });
    expect(averageSpent(months, '2026-07-01', 3)).toBeNull();
    expect(averageSpent([figures({ spent: -50, period: { start: '2026-01-01', end: '2026-01-31' } })], '2026-11-01', 3)).toEqual({ amount: 0, periods: 1 });
  });
});

describe('budget page categories and links', () => {
  const cat = (id: string, name: string, parentId: string | null, kind: Category['kind'] = 'expense') => ({ id, name, parentId, kind, sortOrder: 0 }) as Category;
  it('offers expense parents as groups, then their children', () => {
    const options = budgetCategoryOptions([cat('f', 'Food', null), cat('g', 'Groceries', 'f'), cat('s', 'Salary', null, 'income'), cat('h', 'Holidays', null)]);
    expect(options.map((o) => o.label)).toEqual(['Food (whole group)', 'Food › Groceries', 'Holidays']);
    expect(options[0]!.group).toBe(true);
  });
  it('links to the transactions of a budget period', () => {
    expect(transactionsLink(figures())).toEqual({ path: '/transactions', query: { category: 'c', from: '2026-11-01', to: '2026-11-30' } });
  });
});
