import { describe, expect, it } from 'vitest';
import { easterSunday, englandWalesBankHolidays, englandWalesBankHolidaysBetween } from './bank-holidays.ts';

/** As published on gov.uk/bank-holidays for England and Wales. */
const PUBLISHED: Record<number, string[]> = {
  2019: ['2019-01-01', '2019-04-19', '2019-04-22', '2019-05-06', '2019-05-27', '2019-08-26', '2019-12-25', '2019-12-26'],
  2020: ['2020-01-01', '2020-04-10', '2020-04-13', '2020-05-08', '2020-05-25', '2020-08-31', '2020-12-25', '2020-12-28'],
  2021: ['2021-01-01', '2021-04-02', '2021-04-05', '2021-05-03', '2021-05-31', '2021-08-30', '2021-12-27', '2021-12-28'],
  2022: ['2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29', '2022-09-19', '2022-12-26', '2022-12-27'],
  2023: ['2023-01-02', '2023-04-07', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-29', '2023-08-28', '2023-12-25', '2023-12-26'],
  2024: ['2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-25', '2024-12-26'],
  2025: ['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26'],
  2026: ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28'],
  2027: ['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28'],
  2028: ['2028-01-03', '2028-04-14', '2028-04-17', '2028-05-01', '2028-05-29', '2028-08-28', '2028-12-25', '2028-12-26'],
};

describe('England and Wales bank holidays', () => {
  it.each(Object.entries(PUBLISHED))('%s matches the published list (substitute days, moved Mondays, one-off days)', (year, dates) => {
    expect(englandWalesBankHolidays(Number(year))).toEqual(dates);
  });

  it('Easter Sunday by the Gregorian computus, including its earliest and latest dates', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2038)).toBe('2038-04-25');
    expect(easterSunday(2285)).toBe('2285-03-22');
    expect(easterSunday(2100)).toBe('2100-03-28');
  });

  it('far years get eight days each, all weekdays, in order', () => {
    const all = englandWalesBankHolidaysBetween(2029, 2100);
    expect(all).toHaveLength(72 * 8);
    for (const d of all) expect([1, 2, 3, 4, 5]).toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
    expect([...all].sort()).toEqual(all);
  });

  it('refuses years it does not know', () => {
    expect(() => englandWalesBankHolidays(1990)).toThrow(/from 1995/);
    expect(() => englandWalesBankHolidays(2026.5)).toThrow(RangeError);
  });
});
