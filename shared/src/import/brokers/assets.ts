import type { Asset } from '../../schema/registry.ts';
import type { ParsedTrade, TradeAsset } from './types.ts';

/**
 * Which `assets` document each imported trade belongs to: matched by ISIN first, then by symbol (unless both
 * sides have ISINs and they differ: the same ticker on two exchanges), then — for exports that only name the
 * holding (Vanguard UK, HL) — by name, ignoring case and spacing. A trade that matches nothing gets a new
 * asset (provider `manual`), shared by the later rows of the file that name the same thing.
 */
export type KnownAsset = Pick<Asset, 'id' | 'symbol' | 'isin' | 'name' | 'currency'>;
export type NewAsset = Omit<Asset, 'hlc'>;

const nameKey = (name: string) => name.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** A symbol for an asset the export names only: its name in upper case letters and digits, at most 32 characters. */
export function symbolFromName(name: string): string {
  const s = nameKey(name).replace(/ /g, '').slice(0, 32);
  return s === '' ? 'UNNAMED' : s;
}

export function guessKind(asset: TradeAsset): Asset['kind'] {
  if (/\b(etf|ucits etf)\b/i.test(asset.name)) return 'etf';
  if (/\b(fund|units|oeic|unit trust|accumulation|income)\b/i.test(asset.name)) return 'fund';
  return 'stock';
}

export function resolveAssets(trades: readonly ParsedTrade[], known: readonly KnownAsset[], newId: () => string): { assetIds: string[]; created: NewAsset[] } {
  const byIsin = new Map<string, KnownAsset>();
  const bySymbol = new Map<string, KnownAsset[]>();
  const byName = new Map<string, KnownAsset>();
  const add = (a: KnownAsset) => {
    if (a.isin) byIsin.set(a.isin, a);
    const s = a.symbol.toUpperCase();
    bySymbol.set(s, [...(bySymbol.get(s) ?? []), a]);
    const n = nameKey(a.name);
    if (n !== '' && !byName.has(n)) byName.set(n, a);
  };
  known.forEach(add);
  const created: NewAsset[] = [];
  const find = (t: TradeAsset): KnownAsset | undefined => {
    if (t.isin) {
      const hit = byIsin.get(t.isin);
      if (hit) return hit;
    }
    if (t.symbol) {
      const hit = (bySymbol.get(t.symbol) ?? []).find((a) => !(a.isin && t.isin && a.isin !== t.isin));
      if (hit) return hit;
    }
    if (!t.symbol && !t.isin) return byName.get(nameKey(t.name));
    return undefined;
  };
  const assetIds = trades.map((trade) => {
    const hit = find(trade.asset);
    if (hit) return hit.id;
    const a = trade.asset;
    const doc: NewAsset = {
      id: newId(),
      symbol: (a.symbol ?? a.isin ?? symbolFromName(a.name)).slice(0, 32),
      name: (a.name || a.symbol || a.isin || 'Unnamed').slice(0, 200),
      kind: guessKind(a),
      currency: a.currency,
      provider: 'manual',
      providerId: null,
      isin: a.isin,
    };
    created.push(doc);
    add(doc);
    return doc.id;
  });
  return { assetIds, created };
}
