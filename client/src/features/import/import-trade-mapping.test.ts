import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import type { Account, Asset, InvestmentTransaction } from '@mymidas/shared/schema';
import { openReplica } from '../../db/database.ts';
import type { Replica } from '../../db/database.ts';
import { replicaClock } from '../../sync/clock.ts';
import { commitTradeImport, readInvestContext } from './import-invest-store.ts';
import { listBatches, undoImport } from './import-store.ts';
import { createImportHandlers } from './import-worker-handlers.ts';
import {
  loadTradeMapping, saveTradeMapping, suggestTradeMapping, tradeFormFromMapping, tradeMappingFitsColumns, tradeMappingFromForm, withActions,
} from './trade-mapping.ts';
import type { TradeMappingInput } from '@mymidas/shared/import/brokers/mapped';

const ISA = '0190f5a2-2222-7000-8000-000000000011';
const VWRL = '0190f5a2-3333-7000-8000-000000000011';

// A broker layout no parser knows: semicolons are not needed, but the header names match no profile.
const FILE = [
  'Order date,Operation,Ticker,ISIN,Security,Units,Unit price,Charges,Net,Comment',
  '2024-01-03,Market Buy,VWRL,IE00B3RBWM25,Vanguard FTSE All-World,10,98.50,1.50,986.50,',
  '2024-02-01,Market Buy,ACME,,Acme Widgets plc,20,5.00,0,100.00,new holding',
  '2024-03-20,Dividend,VWRL,IE00B3RBWM25,Vanguard FTSE All-World,,,,12.34,',
  '2024-04-02,Top-up,,,,,,,500.00,',
  '2024-05-01,Market Sell,ACME,,Acme Widgets plc,5,6.00,1.00,29.00,',
].join('\n');
const bytes = () => new TextEncoder().encode(FILE);

let replica: Replica;

const account: Account = {
  id: ISA, hlc: '1700000000000:0000:seed', name: 'ISA', type: 'stocks_shares_isa', currency: 'GBP', institution: null, accountRef: null, openingBalance: 0,
  openingDate: '2014-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 1, notes: null,
};
const vwrl: Asset = { id: VWRL, hlc: '1700000000000:0001:seed', symbol: 'VWRL', name: 'Vanguard FTSE All-World', kind: 'etf', currency: 'GBP', provider: 'yahoo', providerId: 'VWRL.L', isin: 'IE00B3RBWM25' };

beforeEach(async () => {
  replica = await openReplica({
    password: 'correct horse battery', name: `trade-map-${Math.random().toString(36).slice(2)}`, baseStorage: getRxStorageMemory(),
    kdf: { memoryKiB: 8, iterations: 1, parallelism: 1 }, keyCompression: false,
  });
  await replica.db.accounts.insert(account);
  await replica.db.assets.insert(vwrl);
});

afterEach(async () => {
  await replica.close();
});

/** The form as the page fills it: the guess from the header, the action words from the worker, then checked. */
function mappingFor(worker: ReturnType<typeof createImportHandlers>, columns: readonly string[]): TradeMappingInput {
  const form = suggestTradeMapping(columns);
  form.dateFormat = 'YYYY-MM-DD';
  form.kindValues = withActions(form, worker.importColumnValues(form.kindColumn));
  expect(form.kindValues).toEqual({ 'Market Buy': 'buy', Dividend: 'dividend', 'Top-up': 'skip', 'Market Sell': 'sell' });
  const check = tradeMappingFromForm(form, columns);
  expect(check.errors).toEqual({});
  return check.mapping!;
}

async function runMapped(mapping: TradeMappingInput | null) {
  const { db } = replica;
  const worker = createImportHandlers();
  const bare = worker.importParse(bytes(), 'export.csv', { currency: 'GBP' });
  const used = mapping ?? mappingFor(worker, bare.columns);
  const summary = worker.importParse(bytes(), 'export.csv', { currency: 'GBP', tradeMapping: used });
  if (summary.rows === 0) return { bare, summary, used, plan: null, batch: null, worker };
  const context = await readInvestContext(db, ISA);
  const plan = await worker.importPlan({ accountId: ISA, accountCurrency: 'GBP', existingHashes: [], rules: [], invest: { accountType: account.type, ...context } });
  if (plan.counts.fresh === 0) return { bare, summary, used, plan, batch: null, worker };
  const batch = await commitTradeImport(db, {
    accountId: ISA, fileName: 'export.csv', format: summary.format, total: plan.counts.fresh, duplicates: plan.counts.duplicates, skipped: plan.counts.skipped,
    newAssets: worker.importNewAssets(), takeDrafts: async (o, n) => worker.importTradeDrafts(o, n), stamper: await replicaClock(db),
  });
  return { bare, summary, used, plan, batch, worker };
}

const trades = async () => (await replica.db.investment_transactions.find({ sort: [{ date: 'asc' }] }).exec()).map((d) => d.toMutableJSON() as InvestmentTransaction);

