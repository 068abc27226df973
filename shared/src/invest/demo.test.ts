import { describe, expect, it } from 'vitest';
import { collectHousehold } from '../demo/household.ts';
import { convertMinor } from '../money/money.ts';
import { holdingsAt } from './holdings.ts';
import { investInputsFromDocs } from './inputs.ts';
import { portfolioReport } from './returns.ts';

/** A smoke check on the demo household (4 years): no data problems, and figures in a plausible range. */
describe('the demo household', () => {
  const docs = collectHousehold({ transactions: 6000, years: 4 });
  const inputs = investInputsFromDocs(docs, 'GBP');
  const to = '2026-10-31';

  it('has holdings with no data problems, every one priced recently and adding up', () => {
    const result = holdingsAt(inputs, to);
    expect(result.problems).toEqual([]);
    expect(result.holdings.length).toBeGreaterThan(20);
    const usd = new Set(inputs.assets.filter((a) => a.currency === 'USD').map((a) => a.id));
    expect(result.holdings.some((h) => usd.has(h.assetId))).toBe(true);
    for (const h of result.holdings) {
      expect(h.quantity).not.toMatch(/^-/);
      expect(h.marketValue).not.toBeNull();
      expect(h.stale).toBe(false);
      expect(h.costBasis).toBeGreaterThanOrEqual(0);
    }
    // The identity of the property test holds on the demo's own trades (it has no transfers).
    const rates = inputs.fx.find((s) => s.currency === 'USD')!;
    const rateOn = (date: string) => rates.rates[rates.dates.findLastIndex((d) => d <= date)]!;
    const cash = inputs.transactions.reduce((s, x) => s + (x.currency === 'GBP' ? x.amount : convertMinor(x.amount, x.currency, 'GBP', rateOn(x.date))), 0);
    const sum = (f: (h: (typeof result.holdings)[number]) => number) => result.holdings.reduce((s, h) => s + f(h), 0);
    expect(sum((h) => h.realisedGain + h.unrealisedGain! + h.income - h.fees)).toBe(sum((h) => h.marketValue!) + cash);
  });

  it('reports the portfolio over the four years with plausible returns', () => {
    const report = portfolioReport(inputs, { from: '2022-11-01', to });
    expect(report.holdings.problems).toEqual([]);
    expect(report.series.values).toHaveLength(1461);
    const end = report.series.values.at(-1)!;
    expect(end).toBe(report.holdings.holdings.reduce((s, h) => s + h.marketValue!, 0));
    expect(end).toBeGreaterThan(1_000_000); // over £10,000 invested by then
    expect(report.series.values.every((v) => Number.isSafeInteger(v) && v >= 0)).toBe(true);
    const { twrr, mwrr } = report.returns;
    // Simulated markets drift up 3–50 % a year: the whole portfolio's annual return lands well inside ±50 %.
    expect(twrr!.annualised).toBeGreaterThan(-0.5);
    expect(twrr!.annualised).toBeLessThan(0.5);
    expect(mwrr!.annualised).toBeGreaterThan(-0.5);
    expect(mwrr!.annualised).toBeLessThan(0.5);
    expect(report.byAccountType.map((t) => t.type).sort()).toEqual(
      ['crypto_wallet', 'investment_gia', 'lifetime_isa', 'sipp', 'stocks_shares_isa', 'workplace_pension'],
    );
    // Gain over the range = end − start − net money in + income, the same figure TWRR and MWRR explain.
    const r = report.returns;
    expect(r.endValue - r.startValue - r.netFlows + r.income).toBeGreaterThan(0);
  });
});
