import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../__fixtures__/fixtures.ts';
import { detectAndParse } from '../detect-and-parse.ts';
import type { ParseResult } from '../detect-and-parse.ts';
import { BROKER_FIXTURES } from './__fixtures__/fixtures.ts';
import { resolveAssets } from './assets.ts';
import { RowProblem, ukDateOfUtc } from './common.ts';
import { canonicalQuantity, duplicateFlags, tradeDedupKey } from './trade-dedup.ts';
import type { ParsedTrade } from './types.ts';

function parse(name: keyof typeof BROKER_FIXTURES): ParseResult {
  const { bytes, fileName } = BROKER_FIXTURES[name];
  return detectAndParse(bytes, fileName);
}

function trade(result: ParseResult, line: number): ParsedTrade | undefined {
  return result.trades?.find((t) => t.line === line);
}

const text = (s: string) => new TextEncoder().encode(s);

// Expected rows worked out by hand from each sample file: sign of the cash effect, pence, fees, UK dates.
describe('Trading 212', () => {
  const r = parse('trading212');
  it('is detected and every row read', () => {
    expect(r.format).toBe('trading212');
    expect(r.problems).toEqual([]);
    expect(r.trades).toHaveLength(6);
    expect(r.skipped?.map((s) => s.line)).toEqual([2, 8]);
  });
  it('a US buy: the total in GBP is the cash effect, the conversion fee is the fee, the USD price is noted', () => {
    expect(trade(r, 3)).toEqual({
      line: 3, kind: 'buy', date: '2024-01-03', quantity: '2.5000000000', unitPrice: null, amount: -36499, fee: 55, currency: 'GBP', splitRatio: null,
      notes: 'Price 185.64 USD, exchange rate 1.27345', asset: { symbol: 'AAPL', isin: 'US0378331005', name: 'Apple', currency: 'USD' }, reference: 'EOF3000000001',
    });
  });
  it('a London buy: the GBX price in pounds, stamp duty as the fee', () => {
    expect(trade(r, 4)).toMatchObject({ kind: 'buy', date: '2024-02-05', quantity: '100.0000000000', unitPrice: '2.453', amount: -24653, fee: 123, currency: 'GBP', notes: null });
  });
  it('a sell and a dividend paid at 23:10 UTC in May, which is the next day in London', () => {
    expect(trade(r, 5)).toMatchObject({ kind: 'sell', date: '2024-04-02', amount: 13400, fee: 20 });
    expect(trade(r, 6)).toEqual({
      line: 6, kind: 'dividend', date: '2024-05-17', quantity: '1.5000000000', unitPrice: null, amount: 25, fee: 0, currency: 'GBP', splitRatio: null,
      notes: 'Dividend 0.25 USD per share; Withholding tax 0.06 USD', asset: { symbol: 'AAPL', isin: 'US0378331005', name: 'Apple', currency: 'USD' }, reference: null,
    });
    expect(trade(r, 7)).toMatchObject({ kind: 'dividend', unitPrice: '0.1401', amount: 1401, notes: null });
  });
});

describe('Trading 212, the older layout with the currency in the header', () => {
  it('reads `Total (GBP)` and the fee columns named with their currency', () => {
    const csv = [
      'Action,Time,ISIN,Ticker,Name,No. of shares,Price / share,Currency (Price / share),Exchange rate,Result (GBP),Total (GBP),Withholding tax,Currency (Withholding tax),Charge amount (GBP),Stamp duty reserve tax (GBP),Notes,ID,Currency conversion fee (GBP)',
      'Market buy,2021-11-02 08:15:03,GB00BH4HKS39,VOD,"Vodafone",200,110.62,GBX,100.00,,222.35,,,,1.11,,EOF1000000001,',
      'Dividend (Ordinary),2021-12-03 07:00:12,US5949181045,MSFT,"Microsoft",1.2,0.62,USD,Not available,,0.47,0.11,USD,,,,,',
    ].join('\n');
    const r = detectAndParse(text(csv), 'from_2021-11-01_to_2021-12-31.csv');
    expect(r.problems).toEqual([]);
    expect(r.trades).toEqual([
      {
        line: 2, kind: 'buy', date: '2021-11-02', quantity: '200', unitPrice: '1.1062', amount: -22235, fee: 111, currency: 'GBP', splitRatio: null, notes: null,
        asset: { symbol: 'VOD', isin: 'GB00BH4HKS39', name: 'Vodafone', currency: 'GBP' }, reference: 'EOF1000000001',
      },
      {
        line: 3, kind: 'dividend', date: '2021-12-03', quantity: '1.2', unitPrice: null, amount: 47, fee: 0, currency: 'GBP', splitRatio: null,
        notes: 'Dividend 0.62 USD per share; Withholding tax 0.11 USD', asset: { symbol: 'MSFT', isin: 'US5949181045', name: 'Microsoft', currency: 'USD' }, reference: null,
      },
    ]);
  });
});

