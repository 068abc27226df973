import { describe, expect, it } from 'vitest';
import { detectAndParse, importHashes } from '@mymidas/shared/import';
import type { ParsedTransaction, ParseResult } from '@mymidas/shared/import';
import { transactionSchema } from '@mymidas/shared/schema';
import { FIXTURES } from '@mymidas/shared/import/__fixtures__/fixtures';
import { largeStarlingCsv } from '../../../../e2e/lib/large-statement.ts';
import { feeHash, freshDrafts, importHashesChunked, planImport, previewPage } from './import-plan.ts';
import type { RuleInput } from './import-plan.ts';

const ACCOUNT = '0190f5a2-1111-7000-8000-000000000001';
const OTHER = '0190f5a2-2222-7000-8000-000000000002';
const GROCERIES = '0190f5a2-3333-7000-8000-000000000003';

const HEADER = 'Date,Counter Party,Reference,Type,Amount (GBP)';
function statement(lines: readonly string[]): ParseResult {
  return detectAndParse(new TextEncoder().encode([HEADER, ...lines].join('\n')), 'statement.csv') as ParseResult;
}
const coffee = '01/03/2024,Costa,COSTA 123,CONTACTLESS,-3.10';
const rent = '02/03/2024,J Smith,Rent share,FASTER PAYMENT,450.00';
const tesco = '03/03/2024,Tesco,TESCO STORES 3145,CONTACTLESS,-24.67';
const netflix = '04/03/2024,Netflix,NETFLIX.COM,ONLINE PAYMENT,-10.99';

const plain = { accountId: ACCOUNT, accountCurrency: 'GBP', rules: [] as RuleInput[] };

/** What a commit stores: the fresh rows' hashes join the account's set. */
function commit(store: Set<string>, plan: Awaited<ReturnType<typeof planImport>>): number {
  const drafts = freshDrafts(plan);
  for (const d of drafts) store.add(d.importHash as string);
  return drafts.length;
}

describe('import hashes in chunks', { timeout: 30_000 }, () => {
  it('equal the shared importHashes for the same rows, occurrence index included', async () => {
    const parse = detectAndParse(new TextEncoder().encode(largeStarlingCsv(5_000, 3).text), 'big.csv') as ParseResult;
    expect(parse.transactions).toHaveLength(5_000);
    const progress: number[] = [];
    const chunked = await importHashesChunked(ACCOUNT, parse.transactions, (done) => progress.push(done));
    expect(chunked).toEqual(await importHashes(ACCOUNT, parse.transactions));
    expect(new Set(chunked).size).toBe(5_000);
    expect(progress).toEqual([2_000, 4_000, 5_000]);
  });

  it('are different per account', async () => {
    const rows = statement([coffee]).transactions;
    expect((await importHashesChunked(ACCOUNT, rows))[0]).not.toBe((await importHashesChunked(OTHER, rows))[0]);
  });
});

