/**
 * Deduplication of imported trades. `investment_transactions` has no import-hash field (adding one would be a
 * schema change and a migration), so an imported trade is recognised by what it is: the account, the asset, the
 * date, the kind, the quantity (compared as a number: "2.5000" equals "2.5"), the cash amount and its currency.
 * The same key is computed for the account's stored trades — imported or typed in by hand — and for the file's
 * rows, and counted like the bank import's occurrence index: if the account holds n trades with a key, the
 * first n rows of the file with that key are already there and the rest are new. So re-importing a file adds
 * nothing, an overlapping export adds only the rows outside the overlap, and two identical buys on one day in
 * one file both import. Nothing is written into `notes` for this.
 */
export interface TradeKeyFields {
  readonly accountId: string;
  readonly assetId: string;
  readonly date: string;
  readonly kind: string;
  readonly quantity: string;
  readonly amount: number;
  readonly currency: string;
}

/** Decimal text without a sign, leading zeros or trailing fractional zeros: "002.5000" → "2.5", "0.000" → "0". */
export function canonicalQuantity(text: string): string {
  const t = text.trim().replace(/^[+-]/, '');
  const [whole = '', frac = ''] = t.split('.');
  const w = whole.replace(/^0+(?=\d)/, '') || '0';
  const f = frac.replace(/0+$/, '');
  return f === '' ? w : `${w}.${f}`;
}

/** The key two trades share when they are the same trade (fields joined by U+001F). */
export function tradeDedupKey(t: TradeKeyFields): string {
  return [t.accountId.trim(), t.assetId, t.date, t.kind, canonicalQuantity(t.quantity), String(t.amount), t.currency.toUpperCase()].join('\u001f');
}

/** For each of the file's keys, in file order: whether the account already holds that occurrence of it. */
export function duplicateFlags(fileKeys: readonly string[], existingKeys: Iterable<string>): boolean[] {
  const held = new Map<string, number>();
  for (const k of existingKeys) held.set(k, (held.get(k) ?? 0) + 1);
  const seen = new Map<string, number>();
  return fileKeys.map((k) => {
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return n < (held.get(k) ?? 0);
  });
}