describe('Freetrade', () => {
  const r = parse('freetrade');
  it('is detected; top-ups and interest are skipped', () => {
    expect(r.format).toBe('freetrade');
    expect(r.problems).toEqual([]);
    expect(r.trades?.map((t) => t.kind)).toEqual(['buy', 'buy', 'dividend', 'sell', 'transfer_in']);
    expect(r.skipped?.map((s) => s.line)).toEqual([2, 8]);
  });
  it('a buy with stamp duty, a USD buy with the FX fee, a sell', () => {
    expect(trade(r, 3)).toEqual({
      line: 3, kind: 'buy', date: '2024-01-09', quantity: '0.05194805', unitPrice: '38.50', amount: -20100, fee: 100, currency: 'GBP', splitRatio: null, notes: null,
      asset: { symbol: 'ULVR', isin: 'GB00B10RZP78', name: 'Unilever', currency: 'GBP' }, reference: '5d1f0c2e-7a4b-4c1d-9e02-1a2b3c4d5e6f',
    });
    expect(trade(r, 4)).toMatchObject({ amount: -15059, fee: 59, unitPrice: '318.24', notes: 'Price 405.10 USD, FX rate 1.27293', asset: { currency: 'USD' } });
    expect(trade(r, 6)).toMatchObject({ kind: 'sell', date: '2024-07-22', quantity: '0.01952000', amount: 8452, fee: 0 });
  });
  it('a dividend net of withholding tax (22:41 UTC on 13 June is 23:41 in London, the same day)', () => {
    expect(trade(r, 5)).toMatchObject({ kind: 'dividend', date: '2024-06-13', quantity: '0.47136751', unitPrice: null, amount: 23, notes: 'Withholding tax 0.04 GBP (15%); Dividend 0.75 USD per share' });
  });
  it('a free share is a transfer in at its price, no cash', () => {
    expect(trade(r, 7)).toMatchObject({ kind: 'transfer_in', quantity: '8', unitPrice: '0.4401', amount: 0, fee: 0, notes: 'Free share' });
  });
});

describe('InvestEngine', () => {
  const r = parse('investengine');
  it('is detected; the ISIN comes out of "Security / ISIN"; £ and thousands separators are read', () => {
    expect(r.format).toBe('investengine');
    expect(r.problems).toEqual([]);
    expect(trade(r, 2)).toEqual({
      line: 2, kind: 'buy', date: '2024-01-15', quantity: '3.512', unitPrice: '104.21', amount: -36599, fee: 0, currency: 'GBP', splitRatio: null, notes: null,
      asset: { symbol: null, isin: 'IE00BK5BQT80', name: 'Vanguard FTSE All-World UCITS ETF (USD) Accumulating', currency: 'GBP' }, reference: null,
    });
    expect(trade(r, 5)).toMatchObject({ quantity: '1250', unitPrice: '0.9912', amount: -123900, asset: { isin: 'IE00B3F81R35', name: 'iShares Core GBP Corporate Bond UCITS ETF, Dist' } });
    expect(trade(r, 6)).toMatchObject({ kind: 'sell', date: '2024-03-28', quantity: '1.0917', amount: 9941 });
  });
});

describe('Vanguard UK', () => {
  const r = parse('vanguard_uk');
  it('is detected though its investment table comes after the cash table', () => {
    expect(r.format).toBe('vanguard_uk');
    expect(r.problems).toEqual([]);
    expect(r.trades?.map((t) => [t.line, t.kind])).toEqual([[7, 'dividend'], [12, 'buy'], [13, 'buy'], [14, 'sell']]);
    expect(r.skipped?.map((s) => s.line)).toEqual([3, 4, 5, 6, 8]);
  });
  it('a buy, a sell (negative quantity and cost in the file) and a distribution from the cash table', () => {
    expect(trade(r, 12)).toEqual({
      line: 12, kind: 'buy', date: '2024-01-04', quantity: '2.5401', unitPrice: '255.8914', amount: -64999, fee: 0, currency: 'GBP', splitRatio: null, notes: null,
      asset: { symbol: null, isin: null, name: 'LifeStrategy 80% Equity Fund - Accumulation', currency: 'GBP' }, reference: null,
    });
    expect(trade(r, 14)).toMatchObject({ kind: 'sell', quantity: '1.0000', unitPrice: '262.1500', amount: 26215 });
    expect(trade(r, 7)).toMatchObject({ kind: 'dividend', date: '2024-03-15', quantity: '0', amount: 846, asset: { name: 'FTSE U.K. Equity Income Index Fund - Income' } });
  });
});

