import Decimal from 'decimal.js';
import { currencyExponent } from './currencies.ts';

export { currencyExponent, CURRENCY_CODE } from './currencies.ts';

declare const minorBrand: unique symbol;
/** An amount in integer minor units of some currency (pence for GBP, yen for JPY, fils for BHD). */
export type Minor = number & { readonly [minorBrand]: true };

/** A sum of money: never a float, always with its currency. */
export interface Money {
  readonly amount: Minor;
  readonly currency: string;
}

export function minor(value: number): Minor {
  if (!Number.isSafeInteger(value)) throw new RangeError(`Minor units must be a safe integer, got ${value}`);
  return value as Minor;
}

export function money(amount: number, currency: string): Money {
  currencyExponent(currency);
  return { amount: minor(amount), currency };
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`Cannot add ${a.currency} to ${b.currency} without a rate`);
  return money(a.amount + b.amount, a.currency);
}

export function sumMinor(values: Iterable<number>): Minor {
  let total = 0;
  for (const v of values) total += v;
  return minor(total);
}

const AMOUNT_TEXT = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal text such as "-12.34" into minor units of the currency.
 * Refuses more decimal places than the currency has rather than rounding silently.
 */
export function parseMinor(text: string, currency: string): Minor {
  const exp = currencyExponent(currency);
  const m = AMOUNT_TEXT.exec(text.trim());
  if (!m) throw new RangeError(`Not an amount: "${text}"`);
  const [, sign, whole = '', frac = ''] = m;
  if (frac.length > exp) throw new RangeError(`"${text}" has more than ${exp} decimal places for ${currency}`);
  const digits = whole + frac.padEnd(exp, '0');
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) throw new RangeError(`"${text}" is too large`);
  return minor(sign === '-' ? -value : value);
}

/** Minor units back to a plain decimal string ("-12.34"), for exports and inputs. */
export function minorToDecimalString(amount: number, currency: string): string {
  const exp = currencyExponent(currency);
  const neg = amount < 0;
  const digits = String(Math.abs(minor(amount))).padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  const frac = exp > 0 ? '.' + digits.slice(digits.length - exp) : '';
  return (neg ? '-' : '') + whole + frac;
}

/** Formats for people with Intl; the number is built from the exact decimal string, never from a float division. */
export function formatMoney(amount: number, currency: string, locale = 'en-GB'): string {
  const exp = currencyExponent(currency);
  const fmt = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  });
  // Intl accepts a decimal string as an exact value (ES2023 Intl.NumberFormat v3).
  return fmt.format(minorToDecimalString(amount, currency) as unknown as number);
}

/**
 * decimal.js rounds every result to `precision` significant digits (20 by default) before anything else, so a
 * product of more digits was rounded twice: 1299447.44046 × 81701.334439 pence is 10616658991892.500000194, which
 * 20 digits make …892.5 and half-even then …892, not …893. Products here are of a minor amount (≤ 16 digits) or a
 * quantity and a rate or price (decimal text of a few dozen digits at most), so 100 digits keep them exact and
 * the one rounding is the half-even one asked for — as the investment engine's scaled integers do.
 */
const Exact = Decimal.clone({ precision: 100 });

/**
 * Multiplies minor units by a decimal rate (FX rate, price) and rounds half-even into the
 * target currency's minor units. The rate is a decimal string so it never passes through a float.
 */
export function convertMinor(amount: number, from: string, to: string, rate: string): Minor {
  const fromExp = currencyExponent(from);
  const toExp = currencyExponent(to);
  const result = new Exact(amount)
    .times(new Exact(rate))
    .times(new Exact(10).pow(toExp - fromExp))
    .toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  return minor(result.toNumber());
}

/** quantity × unit price (both decimal strings) → minor units of the price currency. */
export function valueOf(quantity: string, unitPrice: string, currency: string): Minor {
  const exp = currencyExponent(currency);
  const result = new Exact(quantity).times(unitPrice).times(new Exact(10).pow(exp)).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  return minor(result.toNumber());
}

export { Decimal };
