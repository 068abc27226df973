import { createSHA256 } from 'hash-wasm';
import { normaliseForHash } from '@mymidas/shared/import';
import type { ParsedTransaction, ParseProblem, ParseResult } from '@mymidas/shared/import';
import { applyRules, compileRules } from '@mymidas/shared/ledger/rules';
import type { CompiledRule } from '@mymidas/shared/ledger/rules';
import type { CategorisationRule, Transaction } from '@mymidas/shared/schema';

/**
 * The pure part of an import, run in the import worker: import hashes for every parsed row (the
 * normalisation of shared/src/import/dedup.ts, hashed in chunks so the worker can report progress),
 * the split into new rows and rows the account already holds, the transaction drafts for the new ones
 * (a fee becomes its own row), categorisation rules applied, and paged preview rows.
 * Nothing here touches the database: the page writes the drafts (import-store.ts).
 */

/** A transaction as the import will write it, before it gets an id and an HLC stamp. */
export type ImportDraft = Omit<Transaction, 'id' | 'hlc'>;

export type RowStatus = 'new' | 'duplicate' | 'skipped';

export interface PlannedRow {
  /** Position in the parsed statement (0-based); a fee row shares its parent's index. */
  readonly index: number;
  readonly status: RowStatus;
  /** Why a row is skipped (e.g. another currency than the account's). */
  readonly reason?: string;
  readonly isFee: boolean;
  readonly pending: boolean;
  readonly draft: ImportDraft;
  /** Ids (or names) of the rules that set something on it. */
  readonly appliedRules: readonly string[];
}

export interface PlanCounts {
  /** Statement rows parsed (fee rows not counted). */
  readonly parsed: number;
  /** Rows (fees included) that will be written. */
  readonly fresh: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly pending: number;
  readonly fees: number;
  readonly categorised: number;
}

export interface ImportPlan {
  readonly accountId: string;
  readonly rows: readonly PlannedRow[];
  readonly counts: PlanCounts;
  /** Set when the user's rules could not be compiled: the import then runs without them. */
  readonly rulesProblem: string | null;
  readonly problems: readonly ParseProblem[];
}

export type RuleInput = Pick<CategorisationRule, 'name' | 'priority' | 'enabled' | 'conditions' | 'actions'> & { readonly id?: string };

export interface PlanInput {
  readonly accountId: string;
  /** The account's currency: rows in another currency are skipped and flagged. */
  readonly accountCurrency: string;
  /** Import hashes the account already holds (transactions.importHash). */
  readonly existingHashes: Iterable<string>;
  readonly rules: readonly RuleInput[];
}

export type ProgressReport = (done: number, total: number) => void;

const HASH_CHUNK = 2_000;
const SEPARATOR = '\u001f';

let hasherPromise: ReturnType<typeof createSHA256> | null = null;
/** One WASM SHA-256 instance per thread; every use is synchronous between init() and digest(). */
function sha256Hasher(): ReturnType<typeof createSHA256> {
  hasherPromise ??= createSHA256();
  return hasherPromise;
}

/**
 * The import hash of every row, exactly as `importHashes` in shared/src/import/dedup.ts defines it
 * (normaliseForHash, then the occurrence index, SHA-256 as lower-case hex), computed with one WASM
 * SHA-256 instance in chunks so that 100,000 rows take a fraction of a second and report progress.
 */
export async function importHashesChunked(accountId: string, transactions: readonly ParsedTransaction[], progress?: ProgressReport): Promise<string[]> {
  const hasher = await sha256Hasher();
  const seen = new Map<string, number>();
  const out = new Array<string>(transactions.length);
  for (let start = 0; start < transactions.length; start += HASH_CHUNK) {
    const end = Math.min(transactions.length, start + HASH_CHUNK);
    for (let i = start; i < end; i++) {
      const key = normaliseForHash(accountId, transactions[i] as ParsedTransaction);
      const occurrence = seen.get(key) ?? 0;
      seen.set(key, occurrence + 1);
      hasher.init();
      hasher.update(`${key}${SEPARATOR}${occurrence}`);
      out[i] = hasher.digest('hex');
    }
    progress?.(end, transactions.length);
    // Let progress messages out between chunks.
    await Promise.resolve();
  }
  return out;
}