describe('Hargreaves Lansdown', () => {
  const r = parse('hargreaves_lansdown');
  it('is detected below its client lines; card payments and the management fee are skipped', () => {
    expect(r.format).toBe('hargreaves_lansdown');
    expect(r.problems).toEqual([]);
    expect(r.skipped?.map((s) => s.line)).toEqual([8, 11]);
  });
  it('a buy: pence to pounds, dealing charge and stamp duty derived as the fee (1000.07 − 400 × 245.80p)', () => {
    expect(trade(r, 9)).toEqual({
      line: 9, kind: 'buy', date: '2024-01-03', quantity: '400', unitPrice: '2.458', amount: -100007, fee: 1687, currency: 'GBP', splitRatio: null, notes: null,
      asset: { symbol: null, isin: null, name: 'Legal & General Group plc Ordinary 2.5p', currency: 'GBP' }, reference: 'B724418920',
    });
  });
  it('a fund buy with no charge, a sell net of £11.95, a dividend named after its holding', () => {
    expect(trade(r, 10)).toMatchObject({ kind: 'buy', quantity: '81.6543', unitPrice: '6.1234', amount: -50000, fee: 0 });
    expect(trade(r, 12)).toMatchObject({ kind: 'sell', date: '2024-03-07', quantity: '150', amount: 37820, fee: 1195 });
    expect(trade(r, 13)).toMatchObject({ kind: 'dividend', quantity: '250', amount: 3403, asset: { name: 'Legal & General Group plc Ordinary 2.5p' } });
  });
});

describe('Interactive Brokers activity statement', () => {
  const r = parse('ibkr');
  it('is detected; SubTotal/Total lines are passed over; the forex line is skipped', () => {
    expect(r.format).toBe('ibkr');
    expect(r.problems).toEqual([]);
    expect(r.trades?.map((t) => t.line)).toEqual([14, 15, 17, 18, 22, 23]);
    expect(r.skipped).toEqual([{ line: 19, reason: 'GBP.USD: a currency exchange, not an investment transaction' }]);
  });
  it('a buy: proceeds plus commission; ISIN and name from Financial Instrument Information', () => {
    expect(trade(r, 14)).toEqual({
      line: 14, kind: 'buy', date: '2024-01-16', quantity: '10', unitPrice: '231.55', amount: -231650, fee: 100, currency: 'USD', splitRatio: null, notes: null,
      asset: { symbol: 'VTI', isin: 'US9229087690', name: 'VANGUARD TOTAL STOCK MKT ETF', currency: 'USD' }, reference: null,
    });
    expect(trade(r, 17)).toMatchObject({ currency: 'GBP', amount: -94044, fee: 300, asset: { isin: 'IE00B3XXRP09' } });
  });
  it('a sell with a four-decimal commission rounded half-even and noted', () => {
    expect(trade(r, 18)).toMatchObject({ kind: 'sell', quantity: '2', amount: 36508, fee: 100, notes: 'Commission -1.0005 USD, rounded half-even to -1.00 USD' });
  });
  it('a dividend net of its withholding tax', () => {
    expect(trade(r, 22)).toMatchObject({ kind: 'dividend', date: '2024-03-28', unitPrice: '0.9305', amount: 791, notes: 'Gross 9.31 USD, withholding tax 1.40 USD', asset: { symbol: 'VTI' } });
  });
});

