import { describe, expect, it } from 'vitest';
import { FIXTURES } from './__fixtures__/fixtures.ts';
import { detectAndParse } from './detect-and-parse.ts';
import type { ParsedTransaction, ParseResult } from './detect-and-parse.ts';

const GBP = { currency: 'GBP', pending: false } as const;

function parseFixture(name: keyof typeof FIXTURES, options?: Parameters<typeof detectAndParse>[2]): ParseResult {
  const { bytes, fileName } = FIXTURES[name];
  return detectAndParse(bytes, fileName, options) as ParseResult;
}

// Expected rows written by reading each fixture by hand: sign, pence, day-first dates and currency.
const EXPECTED: Record<Exclude<keyof typeof FIXTURES, 'generic'>, { format: string; transactions: ParsedTransaction[] }> = {
  monzo: {
    format: 'monzo',
    transactions: [
      { ...GBP, date: '2024-03-01', amount: -345, description: 'PRET A MANGER LONDON GBR', payee: 'Pret A Manger', reference: 'tx_0000AbCdEf123' },
      { ...GBP, date: '2024-03-01', amount: -345, description: 'PRET A MANGER LONDON GBR', payee: 'Pret A Manger', reference: 'tx_0000AbCdEf124' },
      { ...GBP, date: '2024-03-02', amount: 215000, description: 'ACME LTD SALARY', payee: 'Acme Ltd', reference: 'tx_0000AbCdEf125' },
      { date: '2024-03-03', amount: -820, currency: 'EUR', pending: false, description: 'BOULANGERIE PAUL PARIS FRA', payee: 'Boulangerie Paul', reference: 'tx_0000AbCdEf126' },
    ],
  },
  starling: {
    format: 'starling',
    transactions: [
      { ...GBP, date: '2024-03-04', amount: -2467, description: 'Tesco - TESCO STORES 3145', payee: 'Tesco', balance: 97533 },
      { ...GBP, date: '2024-03-05', amount: 45000, description: 'J Smith - Rent share', payee: 'J Smith', balance: 142533 },
      { ...GBP, date: '2024-03-06', amount: -1099, description: 'Netflix - NETFLIX.COM', payee: 'Netflix', balance: 141434 },
    ],
  },
  revolut: {
    format: 'revolut',
    transactions: [
      { ...GBP, date: '2024-03-01', amount: 10000, description: 'Top-Up by *1234', balance: 10000 },
      { ...GBP, date: '2024-03-02', amount: -1250, description: 'Uber', balance: 8750 },
      { ...GBP, date: '2024-03-04', amount: -5000, description: 'Exchanged to EUR', balance: 3725, fee: 25 },
      { currency: 'GBP', pending: true, date: '2024-03-05', amount: -780, description: "Sainsbury's" },
    ],
  },
  barclays: {
    format: 'barclays',
    transactions: [
      { ...GBP, date: '2024-03-07', amount: -5210, description: 'SAINSBURYS S/MKT ON 06 MAR BCC' },
      { ...GBP, date: '2024-03-07', amount: 145000, description: 'ACME LTD SALARY MAR BGC' },
      { ...GBP, date: '2024-03-08', amount: -6500, description: 'THAMES WATER 9912345 DDR' },
    ],
  },
  lloyds: {
    format: 'lloyds',
    transactions: [
      { ...GBP, date: '2024-03-11', amount: -310, description: 'COSTA COFFEE 43321 CD 1234', balance: 102140 },
      { ...GBP, date: '2024-03-10', amount: 2500, description: 'J SMITH REFUND 55512', balance: 102450 },
      { ...GBP, date: '2024-03-09', amount: -109950, description: 'BRITISH GAS', balance: 99950 },
    ],
  },
  natwest: {
    format: 'natwest',
    transactions: [
      { ...GBP, date: '2024-03-12', amount: -280, description: '4321 11MAR24 , TFL TRAVEL CH , TFL.GOV.UK/CP GB', balance: 119720 },
      { ...GBP, date: '2024-03-12', amount: 250000, description: 'EMPLOYER PLC , SALARY', balance: 120000 },
      { ...GBP, date: '2024-03-13', amount: -14500, description: 'COUNCIL TAX', balance: 105220 },
    ],
  },
  hsbc: {
    format: 'hsbc',
    transactions: [
      { ...GBP, date: '2024-03-14', amount: -3642, description: 'WAITROSE 123 LONDON' },
      { ...GBP, date: '2024-03-15', amount: 234567, description: 'SALARY ACME LTD' },
      { ...GBP, date: '2024-03-16', amount: -120000, description: 'HMRC SELF ASSESSMENT' },
    ],
  },
  santander: {
    format: 'santander',
    transactions: [
      { ...GBP, date: '2024-03-18', amount: -2450, description: 'CARD PAYMENT TO MARKS & SPENCER,24.50 GBP, RATE 1.00/GBP ON 16-03-2024', balance: 197550 },
      { ...GBP, date: '2024-03-19', amount: 200000, description: 'BANK GIRO CREDIT REF ACME LTD, SALARY', balance: 397550 },
    ],
  },
  nationwide: {
    format: 'nationwide',
    transactions: [
      { ...GBP, date: '2024-03-20', amount: -320, description: 'CAFÉ NERO BRISTOL', balance: 123456 },
      { ...GBP, date: '2024-03-21', amount: 100000, description: 'SAVINGS', balance: 223456 },
      { ...GBP, date: '2024-03-22', amount: -110725, description: 'OCTOPUS ENERGY', balance: 112731 },
    ],
  },
  ofx: {
    format: 'ofx',
    transactions: [
      { ...GBP, date: '2024-03-23', amount: -1599, description: 'SPOTIFY - P123 ONLINE', payee: 'SPOTIFY', reference: '202403230001' },
      { ...GBP, date: '2024-03-25', amount: 125000, description: 'ACME & SONS - SALARY', payee: 'ACME & SONS', reference: '202403250002' },
    ],
  },
  qfx: {
    format: 'ofx',
    transactions: [
      { currency: 'USD', pending: false, date: '2024-03-26', amount: -104900, description: 'APPLE STORE', payee: 'APPLE STORE', reference: 'CC-2024-0326-A' },
      { currency: 'USD', pending: false, date: '2024-03-28', amount: 50000, description: 'PAYMENT - THANK YOU - Autopay', payee: 'PAYMENT - THANK YOU', reference: 'CC-2024-0328-B' },
    ],
  },
  qif: {
    format: 'qif',
    transactions: [
      { ...GBP, date: '2024-03-27', amount: -4200, description: 'Shell Garage - Fuel', payee: 'Shell Garage', reference: '1001' },
      { ...GBP, date: '2024-03-28', amount: 150000, description: 'Acme Ltd - Salary', payee: 'Acme Ltd' },
      { ...GBP, date: '2024-03-29', amount: -999, description: 'Disney Plus', payee: 'Disney Plus' },
    ],
  },
  camt053: {
    format: 'camt053',
    transactions: [
      { ...GBP, date: '2024-03-29', amount: -12050, description: 'Invoice 2024-03', payee: 'Electric & Gas Co', reference: 'REF-0329-0001' },
      { currency: 'EUR', pending: true, date: '2024-03-30', amount: 7500, description: 'Refund <order 42>', payee: 'Hans Müller', reference: 'REF-0330-0002' },
    ],
  },
};

