import { minorToDecimalString } from '@mymidas/shared/money';

/** Axis labels: money in the currency's major units, compact (£1.2K). */
export function compactMoney(minor: number, currency: string): string {
  const major = Number(minorToDecimalString(Math.round(minor), currency));
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(major);
  } catch {
    return String(major);
  }
}
