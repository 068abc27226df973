/**
 * ISO 4217 minor-unit exponents. Only currencies whose exponent is not 2 are listed;
 * every other valid three-letter code uses 2.
 */
const NON_TWO_DECIMAL: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
  // Crypto assets are tracked as quantities, but when a wallet is denominated in one we keep 8 places.
  BTC: 8, ETH: 8,
};

export const CURRENCY_CODE = /^[A-Z]{3}$/;

export function currencyExponent(currency: string): number {
  if (!CURRENCY_CODE.test(currency)) throw new RangeError(`Not an ISO 4217 currency code: "${currency}"`);
  return NON_TWO_DECIMAL[currency] ?? 2;
}