describe('detectAndParse on each bank fixture', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`detects ${name} as ${expected.format} and reads its rows exactly`, () => {
      const result = parseFixture(name as keyof typeof EXPECTED);
      expect(result.format).toBe(expected.format);
      expect(result.transactions).toEqual(expected.transactions);
      expect(result.needsMapping).toBeUndefined();
    });
  }

  it('reports the Revolut REVERTED row with its line instead of dropping it', () => {
    expect(parseFixture('revolut').problems).toEqual([{ line: 6, column: 'state', message: expect.stringMatching(/REVERTED/) }]);
  });

  it('reports the CAMT.053 information-only entry with its line', () => {
    expect(parseFixture('camt053').problems).toEqual([{ line: 34, column: 'Sts', message: expect.stringMatching(/INFO/) }]);
  });

  it('finds the fixtures clean apart from those two', () => {
    for (const name of Object.keys(EXPECTED)) {
      if (name === 'revolut' || name === 'camt053') continue;
      expect(parseFixture(name as keyof typeof EXPECTED).problems, name).toEqual([]);
    }
  });

  it('reads the same statement in UTF-16 BE with a BOM', () => {
    const text = new TextDecoder().decode(FIXTURES.starling.bytes);
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xfe, 0xff]);
    for (let i = 0; i < text.length; i++) {
      bytes[2 + i * 2] = text.charCodeAt(i) >> 8;
      bytes[3 + i * 2] = text.charCodeAt(i) & 0xff;
    }
    const result = detectAndParse(bytes, 'starling.csv') as ParseResult;
    expect(result.format).toBe('starling');
    expect(result.transactions).toEqual(EXPECTED.starling.transactions);
  });

  it('detects by header names whatever the column order', () => {
    const csv = 'Amount,Counter Party,Date,Type,Reference\n-1.50,Greggs,02/04/2024,CONTACTLESS,GREGGS 12\n';
    const result = detectAndParse(new TextEncoder().encode(csv), 'x.csv') as ParseResult;
    expect(result.format).toBe('starling');
    expect(result.transactions).toEqual([{ ...GBP, date: '2024-04-02', amount: -150, description: 'Greggs - GREGGS 12', payee: 'Greggs' }]);
  });
});

