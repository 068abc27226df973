import { describe, expect, it } from 'vitest';
import { detectAndParse } from '../detect-and-parse.ts';
import { actionKey, guessAction, parseMappedTradesCsv } from './mapped.ts';
import type { TradeMappingInput } from './mapped.ts';

const text = (s: string) => new TextEncoder().encode(s);

// A broker layout none of the six parsers knows (column names of no profile), with a preamble line above the
// header, a buy with a separate commission, a sale, a dividend, a platform fee, a deposit, a 4-for-1 split and a
// US trade in another currency.
const FILE = [
  'Account export for J Smith',
  'Trade day,Action,Ticker,ISIN,Security,Shares,Price,Commission,Net value,Ccy,Comment,Ratio',
  '03/01/2024,Bought,VWRL,IE00B3RBWM25,Vanguard FTSE All-World,"1,000",98.50,1.50,"98,501.50",GBP,first buy,',
  '15/02/2024,SOLD,VWRL,IE00B3RBWM25,Vanguard FTSE All-World,400,101.25,1.50,"40,498.50",GBP,,',
  '20/03/2024,Dividend,VWRL,IE00B3RBWM25,Vanguard FTSE All-World,,,,123.45,GBP,Q1 distribution,',
  '31/03/2024,Platform fee,,,Account charge,,,,4.99,GBP,,',
  '02/04/2024,Cash in,,,,,,,500.00,GBP,,',
  '10/06/2024,Split,NVDA,US67066G1040,NVIDIA Corp,,,,,USD,,10',
  '11/06/2024,Purchase,NVDA,US67066G1040,NVIDIA Corp,2.5,121.10,,,USD,,',
].join('\n');

const MAPPING: TradeMappingInput = {
  dateColumn: 'Trade day',
  dateFormat: 'DD/MM/YYYY',
  kindColumn: 'Action',
  kindValues: { 'Platform fee': 'fee', 'Cash in': 'skip' },
  symbolColumn: 'Ticker',
  isinColumn: 'ISIN',
  nameColumn: 'Security',
  quantityColumn: 'Shares',
  unitPriceColumn: 'Price',
  totalColumn: 'Net value',
  feeColumn: 'Commission',
  currencyColumn: 'Ccy',
  currency: 'GBP',
  notesColumn: 'Comment',
  splitRatioColumn: 'Ratio',
};