describe('planning an import against the account', { timeout: 30_000 }, () => {
  it('adds nothing the second time the same file is imported', async () => {
    const store = new Set<string>();
    const file = statement([coffee, rent, tesco]);
    const first = await planImport(file, { ...plain, existingHashes: store });
    expect(first.counts).toMatchObject({ parsed: 3, fresh: 3, duplicates: 0 });
    expect(commit(store, first)).toBe(3);
    const again = await planImport(file, { ...plain, existingHashes: store });
    expect(again.counts).toMatchObject({ parsed: 3, fresh: 0, duplicates: 3 });
    expect(freshDrafts(again)).toEqual([]);
  });

  it('adds only the rows outside the overlap of a later statement', async () => {
    const store = new Set<string>();
    commit(store, await planImport(statement([coffee, rent, tesco]), { ...plain, existingHashes: store }));
    const later = await planImport(statement([tesco, netflix]), { ...plain, existingHashes: store });
    expect(later.counts).toMatchObject({ fresh: 1, duplicates: 1 });
    expect(freshDrafts(later).map((d) => d.description)).toEqual(['Netflix - NETFLIX.COM']);
  });

  it('imports two identical same-day coffees, and a third one from a later statement', async () => {
    const store = new Set<string>();
    expect(commit(store, await planImport(statement([coffee, coffee]), { ...plain, existingHashes: store }))).toBe(2);
    const later = await planImport(statement([coffee, coffee, coffee]), { ...plain, existingHashes: store });
    expect(later.counts).toMatchObject({ fresh: 1, duplicates: 2 });
  });

  it('builds drafts that satisfy the transaction schema once they have an id and a stamp', async () => {
    const plan = await planImport(FIXTURES_PARSED.monzo(), { ...plain, existingHashes: [] });
    expect(plan.counts.fresh).toBeGreaterThan(0);
    for (const d of freshDrafts(plan)) {
      const doc = { ...d, id: '0190f5a2-9999-7000-8000-000000000009', hlc: '1732500000000:0000:device' };
      expect(transactionSchema.safeParse(doc).success).toBe(true);
      expect(Number.isInteger(d.amount)).toBe(true);
    }
  });

  it('turns a fee into its own outgoing row, deduplicated by a hash of its statement row', async () => {
    const parse = FIXTURES_PARSED.revolut();
    const withFee = parse.transactions.findIndex((t) => (t.fee ?? 0) > 0);
    expect(withFee).toBeGreaterThanOrEqual(0);
    const row = parse.transactions[withFee] as ParsedTransaction;
    const plan = await planImport(parse, { ...plain, existingHashes: [] });
    const feeRows = plan.rows.filter((r) => r.isFee);
    expect(feeRows.length).toBe(plan.counts.fees);
    const fee = feeRows.find((r) => r.index === withFee);
    expect(fee?.draft.amount).toBe(-(row.fee as number));
    expect(fee?.draft.description).toBe(`Fee: ${row.description}`);
    const rowHash = plan.rows.find((r) => r.index === withFee && !r.isFee)?.draft.importHash as string;
    expect(fee?.draft.importHash).toBe(await feeHash(rowHash));
    // Re-importing finds the fee too.
    const store = new Set<string>();
    commit(store, plan);
    expect((await planImport(parse, { ...plain, existingHashes: store })).counts.fresh).toBe(0);
  });

  it('keeps pending rows as pending transactions and counts them', async () => {
    const parse = FIXTURES_PARSED.revolut();
    const pending = parse.transactions.filter((t) => t.pending).length;
    expect(pending).toBeGreaterThan(0);
    const plan = await planImport(parse, { ...plain, existingHashes: [] });
    expect(plan.counts.pending).toBe(pending);
    expect(plan.rows.filter((r) => r.pending && !r.isFee).every((r) => r.draft.status === 'pending')).toBe(true);
    expect(plan.rows.filter((r) => !r.pending).every((r) => r.draft.status === 'cleared')).toBe(true);
  });

  it('skips and flags rows in another currency than the account', async () => {
    const plan = await planImport(statement([coffee, rent]), { ...plain, accountCurrency: 'EUR', existingHashes: [] });
    expect(plan.counts).toMatchObject({ fresh: 0, skipped: 2 });
    expect(plan.rows[0]?.reason).toBe('In GBP, the account is in EUR');
  });

  it('applies the categorisation rules to new rows only', async () => {
    const rules: RuleInput[] = [
      { id: 'r1', name: 'Groceries', priority: 1, enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'tesco' }], actions: { categoryId: GROCERIES, tags: ['food'] } },
      { id: 'r2', name: 'Off', priority: 2, enabled: false, conditions: [{ field: 'description', op: 'contains', value: 'netflix' }], actions: { categoryId: GROCERIES } },
    ];
    const store = new Set<string>();
    commit(store, await planImport(statement([tesco]), { ...plain, existingHashes: store }));
    const plan = await planImport(statement([tesco, netflix, '05/03/2024,Tesco,TESCO EXPRESS,CONTACTLESS,-2.00']), { ...plain, rules, existingHashes: store });
    const byDesc = new Map(plan.rows.map((r) => [r.draft.description, r]));
    expect(byDesc.get('Tesco - TESCO STORES 3145')?.draft.categoryId).toBeNull();
    expect(byDesc.get('Tesco - TESCO EXPRESS')?.draft).toMatchObject({ categoryId: GROCERIES, tags: ['food'] });
    expect(byDesc.get('Tesco - TESCO EXPRESS')?.appliedRules).toEqual(['r1']);
    expect(byDesc.get('Netflix - NETFLIX.COM')?.draft.categoryId).toBeNull();
    expect(plan.counts.categorised).toBe(1);
    expect(plan.rulesProblem).toBeNull();
  });

  it('imports without rules, and says why, when a rule cannot be compiled', async () => {
    const bad: RuleInput[] = [{ id: 'bad', name: 'Broken', priority: 1, enabled: true, conditions: [{ field: 'amount', op: 'gt', value: 'lots' }], actions: { categoryId: GROCERIES } }];
    const plan = await planImport(statement([tesco]), { ...plain, rules: bad, existingHashes: [] });
    expect(plan.rulesProblem).toMatch(/Broken/);
    expect(plan.counts.fresh).toBe(1);
    expect(plan.rows[0]?.draft.categoryId).toBeNull();
  });

  it('reports progress up to the row count', async () => {
    const parse = detectAndParse(new TextEncoder().encode(largeStarlingCsv(4_500).text), 'big.csv') as ParseResult;
    const seen: [number, number][] = [];
    await planImport(parse, { ...plain, existingHashes: [] }, (done, total) => seen.push([done, total]));
    expect(seen.at(-1)).toEqual([4_500, 4_500]);
    expect(seen.every(([d], i) => i === 0 || d >= (seen[i - 1] as [number, number])[0])).toBe(true);
  });
});

describe('preview pages', () => {
  it('filter by status and page in statement order', async () => {
    const store = new Set<string>();
    commit(store, await planImport(statement([coffee, rent]), { ...plain, existingHashes: store }));
    const plan = await planImport(statement([coffee, rent, tesco, netflix]), { ...plain, existingHashes: store });
    expect(previewPage(plan, 'all', 0, 10).total).toBe(4);
    expect(previewPage(plan, 'duplicate', 0, 10).rows.map((r) => r.description)).toEqual(['Costa - COSTA 123', 'J Smith - Rent share']);
    const page = previewPage(plan, 'new', 1, 1);
    expect(page).toEqual({ total: 2, rows: [expect.objectContaining({ index: 3, description: 'Netflix - NETFLIX.COM', amount: -1099, status: 'new' })] });
    expect(previewPage(plan, 'pending', 0, 10).total).toBe(0);
  });
});

const FIXTURES_PARSED = {
  monzo: () => detectAndParse(FIXTURES.monzo.bytes, FIXTURES.monzo.fileName) as ParseResult,
  revolut: () => detectAndParse(FIXTURES.revolut.bytes, FIXTURES.revolut.fileName) as ParseResult,
};