describe('Interactive Brokers: withholding tax lines', () => {
  it('a tax line without its dividend is listed as skipped, and a tax is taken once for two dividends of one day', () => {
    const csv = [
      'Statement,Header,Field Name,Field Value',
      'Trades,Header,DataDiscriminator,Asset Category,Currency,Symbol,Date/Time,Quantity,T. Price,C. Price,Proceeds,Comm/Fee,Basis,Realized P/L,MTM P/L,Code',
      'Dividends,Header,Currency,Date,Description,Amount',
      'Dividends,Data,USD,2024-03-28,VTI(US9229087690) Cash Dividend USD 0.9305 per Share (Ordinary Dividend),9.31',
      'Dividends,Data,USD,2024-03-28,VTI(US9229087690) Payment in Lieu of Dividend (Ordinary Dividend),0.93',
      'Withholding Tax,Header,Currency,Date,Description,Amount,Code',
      'Withholding Tax,Data,USD,2024-03-28,VTI(US9229087690) Cash Dividend USD 0.9305 per Share - US Tax,-1.40,',
      'Withholding Tax,Data,USD,2024-01-05,AAPL(US0378331005) Cash Dividend USD 0.24 per Share - US Tax,0.36,',
    ].join('\n');
    const r = detectAndParse(text(csv), 'U0000000.csv');
    expect(r.format).toBe('ibkr');
    expect(r.problems).toEqual([]);
    expect(r.trades?.map((t) => t.amount)).toEqual([791, 93]);
    expect(r.skipped).toEqual([{ line: 8, reason: 'Withholding tax with no dividend of its own in this statement (a correction?): not imported' }]);
  });
});

describe('Vanguard UK: a preamble above the tables', () => {
  it('is passed over; a stray row after the tables is a problem', () => {
    const csv = ['Account name,Sample ISA', 'Investment Transactions', 'Date,InvestmentName,TransactionDetails,Quantity,Price,Cost', '04/01/2024,LS80,Bought 1 LS80,1,250.00,250.00'].join('\n');
    expect(detectAndParse(text(csv), 'v.csv')).toMatchObject({ format: 'vanguard_uk', problems: [], trades: [{ line: 4, amount: -25000 }] });
    const stray = detectAndParse(text(`${csv}\nGenerated 05/01/2024,by,someone`), 'v.csv');
    expect(stray.format).toBe('vanguard_uk');
    expect(stray.trades).toEqual([]);
  });
});

describe('detection', () => {
  it('each sample is its own broker', () => {
    for (const name of Object.keys(BROKER_FIXTURES) as Array<keyof typeof BROKER_FIXTURES>) expect(parse(name).format).toBe(name);
  });
  it('bank statements are not taken for a broker', () => {
    for (const name of ['monzo', 'starling', 'revolut', 'barclays', 'lloyds', 'natwest', 'nationwide', 'hsbc'] as const) {
      const { bytes, fileName } = FIXTURES[name];
      const r = detectAndParse(bytes, fileName);
      expect(r.format).toBe(name);
      expect(r.trades).toBeUndefined();
    }
  });
  it('an unknown trade layout goes to the column-mapping step', () => {
    const r = detectAndParse(text('Deal date,Stock,Units,Price,Consideration\n03/01/2024,ACME,10,1.23,12.30\n'), 'trades.csv');
    expect(r).toMatchObject({ format: 'generic', needsMapping: true, columns: ['Deal date', 'Stock', 'Units', 'Price', 'Consideration'] });
    expect(r.trades).toBeUndefined();
  });
});

describe('malformed rows', () => {
  it('one bad row: the problem has its line and column, and nothing imports', () => {
    const { bytes } = BROKER_FIXTURES.trading212;
    const broken = new TextDecoder().decode(bytes).replace('2024-02-05 10:01:55', '2024-02-30 10:01:55').replace('134.00,GBP', '13x.00,GBP');
    const r = detectAndParse(text(broken), 'export.csv');
    expect(r.format).toBe('trading212');
    expect(r.trades).toEqual([]);
    expect(r.problems).toEqual([
      { line: 4, column: 'Time', message: '"2024-02-30 10:01:55" is not a date and time' },
      { line: 5, column: 'Total', message: 'Total: "13x.00" is not an amount' },
    ]);
  });
  it('an unknown action is a problem, not a silent skip', () => {
    const r = detectAndParse(text('Action,Time,ISIN,Ticker,Name,No. of shares,Price / share,Currency (Price / share),Total,Currency (Total)\nMystery,2024-01-01 10:00:00,,,,,,,1.00,GBP\n'), 'x.csv');
    expect(r.problems).toEqual([{ line: 2, column: 'Action', message: 'Unknown action "Mystery"' }]);
    expect(r.trades).toEqual([]);
  });
  it('a money amount with more decimals than the currency is refused', () => {
    const r = detectAndParse(text('Security / ISIN,Transaction Type,Quantity,Share Price,Total Trade Value,Trade Date/Time\nA fund / ISIN IE00BK5BQT80,Buy,1,£1.00,£1.001,15/01/24 14:03:22\n'), 'ie.csv');
    expect(r.problems[0]).toMatchObject({ line: 2, column: 'Total Trade Value' });
    expect(r.trades).toEqual([]);
  });
});

