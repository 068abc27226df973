import { currencyExponent } from '../money/money.ts';

/**
 * Exact currency conversion for the engine's hot path: the same result as convertMinor of
 * @mymidas/shared/money (amount × rate, moved to the target currency's minor units, rounded half-even), in
 * BigInt integer arithmetic on a rate parsed once, instead of decimal.js objects per call. The engine converts
 * one sum per (category, currency, day), which over a long ledger with travel abroad is thousands per call.
 */

const RATE_TEXT = /^(\d+)(?:\.(\d+))?$/;

/** A decimal rate as digits ÷ 10^scale. */
export interface ParsedRate {
  readonly digits: bigint;
  readonly scale: number;
}

export function parseRate(rate: string): ParsedRate {
  const m = RATE_TEXT.exec(rate);
  if (!m) throw new RangeError(`not a decimal rate: ${JSON.stringify(rate)}`);
  const fraction = m[2] ?? '';
  return { digits: BigInt(m[1]! + fraction), scale: fraction.length };
}

const POW10: bigint[] = [1n];
function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

/** amount (minor units of `from`) × rate → minor units of `to`, half-even; throws RangeError beyond safe integers. */
export function convertExact(amount: number, from: string, to: string, rate: ParsedRate): number {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`Minor units must be a safe integer, got ${amount}`);
  const shift = currencyExponent(to) - currencyExponent(from) - rate.scale;
  let n = BigInt(amount) * rate.digits;
  if (shift >= 0) n *= pow10(shift);
  else {
    const den = pow10(-shift);
    let q = n / den; // truncates toward zero
    const r = n - q * den;
    const twice = (r < 0n ? -r : r) * 2n;
    if (twice > den || (twice === den && (q & 1n) !== 0n)) q += n < 0n ? -1n : 1n;
    n = q;
  }
  const result = Number(n);
  if (!Number.isSafeInteger(result)) throw new RangeError(`Minor units must be a safe integer, got ${n}`);
  return result === 0 ? 0 : result;
}