describe('trades read with a column mapping', () => {
  it('an unknown broker layout goes to the mapping step, not to a broker parser', () => {
    const r = detectAndParse(text(FILE), 'export.csv');
    expect(r.needsMapping).toBe(true);
    expect(r.trades).toBeUndefined();
    expect(r.columns).toContain('Net value');
  });

  it('a good file: every trade drafted with the cash effect signed by its kind, fee included', () => {
    const r = parseMappedTradesCsv(text(FILE), MAPPING);
    expect(r.problems).toEqual([]);
    expect(r.format).toBe('generic');
    expect(r.skipped).toEqual([{ line: 7, reason: '"Cash in": not a trade (as the mapping says)' }]);
    const t = r.trades ?? [];
    expect(t.map((x) => [x.line, x.kind, x.date, x.quantity, x.unitPrice, x.amount, x.fee, x.currency])).toEqual([
      // 1,000 × 98.50 = 98,500.00 + 1.50 commission = 98,501.50 paid (the total already holds the fee)
      [3, 'buy', '2024-01-03', '1000', '98.50', -9850150, 150, 'GBP'],
      [4, 'sell', '2024-02-15', '400', '101.25', 4049850, 150, 'GBP'],
      [5, 'dividend', '2024-03-20', '0', null, 12345, 0, 'GBP'],
      [6, 'fee', '2024-03-31', '0', null, -499, 499, 'GBP'],
      [8, 'split', '2024-06-10', '0', null, 0, 0, 'USD'],
      // no total: 2.5 × 121.10 = 302.75 USD
      [9, 'buy', '2024-06-11', '2.5', '121.10', -30275, 0, 'USD'],
    ]);
    expect(t[0]?.asset).toEqual({ symbol: 'VWRL', isin: 'IE00B3RBWM25', name: 'Vanguard FTSE All-World', currency: 'GBP' });
    expect(t[0]?.notes).toBe('first buy');
    expect(t[3]?.asset).toEqual({ symbol: null, isin: null, name: 'Account charge', currency: 'GBP' });
    expect(t[4]?.splitRatio).toBe('10');
  });

  it('a total before the fee: the fee is added to a buy and taken off a sale', () => {
    const file = 'Date,Type,Symbol,Qty,Price,Fee,Value\n2024-05-01,buy,ABC,10,2.00,1.00,20.00\n2024-05-02,sell,ABC,5,3.00,1.00,15.00\n';
    const r = parseMappedTradesCsv(text(file), {
      dateColumn: 'Date', dateFormat: 'YYYY-MM-DD', kindColumn: 'Type', symbolColumn: 'Symbol', quantityColumn: 'Qty', unitPriceColumn: 'Price',
      feeColumn: 'Fee', totalColumn: 'Value', totalIncludesFee: false,
    });
    expect(r.problems).toEqual([]);
    expect(r.trades?.map((x) => [x.amount, x.fee])).toEqual([[-2100, 100], [1400, 100]]);
  });

  it('bad rows: each reported with its line, column and what is wrong, and no trades at all', () => {
    const bad = [
      'Trade day,Action,Ticker,ISIN,Security,Shares,Price,Commission,Net value,Ccy,Comment,Ratio',
      '03/01/2024,Bought,VWRL,IE00B3RBWM25,Vanguard FTSE All-World,10,98.50,,985.00,GBP,,',
      '31/02/2024,Bought,VWRL,,,10,98.50,,985.00,GBP,,',
      '01/03/2024,Switch,VWRL,,,10,98.50,,985.00,GBP,,',
      '02/03/2024,Sold,VWRL,,,ten,98.50,,985.00,GBP,,',
      '03/03/2024,Bought,,,,10,98.50,,985.00,GBP,,',
      '04/03/2024,Bought,VWRL,NOTANISIN,,10,98.50,,985.00,GBP,,',
      '05/03/2024,Bought,VWRL,,,10,98.50,,9.855,GBP,,',
      '06/03/2024,Sold,VWRL,,,,98.50,,985.00,GBP,,',
      '07/03/2024,Bought,VWRL,,,10,98.50,,985.00,POUNDS,,',
      '08/03/2024,Transfer in,VWRL,,,10,,,,GBP,,',
      '09/03/2024,Bought,VWRL,,,10,98.50,2.00,1.00,GBP,,',
    ].join('\n');
    const r = parseMappedTradesCsv(text(bad), MAPPING);
    expect(r.trades).toEqual([]);
    expect(r.problems.map((p) => [p.line, p.column])).toEqual([
      [3, 'Trade day'], [4, 'Action'], [5, 'Shares'], [6, 'Ticker'], [7, 'ISIN'], [8, 'Net value'], [9, 'Shares'], [10, 'Ccy'], [11, 'Price'], [12, 'Net value'],
    ]);
    expect(r.problems[8]?.message).toBe('Price is empty: a transfer in needs the cost carried over per unit in the unit price (0 for free shares)');
    expect(r.problems[9]?.message).toBe('the total (Net value) is less than the fee, though it should include it');
    expect(r.problems[0]?.message).toMatch(/31\/02\/2024.*not a DD\/MM\/YYYY date/);
    expect(r.problems[1]?.message).toBe('"Switch" in Action is not an action the mapping knows: choose what it means');
    expect(r.problems[2]?.message).toBe('"ten" is not a number');
    expect(r.problems[3]?.message).toBe('no asset: Ticker, ISIN, Security are all empty');
    expect(r.problems[6]?.message).toBe('Shares is empty: a sale needs a quantity');
  });

  it('a mapping that names a column the file lacks, or misses what is needed, is refused before any row', () => {
    const missing = parseMappedTradesCsv(text(FILE), { ...MAPPING, feeColumn: 'Charges' });
    expect(missing.trades).toEqual([]);
    expect(missing.problems).toEqual([{ line: 2, column: 'Charges', message: 'Column "Charges" is not in the header' }]);
    const noAsset = parseMappedTradesCsv(text(FILE), { dateColumn: 'Trade day', dateFormat: 'DD/MM/YYYY', kindColumn: 'Action', totalColumn: 'Net value' });
    expect(noAsset.trades).toEqual([]);
    expect(noAsset.problems[0]?.message).toMatch(/symbol, ISIN or name column/);
  });

  it('common action words are guessed; others are left to the user', () => {
    expect(['Market buy', 'BOUGHT', 'sell', 'Sale', 'DIV', 'Dividend', 'Fee', 'Stock split', 'Transfer in', 'Transfer-out', 'Deposit'].map(guessAction))
      .toEqual(['buy', 'buy', 'sell', 'sell', 'dividend', 'dividend', 'fee', 'split', 'transfer_in', 'transfer_out', 'skip']);
    expect(guessAction('Switch')).toBeNull();
    expect(actionKey('  Market-BUY ')).toBe('market buy');
  });
});
