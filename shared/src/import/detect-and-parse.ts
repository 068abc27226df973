import { parseBrokerCsv } from './brokers/brokers.ts';
import { parseCamt053, looksLikeCamt053 } from './camt053.ts';
import { BANK_PROFILES, HSBC_LAYOUT, headerKey, layoutFromMapping, looksLikeHsbc, mapRows, readCsv } from './csv.ts';
import type { CsvRow } from './csv.ts';
import { looksLikeOfx, parseOfx } from './ofx.ts';
import { looksLikeQif, parseQif } from './qif.ts';
import { looksLikeSantander, parseSantander } from './santander.ts';
import { decodeStatement } from './text.ts';
import { ColumnMappingSchema } from './types.ts';
import type { DetectOptions, ParseResult } from './types.ts';
import { isCurrency } from './values.ts';

export { ColumnMappingSchema, DATE_FORMATS, IMPORT_FORMATS } from './types.ts';
export type {
  ColumnMapping,
  ColumnMappingInput,
  DateFormat,
  DetectOptions,
  ImportFormat,
  ParsedTransaction,
  ParseProblem,
  ParseResult,
} from './types.ts';
export { findNewRows, importHashes, normaliseForHash, sha256Hex } from './dedup.ts';
export type { DedupRow, DedupOutcome } from './dedup.ts';
export {
  BROKER_FORMATS, canonicalQuantity, duplicateFlags, guessKind, resolveAssets, symbolFromName, tradeDedupKey,
} from './brokers/brokers.ts';
export type { BrokerFormat, KnownAsset, NewAsset, ParsedTrade, SkippedRow, TradeAsset, TradeKeyFields } from './brokers/brokers.ts';

/** How far down a CSV the header row may sit (Nationwide puts account lines above it). */
const HEADER_SEARCH_ROWS = 30;

/**
 * Detects a statement's format from its bytes and parses it. Never throws: whatever is wrong with the file
 * comes back as `problems` with the line (and column) it was found on. Rows that are not transactions
 * (declined, information-only) are reported as problems too, never dropped silently.
 */
export function detectAndParse(bytes: Uint8Array, fileName: string, options: DetectOptions = {}): ParseResult {
  try {
    return parse(bytes, fileName, options);
  } catch (e) {
    return { format: 'generic', transactions: [], problems: [{ line: 1, message: `Could not read the file: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

function parse(bytes: Uint8Array, fileName: string, options: DetectOptions): ParseResult {
  const currency = options.currency && isCurrency(options.currency) ? options.currency : 'GBP';
  const { text } = decodeStatement(bytes);
  const ext = (/\.([a-z0-9]+)$/i.exec(fileName)?.[1] ?? '').toLowerCase();
  if (text.trim() === '') return { format: 'generic', transactions: [], problems: [{ line: 1, message: 'The file is empty' }] };
  if (looksLikeCamt053(text)) return parseCamt053(text, currency);
  if (looksLikeOfx(text) || ((ext === 'ofx' || ext === 'qfx') && /<STMTTRN>/i.test(text))) return parseOfx(text, currency);
  if (looksLikeQif(text) || ext === 'qif') return parseQif(text, currency, options.qifDateOrder ?? 'auto');
  if (looksLikeSantander(text)) return parseSantander(text, currency);
  return parseCsv(text, currency, options);
}

function parseCsv(text: string, currency: string, options: DetectOptions): ParseResult {
  const { rows, problems } = readCsv(text);
  const broker = parseBrokerCsv(rows);
  if (broker) {
    const all = [...problems, ...broker.problems];
    return { format: broker.format, transactions: [], trades: all.length > 0 ? [] : broker.trades, skipped: broker.skipped, problems: all };
  }
  const head = rows.slice(0, HEADER_SEARCH_ROWS);
  for (let i = 0; i < head.length; i++) {
    const header = (head[i]?.cells ?? []).map(headerKey);
    const keys = new Set(header);
    const profile = BANK_PROFILES.find((p) => p.signature.every((s) => keys.has(s)));
    if (profile) {
      const mapped = mapRows(header, rows.slice(i + 1), profile.layout(header), currency);
      return { format: profile.format, transactions: mapped.transactions, problems: [...problems, ...mapped.problems] };
    }
  }
  if (looksLikeHsbc(rows)) {
    const header = ['0', '1', '2'];
    const mapped = mapRows(header, rows, HSBC_LAYOUT, currency);
    return { format: 'hsbc', transactions: mapped.transactions, problems: [...problems, ...mapped.problems] };
  }
  return parseGeneric(rows, problems, options);
}

function parseGeneric(rows: CsvRow[], csvProblems: ParseResult['problems'], options: DetectOptions): ParseResult {
  const headerAt = rows.findIndex((r, i) => i < HEADER_SEARCH_ROWS && r.cells.filter((c) => c.trim() !== '').length >= 2);
  const headerRow = rows[headerAt];
  if (!headerRow) {
    return { format: 'generic', transactions: [], problems: [...csvProblems, { line: 1, message: 'No header row with two or more columns was found' }] };
  }
  const columns = headerRow.cells.map((c) => c.trim()).filter((c) => c !== '');
  if (!options.mapping) return { format: 'generic', transactions: [], problems: csvProblems, needsMapping: true, columns };
  const checked = ColumnMappingSchema.safeParse(options.mapping);
  if (!checked.success) {
    const message = checked.error.issues.map((i) => `${i.path.join('.') || 'mapping'}: ${i.message}`).join('; ');
    return { format: 'generic', transactions: [], problems: [...csvProblems, { line: headerRow.line, message: `Column mapping is invalid: ${message}` }], needsMapping: true, columns };
  }
  const mapping = checked.data;
  const header = headerRow.cells.map(headerKey);
  const named = [mapping.dateColumn, mapping.amountColumn, mapping.paidOutColumn, mapping.paidInColumn, mapping.descriptionColumn, mapping.payeeColumn, mapping.referenceColumn, mapping.balanceColumn, mapping.feeColumn, mapping.currencyColumn];
  const missing = named.filter((n): n is string => n !== undefined && !header.includes(headerKey(n)));
  if (missing.length > 0) {
    return {
      format: 'generic',
      transactions: [],
      problems: [...csvProblems, ...missing.map((m) => ({ line: headerRow.line, column: m, message: `Column "${m}" is not in the header` }))],
      needsMapping: true,
      columns,
    };
  }
  const mapped = mapRows(header, rows.slice(headerAt + 1), layoutFromMapping(mapping), mapping.currency);
  return { format: 'generic', transactions: mapped.transactions, problems: [...csvProblems, ...mapped.problems] };
}
