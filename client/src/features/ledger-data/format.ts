import { formatMoney, minorToDecimalString, parseMinor } from '@mymidas/shared/money';

/** Helpers for amounts and dates in forms and lists. Amounts stay integer minor units throughout. */

/** Today's calendar date on this device, as YYYY-MM-DD (never shifted through UTC). */
export function todayLocal(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

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

const dayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "Wed 25 Nov 2026" for a calendar date (read as a date, not an instant). */
export function formatDay(date: string): string {
  return dayFormat.format(new Date(`${date}T00:00:00Z`));
}

export const COMMON_CURRENCIES = ['GBP', 'EUR', 'USD', 'CHF', 'JPY', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'HKD', 'SGD', 'INR', 'ZAR', 'BTC', 'ETH'] as const;