/** The hash of a fee row: SHA-256 of its statement row's hash and the word "fee". */
export async function feeHash(rowHash: string): Promise<string> {
  const hasher = await sha256Hasher();
  hasher.init();
  hasher.update(`${rowHash}${SEPARATOR}fee`);
  return hasher.digest('hex');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

/** The transaction draft for one statement row (money out negative, minor units, as parsed). */
export function draftFromParsed(accountId: string, tx: ParsedTransaction, importHash: string): ImportDraft {
  const payee = tx.payee?.trim() ?? '';
  return {
    accountId,
    date: tx.date,
    amount: tx.amount,
    currency: tx.currency.toUpperCase(),
    categoryId: null,
    tags: [],
    merchant: payee === '' ? null : clip(payee, 200),
    description: clip(tx.description.trim() === '' ? payee : tx.description.trim(), 500),
    notes: null,
    transferId: null,
    importHash,
    status: tx.pending ? 'pending' : 'cleared',
    splits: [],
  };
}

/** A fee charged with a row becomes its own outgoing transaction on the same day. */
export function feeDraft(parent: ImportDraft, fee: number, importHash: string): ImportDraft {
  return {
    ...parent,
    amount: -fee,
    merchant: parent.merchant,
    description: clip(`Fee: ${parent.description}`, 500),
    importHash,
    tags: [],
    categoryId: null,
  };
}

function categorise(draft: ImportDraft, rules: readonly CompiledRule[]): { draft: ImportDraft; applied: string[] } {
  if (rules.length === 0) return { draft, applied: [] };
  // The rules look at text, amount, currency and account; id and stamp are filled in at commit.
  const result = applyRules({ ...draft, id: '', hlc: '' }, rules);
  if (!result.changed) return { draft, applied: result.appliedRules };
  const { id: _id, hlc: _hlc, ...rest } = result.transaction;
  return { draft: rest, applied: result.appliedRules };
}

/**
 * Plans the import of a parsed statement into one account: which rows are new, which the account
 * already holds (by import hash), which are skipped, and the categorised drafts to write.
 */
export async function planImport(parse: ParseResult, input: PlanInput, progress?: ProgressReport): Promise<ImportPlan> {
  const existing = input.existingHashes instanceof Set ? (input.existingHashes as Set<string>) : new Set(input.existingHashes);
  let compiled: CompiledRule[] = [];
  let rulesProblem: string | null = null;
  try {
    compiled = compileRules(input.rules);
  } catch (e) {
    rulesProblem = e instanceof Error ? e.message : String(e);
  }
  const total = parse.transactions.length;
  const hashes = await importHashesChunked(input.accountId, parse.transactions, (done) => progress?.(Math.floor(done / 2), total));
  const rows: PlannedRow[] = [];
  const counts = { parsed: total, fresh: 0, duplicates: 0, skipped: 0, pending: 0, fees: 0, categorised: 0 };
  const accountCurrency = input.accountCurrency.toUpperCase();
  for (let i = 0; i < total; i++) {
    const tx = parse.transactions[i] as ParsedTransaction;
    const hash = hashes[i] as string;
    const base = draftFromParsed(input.accountId, tx, hash);
    const duplicate = existing.has(hash);
    const otherCurrency = base.currency !== accountCurrency;
    const status: RowStatus = duplicate ? 'duplicate' : otherCurrency ? 'skipped' : 'new';
    const reason = status === 'skipped' ? `In ${base.currency}, the account is in ${accountCurrency}` : undefined;
    const { draft, applied } = status === 'new' ? categorise(base, compiled) : { draft: base, applied: [] };
    rows.push({ index: i, status, ...(reason ? { reason } : {}), isFee: false, pending: tx.pending, draft, appliedRules: applied });
    if (tx.pending) counts.pending++;
    if (status === 'new') {
      counts.fresh++;
      if (applied.length > 0) counts.categorised++;
    } else if (status === 'duplicate') counts.duplicates++;
    else counts.skipped++;

    if (tx.fee !== undefined && tx.fee > 0) {
      const fh = await feeHash(hash);
      const fdraft = feeDraft(base, tx.fee, fh);
      const feeStatus: RowStatus = existing.has(fh) ? 'duplicate' : otherCurrency ? 'skipped' : 'new';
      const fee = feeStatus === 'new' ? categorise(fdraft, compiled) : { draft: fdraft, applied: [] };
      rows.push({ index: i, status: feeStatus, ...(feeStatus === 'skipped' && reason ? { reason } : {}), isFee: true, pending: tx.pending, draft: fee.draft, appliedRules: fee.applied });
      counts.fees++;
      if (feeStatus === 'new') counts.fresh++;
      else if (feeStatus === 'duplicate') counts.duplicates++;
      else counts.skipped++;
    }
    if ((i + 1) % HASH_CHUNK === 0 || i + 1 === total) progress?.(Math.floor(total / 2 + (i + 1) / 2), total);
  }
  return { accountId: input.accountId, rows, counts, rulesProblem, problems: parse.problems };
}

export type PreviewFilter = 'all' | RowStatus | 'pending';

export interface PreviewRow {
  readonly index: number;
  readonly status: RowStatus;
  readonly reason?: string;
  readonly isFee: boolean;
  readonly pending: boolean;
  readonly date: string;
  readonly description: string;
  readonly merchant: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly categoryId: string | null;
  readonly tags: readonly string[];
}

export interface PreviewPage {
  readonly rows: PreviewRow[];
  /** Rows matching the filter. */
  readonly total: number;
}

function matchesFilter(row: PlannedRow, filter: PreviewFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'pending') return row.pending;
  return row.status === filter;
}

/** One page of the preview, in statement order. */
export function previewPage(plan: ImportPlan, filter: PreviewFilter, offset: number, limit: number): PreviewPage {
  const rows: PreviewRow[] = [];
  let total = 0;
  for (const row of plan.rows) {
    if (!matchesFilter(row, filter)) continue;
    if (total >= offset && rows.length < limit) {
      const d = row.draft;
      rows.push({
        index: row.index, status: row.status, ...(row.reason ? { reason: row.reason } : {}), isFee: row.isFee, pending: row.pending,
        date: d.date, description: d.description, merchant: d.merchant, amount: d.amount, currency: d.currency, categoryId: d.categoryId, tags: d.tags,
      });
    }
    total++;
  }
  return { rows, total };
}

/** The drafts to write, in statement order. */
export function freshDrafts(plan: ImportPlan): ImportDraft[] {
  const out: ImportDraft[] = [];
  for (const row of plan.rows) if (row.status === 'new') out.push(row.draft);
  return out;
}