describe('generic CSV with a column mapping', () => {
  it('asks for a mapping and lists the columns when the header is unknown', () => {
    const result = parseFixture('generic');
    expect(result).toMatchObject({ format: 'generic', needsMapping: true, transactions: [], columns: ['Posted', 'Details', 'Value', 'Ref'] });
  });

  it('parses with a signed amount column, (x) negatives and skips the Total line', () => {
    const result = parseFixture('generic', {
      mapping: { dateColumn: 'Posted', dateFormat: 'YYYY-MM-DD', amountColumn: 'Value', descriptionColumn: 'Details', referenceColumn: 'Ref' },
    });
    expect(result.problems).toEqual([]);
    expect(result.needsMapping).toBeUndefined();
    expect(result.transactions).toEqual([
      { ...GBP, date: '2024-03-01', amount: -350, description: 'Coffee shop', reference: 'A1' },
      { ...GBP, date: '2024-03-02', amount: 123400, description: 'Refund', reference: 'A2' },
      { ...GBP, date: '2024-03-03', amount: -75, description: 'Bank charge', reference: 'A3' },
    ]);
  });

  it('parses a paid-out/paid-in pair with a month-first date format and another currency', () => {
    const csv = 'When,What,Out,In\n03/15/2024,Rent,"$1,200.00",\n03/16/2024,Pay,,$99.5\n';
    const result = detectAndParse(new TextEncoder().encode(csv), 'us.csv', {
      mapping: { dateColumn: 'When', dateFormat: 'MM/DD/YYYY', paidOutColumn: 'Out', paidInColumn: 'In', descriptionColumn: 'What', currency: 'USD' },
    }) as ParseResult;
    expect(result.transactions).toEqual([
      { currency: 'USD', pending: false, date: '2024-03-15', amount: -120000, description: 'Rent' },
      { currency: 'USD', pending: false, date: '2024-03-16', amount: 9950, description: 'Pay' },
    ]);
  });

  it('refuses a mapping naming a column the file lacks, without parsing anything', () => {
    const result = parseFixture('generic', { mapping: { dateColumn: 'Date', dateFormat: 'YYYY-MM-DD', amountColumn: 'Value', descriptionColumn: 'Details' } });
    expect(result.transactions).toEqual([]);
    expect(result.problems).toEqual([{ line: 1, column: 'Date', message: 'Column "Date" is not in the header' }]);
  });

  it('refuses a mapping with both a signed amount and a paid-out column', () => {
    const result = parseFixture('generic', {
      mapping: { dateColumn: 'Posted', dateFormat: 'YYYY-MM-DD', amountColumn: 'Value', paidOutColumn: 'Value', descriptionColumn: 'Details' },
    });
    expect(result.transactions).toEqual([]);
    expect(result.problems[0]?.message).toMatch(/either one signed amount column or a paid-out\/paid-in pair/);
  });
});

