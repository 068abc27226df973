import { describe, expect, it } from 'vitest';
import { capitalGains } from '@mymidas/shared/invest';
import type { Disposal } from '@mymidas/shared/invest';
import type { InvestmentTransaction } from '@mymidas/shared/schema';
import { disposalWorking, disposalsCsv, disposalsIn, latestTaxYear, matchingText, perUnitText, problemText, saleFee, taxYearDates, taxYearOf } from './invest-gains-text.ts';

const ACCOUNT = '01939a6e-0001-7000-8000-000000000001';
const ASSET = '01939a6e-0002-7000-8000-000000000001';
let n = 0;
function tx(kind: InvestmentTransaction['kind'], date: string, quantity: string, unitPrice: string, amount: number, fee = 0): InvestmentTransaction {
  n += 1;
  return {
    id: `01939a6e-0003-7000-8000-${n.toString(16).padStart(12, '0')}`, hlc: '1764000000000:0000:test', accountId: ACCOUNT, assetId: ASSET, kind, date,
    quantity, unitPrice, amount, fee, currency: 'GBP', splitRatio: null, notes: null,
  };
}

/*
 * Worked by hand: 100 units at £8.00 (Jan 2023) and 50 at £10.00 (Mar 2024) make a pool of 150 units costing £1,300.
 * On 1 May 2024, 40 are bought at £10.00 and 100 sold at £12.00 with a £5.00 fee: 40 match the same day's purchase
 * (£400), 60 come from the pool at £1,300 × 60/150 = £520 (£8.6667 a unit). Allowable cost £400 + £520 + £5 = £925,
 * proceeds £1,200, gain £275. Then 90 more sold at £5.00 on 6 April 2025 (the pool's remaining 90 units, £780): a
 * loss of £330 in 2025-26.
 */
const result = capitalGains([
  tx('buy', '2023-01-10', '100', '8', -80_000),
  tx('buy', '2024-03-01', '50', '10', -50_000),
  tx('buy', '2024-05-01', '40', '10', -40_000),
  tx('sell', '2024-05-01', '100', '12', 119_500, 500),
  tx('sell', '2025-04-06', '90', '5', 45_000),
]);
const [first, second] = result.disposals as [Disposal, Disposal];

describe('capital gains in words', () => {
  it('explains each match with its units and cost per unit', () => {
    expect(first).toMatchObject({ proceeds: 120_000, allowableCost: 92_500, gain: 27_500, term: 'mixed' });
    expect(matchingText(first)).toBe(
      '40 units matched with the purchase on the same day at £10.00 per unit; 60 units from the Section 104 pool at an average cost of £8.6667 per unit.',
    );
    expect(saleFee(first)).toBe(500);
    expect(disposalWorking(first)).toEqual([
      'Sold 100 units for £1,200.00 before fees.',
      matchingText(first),
      "Allowable cost: £920.00 for the units plus the sale's fee of £5.00 = £925.00.",
      'Gain: £1,200.00 − £925.00 = £275.00.',
    ]);
    expect(disposalWorking(second).at(-1)).toBe('Loss: £450.00 − £780.00 = -£330.00.');
  });

  it('names a bed and breakfast match', () => {
    const r = capitalGains([tx('buy', '2024-01-02', '10', '5', -5_000), tx('sell', '2024-02-01', '10', '6', 6_000), tx('buy', '2024-02-20', '4', '5.5', -2_200)]);
    expect(matchingText(r.disposals[0]!)).toBe(
      '4 units matched with the purchase within the next 30 days (the "bed and breakfast" rule) at £5.50 per unit; 6 units from the Section 104 pool at an average cost of £5.00 per unit.',
    );
  });

  it('puts 5 April in the tax year before and 6 April in the next', () => {
    expect(taxYearOf('2025-04-05')).toBe('2024-25');
    expect(taxYearOf('2025-04-06')).toBe('2025-26');
    expect(taxYearOf('2000-01-01')).toBe('1999-00');
    expect(taxYearDates('2024-25')).toBe('6 April 2024 to 5 April 2025');
    expect(result.taxYears.map((y) => y.taxYear)).toEqual(['2024-25', '2025-26']);
    expect(latestTaxYear(result.taxYears)).toBe('2025-26');
    expect(latestTaxYear([])).toBeNull();
    expect(disposalsIn(result.disposals, '2024-25')).toEqual([first]);
  });

  it('shows a cost per unit with the pennies it has', () => {
    expect(perUnitText(1_000, '3')).toBe('£3.3333');
    expect(perUnitText(123_456_700, '1')).toBe('£1,234,567.00');
    expect(perUnitText(5, '10')).toBe('£0.005');
  });

  it('puts a data problem in plain words', () => {
    const r = capitalGains([tx('buy', '2024-01-02', '10', '5', -5_000), tx('sell', '2024-02-01', '12', '6', 7_200)]);
    expect(r.problems).toHaveLength(1);
    expect(problemText(r.problems[0]!).summary).toMatch(/^A sale of more units than were held/);
  });

  it('writes a year\'s disposals as CSV, an asset name like a formula kept as text', () => {
    const csv = disposalsCsv(result.disposals, () => '=HYPERLINK("x")');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('Date,Asset,Quantity,Proceeds (GBP),Allowable cost (GBP),Gain or loss (GBP),Term,Matching');
    expect(lines[1]).toBe(`2024-05-01,"'=HYPERLINK(""x"")",100,1200.00,925.00,275.00,mixed,${matchingText(first)}`);
    expect(lines[2]).toMatch(/^2025-04-06,.*,90,450.00,780.00,-330.00,long,/);
    expect(lines).toHaveLength(4);
  });
});
