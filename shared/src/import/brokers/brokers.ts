import { headerKey } from '../csv.ts';
import type { CsvRow } from '../csv.ts';
import type { BrokerParseResult } from './common.ts';
import { FREETRADE_SIGNATURE, parseFreetrade } from './freetrade.ts';
import { HL_SIGNATURE, parseHargreavesLansdown } from './hargreaves-lansdown.ts';
import { looksLikeIbkr, parseIbkr } from './ibkr.ts';
import { INVESTENGINE_SIGNATURE, parseInvestEngine } from './investengine.ts';
import { TRADING212_SIGNATURE, parseTrading212 } from './trading212.ts';
import { VANGUARD_INVESTMENT_HEADER, parseVanguardUk } from './vanguard-uk.ts';

export type { BrokerParseResult } from './common.ts';
export { BROKER_FORMATS } from './types.ts';
export type { BrokerFormat, ParsedTrade, SkippedRow, TradeAsset } from './types.ts';
export { tradeDedupKey, canonicalQuantity, duplicateFlags } from './trade-dedup.ts';
export type { TradeKeyFields } from './trade-dedup.ts';

/** How far down a broker CSV its header row may sit (HL puts client lines above it). */
const HEADER_SEARCH_ROWS = 30;

interface HeaderProfile {
  signature: readonly string[];
  parse: (header: readonly string[], rows: readonly CsvRow[]) => BrokerParseResult;
}

/** Broker exports recognised by their header row: every signature column must be present, in any order. */
const HEADER_PROFILES: readonly HeaderProfile[] = [
  { signature: TRADING212_SIGNATURE, parse: parseTrading212 },
  { signature: FREETRADE_SIGNATURE, parse: parseFreetrade },
  { signature: INVESTENGINE_SIGNATURE, parse: parseInvestEngine },
  { signature: HL_SIGNATURE, parse: parseHargreavesLansdown },
];

/**
 * Recognises a broker's CSV export and parses it, or returns null for any other CSV (a bank's, or an unknown
 * layout that goes on to the bank profiles and the column-mapping step). Interactive Brokers by its
 * `Statement,Header` first line and a `Trades` section; Vanguard UK by its investment table header anywhere
 * in the file (the cash table usually comes first); the others by their header row within the first 30 records.
 */
const INVESTMENT_NAME_CELL = /^\uFEFF?\s*investment\s*name\s*$/i;
const mayNameInvestments = (cell: string): boolean => INVESTMENT_NAME_CELL.test(cell);

export function parseBrokerCsv(rows: readonly CsvRow[]): BrokerParseResult | null {
  if (looksLikeIbkr(rows)) return parseIbkr(rows);
  const head = rows.slice(0, HEADER_SEARCH_ROWS);
  for (let i = 0; i < head.length; i++) {
    const cells = head[i]?.cells ?? [];
    const keys = new Set(cells.map(headerKey));
    const profile = HEADER_PROFILES.find((p) => p.signature.every((s) => keys.has(s)));
    if (profile) return profile.parse(cells, rows.slice(i + 1));
  }
  // Vanguard's investment table can start deep in the file, so every row is looked at — cheaply: only a row
  // with an "InvestmentName" cell has its cells normalised (a bank statement of 100,000 rows has none).
  if (rows.some((r) => r.cells.some(mayNameInvestments) && VANGUARD_INVESTMENT_HEADER.every((s) => r.cells.map(headerKey).includes(s)))) return parseVanguardUk(rows);
  return null;
}
export { guessKind, resolveAssets, symbolFromName } from './assets.ts';
export type { KnownAsset, NewAsset } from './assets.ts';