describe('problems carry line and column', () => {
  it('reports a bad amount and a bad date on the lines they sit on, past a quoted newline', () => {
    const csv = 'Date,Counter Party,Reference,Type,Amount (GBP)\n01/04/2024,"Two\nlines",R,T,-1.00\n02/04/2024,A,R,T,abc\n31/02/2024,B,R,T,-2.00\n';
    const result = detectAndParse(new TextEncoder().encode(csv), 's.csv') as ParseResult;
    expect(result.transactions.map((t) => t.amount)).toEqual([-100]);
    expect(result.problems).toEqual([
      { line: 4, column: 'amount (gbp)', message: expect.stringMatching(/not an amount/) },
      { line: 5, column: 'date', message: expect.stringMatching(/not a DD\/MM\/YYYY date/) },
    ]);
  });

  it('reports an amount with more decimals than the currency has instead of rounding', () => {
    const csv = 'Date,Counter Party,Reference,Type,Amount (GBP)\n01/04/2024,A,R,T,-1.005\n';
    const result = detectAndParse(new TextEncoder().encode(csv), 's.csv') as ParseResult;
    expect(result.transactions).toEqual([]);
    expect(result.problems[0]).toMatchObject({ line: 2, column: 'amount (gbp)' });
  });

  it('returns a problem, not an exception, for an empty file', () => {
    expect(detectAndParse(new Uint8Array(), 'empty.csv')).toEqual({ format: 'generic', transactions: [], problems: [{ line: 1, message: 'The file is empty' }] });
  });
});

describe('QIF dates', () => {
  const qif = (dates: string[]): ParseResult =>
    detectAndParse(new TextEncoder().encode(`!Type:CCard\n${dates.map((d) => `D${d}\nT-1.00\nPShop\n^`).join('\n')}\n`), 'c.qif') as ParseResult;

  it("reads Quicken's US apostrophe years month-first", () => {
    expect(qif(["3/ 5'24", "12/31'23"]).transactions.map((t) => t.date)).toEqual(['2024-03-05', '2023-12-31']);
  });

  it('switches to month-first when a second field is above 12', () => {
    expect(qif(['03/05/2024', '03/25/2024']).transactions.map((t) => t.date)).toEqual(['2024-03-05', '2024-03-25']);
  });

  it('stays day-first for UK files and when told', () => {
    expect(qif(['03/05/2024', '25/03/2024']).transactions.map((t) => t.date)).toEqual(['2024-05-03', '2024-03-25']);
    const told = detectAndParse(new TextEncoder().encode('!Type:Bank\nD03/05/2024\nT1\n^\n'), 'b.qif', { qifDateOrder: 'MDY' }) as ParseResult;
    expect(told.transactions.map((t) => t.date)).toEqual(['2024-03-05']);
  });

  it('reports a record without a usable amount on its first line', () => {
    const result = detectAndParse(new TextEncoder().encode('!Type:Bank\nD01/02/2024\nTten\nPX\n^\nD02/02/2024\nT-2.00\n^\n'), 'b.qif') as ParseResult;
    expect(result.transactions.map((t) => t.amount)).toEqual([-200]);
    expect(result.problems).toEqual([{ line: 2, column: 'T', message: expect.stringMatching(/not an amount/) }]);
  });
});

describe('CSV footers and undated rows', () => {
  it('passes over a summary footer but reports an undated row that is not one', () => {
    const csv = 'Date,Counter Party,Reference,Type,Amount (GBP)\n01/04/2024,A,R,T,-1.00\n,B,R,T,-2.00\nClosing balance,,,,99.00\n';
    const result = detectAndParse(new TextEncoder().encode(csv), 's.csv') as ParseResult;
    expect(result.transactions.map((t) => t.amount)).toEqual([-100]);
    expect(result.problems).toEqual([{ line: 3, column: 'date', message: expect.stringMatching(/not a DD\/MM\/YYYY date/) }]);
  });
});
