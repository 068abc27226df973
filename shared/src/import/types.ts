import { z } from 'zod';
import type { ParsedTrade, SkippedRow } from './brokers/types.ts';

/** Every format `detectAndParse` can report. */
export const IMPORT_FORMATS = [
  'monzo', 'starling', 'revolut', 'barclays', 'lloyds', 'natwest', 'hsbc', 'santander', 'nationwide',
  'ofx', 'qif', 'camt053', 'generic',
  'trading212', 'freetrade', 'investengine', 'vanguard_uk', 'hargreaves_lansdown', 'ibkr',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One statement line, amounts in integer minor units, money out negative. */
export interface ParsedTransaction {
  /** Booking date as written by the bank, `YYYY-MM-DD`, no time zone (a calendar day). */
  date: string;
  amount: number;
  currency: string;
  description: string;
  payee?: string;
  /** The bank's own id for the row (FITID, Monzo transaction id, CAMT AcctSvcrRef). */
  reference?: string;
  balance?: number;
  /** A fee charged alongside the row, minor units, >= 0, not included in `amount`. */
  fee?: number;
  pending: boolean;
}

export interface ParseProblem {
  /** 1-based line in the decoded text where the offending row starts. */
  line: number;
  column?: string;
  message: string;
}

export interface ParseResult {
  format: ImportFormat;
  transactions: ParsedTransaction[];
  problems: ParseProblem[];
  /** Set for an unknown CSV header: ask the user for a {@link ColumnMapping}, then parse again. */
  needsMapping?: boolean;
  /** Header cells of a CSV that needs mapping, to offer as choices. */
  columns?: string[];
  /**
   * Set for a broker's export (brokers/): its trades as investment transaction drafts (`transactions` is then
   * empty). A broker file with any problem has no trades at all (all or nothing).
   */
  trades?: ParsedTrade[];
  /** Broker rows that are not investment transactions (deposits, cash interest...), shown but not imported. */
  skipped?: SkippedRow[];
}

export const DATE_FORMATS = ['DD/MM/YYYY', 'MM/DD/YYYY', 'YYYY-MM-DD', 'DD-MM-YYYY', 'DD.MM.YYYY', 'D MMM YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const column = z.string().min(1);

/**
 * How a CSV with an unknown header maps onto transactions. Saved per account so the next import of the
 * same bank's file needs no questions. Either one signed `amountColumn` or a `paidOutColumn`/`paidInColumn` pair.
 */
export const ColumnMappingSchema = z
  .object({
    dateColumn: column,
    dateFormat: z.enum(DATE_FORMATS),
    amountColumn: column.optional(),
    paidOutColumn: column.optional(),
    paidInColumn: column.optional(),
    /** For a single amount column where the bank writes money out as positive. */
    invertAmount: z.boolean().default(false),
    descriptionColumn: column,
    payeeColumn: column.optional(),
    referenceColumn: column.optional(),
    balanceColumn: column.optional(),
    feeColumn: column.optional(),
    currencyColumn: column.optional(),
    currency: z.string().regex(/^[A-Z]{3}$/).default('GBP'),
  })
  .refine((m) => (m.amountColumn !== undefined) !== (m.paidOutColumn !== undefined || m.paidInColumn !== undefined), {
    message: 'Choose either one signed amount column or a paid-out/paid-in pair',
  });
export type ColumnMapping = z.infer<typeof ColumnMappingSchema>;
export type ColumnMappingInput = z.input<typeof ColumnMappingSchema>;

export interface DetectOptions {
  /** Mapping for a generic CSV (ignored when the header is a known bank's). */
  mapping?: ColumnMappingInput;
  /** Currency for formats that do not say (QIF, HSBC, Barclays...). Default GBP. */
  currency?: string;
  /** Date order for QIF files; `auto` looks at the whole file and falls back to day-first. */
  qifDateOrder?: 'auto' | 'DMY' | 'MDY';
}
