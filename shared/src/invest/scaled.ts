/**
 * Exact decimals for the investment engine: a value is `digits × 10^-scale` with BigInt digits, so units, prices
 * and their products never pass through a float. Rounding to minor units is always half-even (banker's rounding),
 * the rule of `convertMinor` and `valueOf` in @mymidas/shared/money.
 */

export interface Scaled {
  readonly digits: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

export const ZERO: Scaled = { digits: 0n, scale: 0 };

const POW10: bigint[] = [1n];
export function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

export function isDecimalText(text: unknown): text is string {
  return typeof text === 'string' && text.length <= 40 && DECIMAL_TEXT.test(text);
}

/** Parses decimal text ("12.5", "-3", "0.00000001"); throws RangeError for anything else. */
export function parseScaled(text: string): Scaled {
  const m = typeof text === 'string' ? DECIMAL_TEXT.exec(text) : null;
  if (!m) throw new RangeError(`not a decimal number as text: ${JSON.stringify(text)}`);
  let fraction = m[3] ?? '';
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 48) end -= 1;
  if (end < fraction.length) fraction = fraction.slice(0, end);
  const digits = BigInt(m[1]! + m[2]! + fraction);
  return digits === 0n ? ZERO : { digits, scale: fraction.length };
}

/** Drops trailing zero digits after the point (keeps scales small). */
export function normalise(x: Scaled): Scaled {
  let { digits, scale } = x;
  if (digits === 0n) return ZERO;
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n;
    scale -= 1;
  }
  return digits === x.digits ? x : { digits, scale };
}

function align(a: Scaled, b: Scaled): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.digits, b.digits, a.scale];
  if (a.scale > b.scale) return [a.digits, b.digits * pow10(a.scale - b.scale), a.scale];
  return [a.digits * pow10(b.scale - a.scale), b.digits, b.scale];
}

export function add(a: Scaled, b: Scaled): Scaled {
  const [x, y, scale] = align(a, b);
  return normalise({ digits: x + y, scale });
}

export function sub(a: Scaled, b: Scaled): Scaled {
  const [x, y, scale] = align(a, b);
  return normalise({ digits: x - y, scale });
}

export function mul(a: Scaled, b: Scaled): Scaled {
  return normalise({ digits: a.digits * b.digits, scale: a.scale + b.scale });
}

export function compare(a: Scaled, b: Scaled): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sign(a: Scaled): number {
  return a.digits < 0n ? -1 : a.digits > 0n ? 1 : 0;
}

export function toText(x: Scaled): string {
  const neg = x.digits < 0n;
  const s = (neg ? -x.digits : x.digits).toString().padStart(x.scale + 1, '0');
  const point = s.length - x.scale;
  const text = x.scale > 0 ? `${s.slice(0, point)}.${s.slice(point)}` : s;
  return neg ? `-${text}` : text;
}

/** n ÷ d rounded half-even to an integer (d ≠ 0). */
export function divRoundHalfEven(n: bigint, d: bigint): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  let q = n / d; // truncates toward zero
  const r = n - q * d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > d || (twice === d && (q & 1n) !== 0n)) q += n < 0n ? -1n : 1n;
  return q;
}

function safeNumber(n: bigint, what: string): number {
  const v = Number(n);
  if (!Number.isSafeInteger(v)) throw new RangeError(`${what} is beyond safe integers: ${n}`);
  return v === 0 ? 0 : v;
}

/** quantity × price in minor units of a currency with `exponent` decimals, half-even (= valueOf of money.ts). */
export function valueMinor(quantity: Scaled, price: Scaled, exponent: number): number {
  const n = quantity.digits * price.digits;
  const shift = quantity.scale + price.scale - exponent;
  return safeNumber(shift <= 0 ? n * pow10(-shift) : divRoundHalfEven(n, pow10(shift)), 'a value in minor units');
}

/** amount × part ÷ whole, half-even (the share of a cost that goes with part of a holding). */
export function apportion(amount: number, part: Scaled, whole: Scaled): number {
  const [p, w] = align(part, whole);
  return safeNumber(divRoundHalfEven(BigInt(amount) * p, w), 'an apportioned cost');
}

/** amount (minor units with `exponent` decimals) ÷ quantity, as decimal text with `places` decimals, half-even. */
export function perUnitText(amount: number, exponent: number, quantity: Scaled, places: number): string {
  if (quantity.digits === 0n) return '0';
  // amount × 10^-exponent ÷ (q × 10^-qs) = amount × 10^(qs - exponent) ÷ q; keep `places` decimals.
  const shift = quantity.scale - exponent + places;
  const n = shift >= 0 ? BigInt(amount) * pow10(shift) : BigInt(amount);
  const d = shift >= 0 ? quantity.digits : quantity.digits * pow10(-shift);
  return toText(normalise({ digits: divRoundHalfEven(n, d), scale: places }));
}

const F_POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
/** Largest product the float fast path handles exactly (q × den stays within 2^53). */
const FAST_LIMIT = 2 ** 52;

/**
 * The hot-path form of `valueMinor` for the daily series: quantity and price digits as JS numbers (exact when they
 * are safe integers). When the product is below 2^52 every step is exact integer arithmetic in doubles; otherwise it
 * falls back to BigInt. Same half-even result as `valueMinor`, checked against it in the tests.
 */
export function valueMinorFast(qDigits: number, qScale: number, pDigits: number, pScale: number, exponent: number): number {
  const product = qDigits * pDigits;
  const shift = qScale + pScale - exponent;
  if (product <= FAST_LIMIT && product >= 0 && shift < 23) {
    if (shift <= 0) {
      const v = product * F_POW10[-shift]!;
      if (v <= Number.MAX_SAFE_INTEGER) return v;
    } else {
      const den = F_POW10[shift]!;
      let q = Math.floor(product / den);
      let r = product - q * den;
      if (r < 0) {
        q -= 1;
        r += den;
      } else if (r >= den) {
        q += 1;
        r -= den;
      }
      const twice = 2 * r;
      if (twice > den || (twice === den && q % 2 === 1)) q += 1;
      return q;
    }
  }
  return valueMinor({ digits: BigInt(qDigits), scale: qScale }, { digits: BigInt(pDigits), scale: pScale }, exponent);
}
