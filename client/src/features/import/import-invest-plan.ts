import { duplicateFlags, resolveAssets, tradeDedupKey } from '@mymidas/shared/import';
import type { KnownAsset, NewAsset, ParsedTrade, ParseProblem, ParseResult, SkippedRow } from '@mymidas/shared/import';
import type { AccountType, InvestmentTransaction } from '@mymidas/shared/schema';
import type { PlanCounts, PreviewFilter, PreviewPage, PreviewRow } from './import-plan.ts';

/**
 * The pure plan of a broker statement's import (the investment twin of import-plan.ts), run in the import
 * worker: each trade's asset found among the household's assets (ISIN, then symbol, then name) or created,
 * the split into new trades and trades the account already holds (`tradeDedupKey` + occurrence counting of
 * shared/src/import/brokers/trade-dedup.ts: investment_transactions has no import hash), the
 * investment transaction drafts for the new ones, and preview rows in the shape the bank preview shows.
 */

/** Account types a broker statement may be imported into. */
export const INVESTMENT_ACCOUNT_TYPES: ReadonlySet<AccountType> = new Set([
  'stocks_shares_isa', 'lifetime_isa', 'investment_gia', 'sipp', 'workplace_pension', 'crypto_wallet', 'other_asset',
]);

export type TradeDraft = Omit<InvestmentTransaction, 'id' | 'hlc'>;
export type ExistingTrade = Pick<InvestmentTransaction, 'assetId' | 'date' | 'kind' | 'quantity' | 'amount' | 'currency'>;

export interface InvestPlanInput {
  readonly accountId: string;
  readonly accountType: AccountType;
  /** The account's stored investment transactions (only the fields of the dedup key). */
  readonly existingTrades: readonly ExistingTrade[];
  readonly assets: readonly KnownAsset[];
  readonly newId: () => string;
}

export interface PlannedTrade {
  /** Position among the statement's trades, or among its skipped rows for a skipped one. */
  readonly index: number;
  readonly line: number;
  readonly status: 'new' | 'duplicate' | 'skipped';
  readonly reason?: string;
  /** Null for a skipped row. */
  readonly draft: TradeDraft | null;
  readonly label: string;
  readonly symbol: string | null;
  readonly newAsset: boolean;
}

export interface InvestPlan {
  readonly accountId: string;
  readonly rows: readonly PlannedTrade[];
  /** Assets to create: only those the new trades use. */
  readonly newAssets: readonly NewAsset[];
  readonly counts: PlanCounts & { readonly newAssets: number };
  readonly problems: readonly ParseProblem[];
}

export class NotAnInvestmentAccountError extends Error {
  override readonly name = 'NotAnInvestmentAccountError';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

const KIND_LABEL: Record<TradeDraft['kind'], string> = {
  buy: 'Buy', sell: 'Sell', dividend: 'Dividend', split: 'Split', fee: 'Fee', transfer_in: 'Transfer in', transfer_out: 'Transfer out',
};

function label(t: ParsedTrade): string {
  const name = t.asset.name || t.asset.symbol || t.asset.isin || 'unnamed asset';
  const units = t.kind === 'dividend' && t.quantity === '0' ? '' : ` ${t.quantity} ×`;
  const price = t.unitPrice !== null && t.kind !== 'dividend' ? ` @ ${t.unitPrice}` : '';
  return `${KIND_LABEL[t.kind]}${units} ${name}${price}`;
}

export function tradeDraft(accountId: string, assetId: string, t: ParsedTrade): TradeDraft {
  const notes = [t.notes, t.reference ? `Broker reference ${t.reference}` : null].filter((n): n is string => n !== null && n !== '').join('; ');
  return {
    accountId, assetId, kind: t.kind, date: t.date, quantity: t.quantity, unitPrice: t.unitPrice, amount: t.amount, fee: t.fee,
    currency: t.currency, splitRatio: t.splitRatio, notes: notes === '' ? null : clip(notes, 2000),
  };
}

export function planTradeImport(parse: ParseResult, input: InvestPlanInput): InvestPlan {
  if (!INVESTMENT_ACCOUNT_TYPES.has(input.accountType)) {
    throw new NotAnInvestmentAccountError('A broker statement goes into an investment account (ISA, GIA, SIPP, pension or crypto wallet): choose one.');
  }
  const trades = parse.trades ?? [];
  const { assetIds, created } = resolveAssets(trades, input.assets, input.newId);
  const createdIds = new Set(created.map((a) => a.id));
  const fileKeys = trades.map((t, i) => tradeDedupKey({ accountId: input.accountId, assetId: assetIds[i] as string, ...t }));
  const existingKeys = input.existingTrades.map((e) => tradeDedupKey({ accountId: input.accountId, ...e }));
  const duplicate = duplicateFlags(fileKeys, existingKeys);
  const rows: PlannedTrade[] = [];
  const used = new Set<string>();
  trades.forEach((t, index) => {
    const assetId = assetIds[index] as string;
    const status = duplicate[index] ? 'duplicate' : 'new';
    if (status === 'new') used.add(assetId);
    rows.push({ index, line: t.line, status, draft: tradeDraft(input.accountId, assetId, t), label: label(t), symbol: t.asset.symbol, newAsset: createdIds.has(assetId) });
  });
  (parse.skipped ?? []).forEach((s: SkippedRow, index) => {
    rows.push({ index, line: s.line, status: 'skipped', reason: s.reason, draft: null, label: `Line ${s.line}`, symbol: null, newAsset: false });
  });
  rows.sort((a, b) => a.line - b.line);
  const newAssets = created.filter((a) => used.has(a.id));
  const fresh = rows.filter((r) => r.status === 'new').length;
  const duplicates = rows.filter((r) => r.status === 'duplicate').length;
  const skipped = rows.length - fresh - duplicates;
  return {
    accountId: input.accountId,
    rows,
    newAssets,
    counts: { parsed: trades.length, fresh, duplicates, skipped, pending: 0, fees: 0, categorised: 0, newAssets: newAssets.length },
    problems: parse.problems,
  };
}

function matches(row: PlannedTrade, filter: PreviewFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'pending') return false;
  return row.status === filter;
}

/** One page of the preview in statement order, in the bank preview's row shape (symbol as the merchant). */
export function investPreviewPage(plan: InvestPlan, filter: PreviewFilter, offset: number, limit: number): PreviewPage {
  const rows: PreviewRow[] = [];
  let total = 0;
  for (const row of plan.rows) {
    if (!matches(row, filter)) continue;
    if (total >= offset && rows.length < limit) {
      const d = row.draft;
      rows.push({
        index: row.index, status: row.status, ...(row.reason ? { reason: row.reason } : {}), isFee: false, pending: false,
        date: d?.date ?? '', description: row.newAsset ? `${row.label} (new asset)` : row.label, merchant: row.symbol,
        amount: d?.amount ?? 0, currency: d?.currency ?? '', categoryId: null, tags: [],
      });
    }
    total++;
  }
  return { rows, total };
}

/** The trade drafts to write, in statement order. */
export function freshTradeDrafts(plan: InvestPlan): TradeDraft[] {
  const out: TradeDraft[] = [];
  for (const row of plan.rows) if (row.status === 'new' && row.draft) out.push(row.draft);
  return out;
}