describe('UK dates from UTC instants', () => {
  it('winter: UTC is London time; summer: 23:30 UTC is the next day', () => {
    expect(ukDateOfUtc('2024-01-15 23:30:00', 'T')).toBe('2024-01-15');
    expect(ukDateOfUtc('2024-07-15 23:30:00', 'T')).toBe('2024-07-16');
    expect(ukDateOfUtc('2024-07-15T22:59:59.999Z', 'T')).toBe('2024-07-15');
    expect(ukDateOfUtc('2024-03-31T00:30:00Z', 'T')).toBe('2024-03-31');
    expect(() => ukDateOfUtc('15/07/2024 10:00', 'T')).toThrow(RowProblem);
  });
});

describe('trade deduplication', () => {
  const base = { accountId: 'a1', assetId: 's1', date: '2024-01-03', kind: 'buy', quantity: '2.5000', amount: -36499, currency: 'gbp' };
  it('quantities compare as numbers', () => {
    expect(canonicalQuantity('002.5000')).toBe('2.5');
    expect(canonicalQuantity('0.000')).toBe('0');
    expect(tradeDedupKey(base)).toBe(tradeDedupKey({ ...base, quantity: '2.5', currency: 'GBP' }));
    expect(tradeDedupKey(base)).not.toBe(tradeDedupKey({ ...base, amount: -36500 }));
  });
  it('counts occurrences: two identical buys both import once, and again adds nothing', () => {
    const k = tradeDedupKey(base);
    const other = tradeDedupKey({ ...base, date: '2024-01-04' });
    expect(duplicateFlags([k, k, other], [])).toEqual([false, false, false]);
    expect(duplicateFlags([k, k, other], [k])).toEqual([true, false, false]);
    expect(duplicateFlags([k, k, other], [k, k, other])).toEqual([true, true, true]);
  });
});

describe('asset matching', () => {
  const known = [
    { id: 'apple', symbol: 'AAPL', isin: 'US0378331005', name: 'Apple Inc', currency: 'USD' },
    { id: 'ls80', symbol: 'LS80', isin: null, name: 'LifeStrategy 80% Equity Fund - Accumulation', currency: 'GBP' },
  ];
  const t = (a: ParsedTrade['asset']): ParsedTrade => ({ line: 1, kind: 'buy', date: '2024-01-01', quantity: '1', unitPrice: '1', amount: -100, fee: 0, currency: 'GBP', splitRatio: null, notes: null, asset: a, reference: null });
  it('by ISIN, then symbol, then name; new assets are created once and reused', () => {
    let n = 0;
    const { assetIds, created } = resolveAssets([
      t({ symbol: null, isin: 'US0378331005', name: 'x', currency: 'USD' }),
      t({ symbol: 'AAPL', isin: null, name: 'x', currency: 'USD' }),
      t({ symbol: 'AAPL', isin: 'XS0000000009', name: 'x', currency: 'USD' }),
      t({ symbol: null, isin: null, name: 'lifestrategy 80%  equity fund – accumulation', currency: 'GBP' }),
      t({ symbol: null, isin: 'IE00BK5BQT80', name: 'Vanguard FTSE All-World UCITS ETF', currency: 'GBP' }),
      t({ symbol: 'VWRP', isin: 'IE00BK5BQT80', name: 'Vanguard FTSE All-World UCITS ETF', currency: 'GBP' }),
    ], known, () => `new${++n}`);
    expect(assetIds).toEqual(['apple', 'apple', 'new1', 'ls80', 'new2', 'new2']);
    expect(created).toEqual([
      { id: 'new1', symbol: 'AAPL', name: 'x', kind: 'stock', currency: 'USD', provider: 'manual', providerId: null, isin: 'XS0000000009' },
      { id: 'new2', symbol: 'IE00BK5BQT80', name: 'Vanguard FTSE All-World UCITS ETF', kind: 'etf', currency: 'GBP', provider: 'manual', providerId: null, isin: 'IE00BK5BQT80' },
    ]);
  });
});
