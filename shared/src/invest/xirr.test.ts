import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateOfDay, dayNumber } from '../date/date.ts';
import { xirr, xirrOfDays } from './xirr.ts';

/**
 * How the expected values were found, independently of the engine's solver:
 * - two flows have a closed form: a paid on d₀, b received d days later → (b / |a|)^(365 / d) − 1;
 * - the other cases were solved by plain bisection of Σ aᵢ (1 + r)^(−daysᵢ / 365) on [−0.99, 10] (300 halvings,
 *   in Python, written apart from xirr.ts), and the same bisection is repeated below in TypeScript
 *   (`bisect`, which shares no code with xirr.ts) as a check of the written-down figures;
 * - Microsoft's documentation of Excel's XIRR gives 0.373362535 for its example (the first spreadsheet case), which
 *   the bisection reproduces; spreadsheets use the same 365-day year.
 */

type Flow = { date: string; amount: number };

function days(a: string, b: string): number {
  return (Date.UTC(+b.slice(0, 4), +b.slice(5, 7) - 1, +b.slice(8, 10)) - Date.UTC(+a.slice(0, 4), +a.slice(5, 7) - 1, +a.slice(8, 10))) / 86_400_000;
}

function bisect(flows: Flow[]): number {
  const first = flows.map((f) => f.date).sort()[0]!;
  const f = (r: number) => flows.reduce((s, x) => s + x.amount * (1 + r) ** (-days(first, x.date) / 365), 0);
  let lo = -0.99;
  let hi = 10;
  const flo = f(lo);
  for (let i = 0; i < 300; i += 1) {
    const mid = (lo + hi) / 2;
    if (Math.sign(f(mid)) === Math.sign(flo)) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const MICROSOFT_EXAMPLE: Flow[] = [
  { date: '2008-01-01', amount: -10_000 }, { date: '2008-03-01', amount: 2_750 }, { date: '2008-10-30', amount: 4_250 },
  { date: '2009-02-15', amount: 3_250 }, { date: '2009-04-01', amount: 2_750 },
];
/** £100 on the 1st of each month of 2023, two extra £50 on 1 June (same date), worth £1,350 on 15 January 2024. */
const SAVINGS_PLAN: Flow[] = [
  ...Array.from({ length: 12 }, (_, m) => ({ date: `2023-${String(m + 1).padStart(2, '0')}-01`, amount: -100 })),
  { date: '2023-06-01', amount: -50 }, { date: '2023-06-01', amount: -50 }, { date: '2024-01-15', amount: 1_350 },
];
/** A loss: £5,000 in, £2,500 more, £6,100 back. */
const LOSS: Flow[] = [{ date: '2019-03-15', amount: -5_000 }, { date: '2020-07-01', amount: -2_500 }, { date: '2021-12-31', amount: 6_100 }];

describe('xirr', () => {
  it('solves two flows in closed form, a leap year counting 366 days over a 365-day year', () => {
    const r = xirr([{ date: '2020-01-01', amount: -1000 }, { date: '2021-01-01', amount: 1100 }]);
    expect(r).toBeCloseTo(1.1 ** (365 / 366) - 1, 12);
    expect(r).toBeCloseTo(0.099714, 6);
  });

  it('solves two flows over a short span the same way (no rounding to whole years)', () => {
    const r = xirr([{ date: '2024-03-01', amount: -2500 }, { date: '2024-04-15', amount: 2540 }]);
    expect(r).toBeCloseTo((2540 / 2500) ** (365 / 45) - 1, 12);
  });

  it('gives the spreadsheet answer to 6 decimal places on Excel\'s documented example', () => {
    expect(bisect(MICROSOFT_EXAMPLE)).toBeCloseTo(0.373363, 6);
    expect(xirr(MICROSOFT_EXAMPLE)).toBeCloseTo(0.373363, 6);
    expect(xirr(MICROSOFT_EXAMPLE)).toBeCloseTo(0.373362535, 8); // Excel stops at its own tolerance
  });

  it('solves a monthly savings plan with flows on the same date', () => {
    expect(bisect(SAVINGS_PLAN)).toBeCloseTo(0.066299, 6);
    expect(xirr(SAVINGS_PLAN)).toBeCloseTo(0.066299, 6);
  });

  it('finds a negative rate for a loss', () => {
    expect(bisect(LOSS)).toBeCloseTo(-0.084151, 6);
    expect(xirr(LOSS)).toBeCloseTo(-0.084151, 6);
  });

  it('does not depend on the order of the flows', () => {
    expect(xirr([...MICROSOFT_EXAMPLE].reverse())).toBeCloseTo(xirr(MICROSOFT_EXAMPLE)!, 12);
  });

  it('falls back to bracketing where Newton from 10 % cannot go: ten-fold in 30 days', () => {
    // Closed form (1000/100)^(365/30) − 1 ≈ 1.5e12: far beyond where Newton's first steps from 0.1 land.
    const r = xirr([{ date: '2024-01-01', amount: -100 }, { date: '2024-01-31', amount: 1000 }]);
    expect(r).not.toBeNull();
    expect(r! / (10 ** (365 / 30) - 1)).toBeCloseTo(1, 9);
  });

  it('finds a rate near −100 % (almost everything lost)', () => {
    const r = xirr([{ date: '2021-01-01', amount: -1_000_000 }, { date: '2023-01-01', amount: 10 }]);
    expect(r).toBeCloseTo((10 / 1_000_000) ** (365 / 730) - 1, 9);
  });

  it('returns null without a sign change, with all flows on one date, and when no rate solves the flows', () => {
    expect(xirr([{ date: '2024-01-01', amount: -100 }, { date: '2025-01-01', amount: -50 }])).toBeNull();
    expect(xirr([{ date: '2024-01-01', amount: 100 }, { date: '2025-01-01', amount: 50 }])).toBeNull();
    expect(xirr([])).toBeNull();
    expect(xirr([{ date: '2024-01-01', amount: -100 }, { date: '2024-01-01', amount: 100 }])).toBeNull();
    // 100 − 150v + 100v² with v = (1 + r)^−1 (flows a year apart): discriminant 150² − 4·100·100 < 0, no real root.
    expect(xirr([{ date: '2021-01-01', amount: 100 }, { date: '2022-01-01', amount: -150 }, { date: '2023-01-01', amount: 100 }])).toBeNull();
  });

  it('ignores zero amounts', () => {
    expect(xirr([...LOSS, { date: '2030-01-01', amount: 0 }])).toBeCloseTo(-0.084151, 6);
  });

  it('refuses malformed flows with a clear error', () => {
    expect(() => xirr([{ date: '2024-02-30', amount: -1 }])).toThrow(/date/);
    expect(() => xirr([{ date: '2024-01-01', amount: Number.NaN }])).toThrow(/finite/);
  });

  it('over day numbers (xirrOfDays) gives xirr\'s rate to the last bit, also over the first flows of a longer list', () => {
    for (const flows of [MICROSOFT_EXAMPLE, SAVINGS_PLAN, LOSS]) {
      const days = new Float64Array(flows.length + 5).fill(99_999);
      const amounts = new Float64Array(flows.length + 5).fill(123);
      flows.forEach((f, i) => {
        days[i] = dayNumber(f.date);
        amounts[i] = f.amount;
      });
      expect(Object.is(xirrOfDays(days, amounts, flows.length), xirr(flows))).toBe(true);
    }
    const flowArb = fc.record({ day: fc.integer({ min: 17_000, max: 21_000 }), amount: fc.integer({ min: -5_000_000, max: 5_000_000 }).filter((a) => a !== 0) });
    fc.assert(fc.property(fc.array(flowArb, { minLength: 1, maxLength: 40 }), (list) => {
      const flows = list.map((f) => ({ date: dateOfDay(f.day), amount: f.amount }));
      const got = xirrOfDays(list.map((f) => f.day), list.map((f) => f.amount), list.length);
      expect(Object.is(got, xirr(flows))).toBe(true);
    }), { numRuns: 300 });
  });
});