describe('importing trades of an unknown layout through the mapping', { timeout: 60_000 }, () => {
  it('guesses the columns from the header names', () => {
    const form = suggestTradeMapping(['Order date', 'Operation', 'Ticker', 'ISIN', 'Security', 'Units', 'Unit price', 'Charges', 'Net', 'Comment']);
    expect(form).toMatchObject({
      dateColumn: 'Order date', kindColumn: 'Operation', symbolColumn: 'Ticker', isinColumn: 'ISIN', nameColumn: 'Security', quantityColumn: 'Units',
      unitPriceColumn: 'Unit price', feeColumn: 'Charges', totalColumn: 'Net', notesColumn: 'Comment', currencyColumn: '',
    });
  });

  it('the form says what is missing, per field, and an action word left unexplained', () => {
    const form = suggestTradeMapping(['When', 'What', 'Cash']);
    form.kindValues = { Switch: '' };
    expect(tradeMappingFromForm(form, ['When', 'What', 'Cash']).errors).toEqual({
      dateColumn: 'Choose the date column', kindColumn: 'Choose the action (buy, sell…) column', symbolColumn: 'Choose the symbol, ISIN or name column (at least one)',
      totalColumn: 'Choose the total column, or both quantity and unit price', kindValues: 'Say what “Switch” means',
    });
  });

  it('reads, previews, writes with the new asset created, deduplicates a second import and undoes', async () => {
    const first = await runMapped(null);
    expect(first.bare).toMatchObject({ needsMapping: true, tradeMapped: false, broker: false });
    expect(first.summary).toMatchObject({ format: 'generic', broker: true, tradeMapped: true, rows: 4, skippedRows: 1, problemCount: 0 });
    expect(first.plan?.counts).toMatchObject({ parsed: 4, fresh: 4, duplicates: 0, skipped: 1, newAssets: 1 });
    const page = first.worker.importPreview('all', 0, 50);
    expect(page.rows.map((r) => [r.status, r.date, r.amount])).toEqual([
      ['new', '2024-01-03', -98650], ['new', '2024-02-01', -10000], ['new', '2024-03-20', 1234], ['skipped', '', 0], ['new', '2024-05-01', 2900],
    ]);
    const stored = await trades();
    const acme = (await replica.db.assets.find().exec()).map((d) => d.toMutableJSON() as Asset).find((a) => a.symbol === 'ACME');
    expect(acme).toMatchObject({ name: 'Acme Widgets plc', provider: 'manual', currency: 'GBP' });
    expect(stored.map((t) => [t.kind, t.assetId, t.quantity, t.amount, t.fee])).toEqual([
      ['buy', VWRL, '10', -98650, 150], ['buy', acme?.id, '20', -10000, 0], ['dividend', VWRL, '0', 1234, 0], ['sell', acme?.id, '5', 2900, 100],
    ]);
    expect(stored[1]?.notes).toBe('new holding');

    const again = await runMapped(first.used);
    expect(again.plan?.counts).toMatchObject({ fresh: 0, duplicates: 4, newAssets: 0 });
    expect(await trades()).toHaveLength(4);

    expect(await undoImport(replica.db, first.batch!.id, await replicaClock(replica.db))).toBe(4);
    expect(await trades()).toEqual([]);
    expect((await replica.db.assets.find().exec()).map((d) => d.id)).toEqual([VWRL]);
    expect(await listBatches(replica.db)).toEqual([]);
  });

  it('a file with a bad row: its line, column and message, no trades planned and nothing written', async () => {
    const worker = createImportHandlers();
    const bare = worker.importParse(bytes(), 'export.csv', {});
    const mapping = { ...mappingFor(worker, bare.columns), dateFormat: 'DD/MM/YYYY' as const, dateColumn: 'Order date' };
    // ISO dates read in any format; a broken quantity is what fails here.
    const broken = new TextEncoder().encode(FILE.replace('Acme Widgets plc,20,', 'Acme Widgets plc,twenty,'));
    const summary = worker.importParse(broken, 'export.csv', { tradeMapping: mapping });
    expect(summary).toMatchObject({ broker: true, tradeMapped: true, rows: 0 });
    expect(summary.problems).toEqual([{ line: 3, column: 'Units', message: '"twenty" is not a number' }]);
    expect(await trades()).toEqual([]);
    expect(await replica.db.assets.count().exec()).toBe(1);
  });

  it('a saved mapping whose columns the file lacks is not used: the file asks for a mapping again', () => {
    const worker = createImportHandlers();
    const mapping: TradeMappingInput = { dateColumn: 'Trade day', dateFormat: 'YYYY-MM-DD', kindColumn: 'Operation', symbolColumn: 'Ticker', totalColumn: 'Net' };
    expect(tradeMappingFitsColumns(mapping, ['Order date', 'Operation'])).toBe(false);
    const summary = worker.importParse(bytes(), 'export.csv', { tradeMapping: mapping });
    expect(summary).toMatchObject({ needsMapping: true, tradeMapped: false, broker: false });
  });

  it('the mapping is kept per account on the device and read back into the form', async () => {
    const mapping: TradeMappingInput = { dateColumn: 'Order date', dateFormat: 'YYYY-MM-DD', kindColumn: 'Operation', kindValues: { 'Top-up': 'skip' }, symbolColumn: 'Ticker', totalColumn: 'Net' };
    expect(await loadTradeMapping(replica.db, ISA)).toBeNull();
    await saveTradeMapping(replica.db, ISA, mapping);
    expect(await loadTradeMapping(replica.db, ISA)).toEqual(mapping);
    expect(tradeFormFromMapping(mapping)).toMatchObject({ dateColumn: 'Order date', kindValues: { 'Top-up': 'skip' }, symbolColumn: 'Ticker', isinColumn: '', totalIncludesFee: true });
  });
});
