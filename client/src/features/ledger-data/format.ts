import { dateLabel } from '@mymidas/shared/date';
import { formatMoney, minorToDecimalString, parseMinor } from '@mymidas/shared/money';

/**
 * Helpers for amounts and dates in forms and lists. Amounts stay integer minor units throughout; dates
 * (today, arithmetic, labels) come from @mymidas/shared/date.
 */

/**
 * Reads what a person typed as an amount ("1,234.50", "£12", "-3.2", " 7 ") into minor units.
 * Throws a RangeError with a readable message when it is not an amount in that currency.
 */
export function parseAmountInput(text: string, currency: string): number {
  const cleaned = text.replace(/[\s,£$€¥]/g, '').replace(/^\((.*)\)$/, '-$1');
  if (cleaned === '') throw new RangeError('Enter an amount');
  return parseMinor(cleaned, currency);
}

/** Minor units back into what an input shows ("-12.30"). */
export function amountInputText(amount: number, currency: string): string {
  return minorToDecimalString(amount, currency);
}

const formatCache = new Map<string, (n: number) => string>();

/** Cached currency formatting for long lists. */
export function money(amount: number, currency: string): string {
  let f = formatCache.get(currency);
  if (!f) {
    try {
      formatMoney(0, currency);
      f = (n) => formatMoney(n, currency);
    } catch {
      f = (n) => `${minorToDecimalString(n, currency)} ${currency}`;
    }
    formatCache.set(currency, f);
  }
  return f(amount);
}

/** "Wed, 25 Nov 2026" for a calendar date (read as a date, not an instant). */
export function formatDay(date: string): string {
  return dateLabel(date, { weekday: true });
}

export const COMMON_CURRENCIES = ['GBP', 'EUR', 'USD', 'CHF', 'JPY', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'HKD', 'SGD', 'INR', 'ZAR', 'BTC', 'ETH'] as const;
