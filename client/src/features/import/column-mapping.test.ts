import { describe, expect, it } from 'vitest';
import { detectAndParse } from '@mymidas/shared/import';
import type { ParseResult } from '@mymidas/shared/import';
import { formFromMapping, guessDateFormat, mappingDocId, mappingFitsColumns, mappingFromForm, suggestMapping } from './column-mapping.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const parse = (text: string, mapping?: Parameters<typeof detectAndParse>[2]) => detectAndParse(enc(text), 'export.csv', mapping) as ParseResult;

describe('suggesting a mapping from the header', () => {
  it('guesses date, one signed amount and description', () => {
    const form = suggestMapping(['Posted', 'Details', 'Value', 'Ref']);
    expect(form).toMatchObject({ dateColumn: 'Posted', descriptionColumn: 'Details', amountMode: 'signed', amountColumn: 'Value', referenceColumn: 'Ref' });
  });

  it('guesses a paid-out / paid-in pair when there is no amount column', () => {
    const form = suggestMapping(['Txn Date', 'Narrative', 'Money Out', 'Money In', 'Running Balance']);
    expect(form).toMatchObject({ dateColumn: 'Txn Date', descriptionColumn: 'Narrative', amountMode: 'pair', paidOutColumn: 'Money Out', paidInColumn: 'Money In', amountColumn: '' });
  });

  it('leaves what it cannot guess empty', () => {
    expect(suggestMapping(['A', 'B'])).toMatchObject({ dateColumn: '', amountColumn: '', descriptionColumn: '' });
  });
});

describe('the date format from sample cells', () => {
  it('picks the first format that reads every sample', () => {
    expect(guessDateFormat(['2024-03-01', '2024-12-31'])).toBe('YYYY-MM-DD');
    expect(guessDateFormat(['01/03/2024', '31/12/2024'])).toBe('DD/MM/YYYY');
    expect(guessDateFormat(['12/31/2024', '01/03/2024'])).toBe('MM/DD/YYYY');
    expect(guessDateFormat(['01.03.2024'])).toBe('DD.MM.YYYY');
    expect(guessDateFormat(['1 Mar 2024', '20 March 2024'])).toBe('D MMM YYYY');
    expect(guessDateFormat(['yesterday'])).toBeNull();
    expect(guessDateFormat([])).toBeNull();
  });
});

describe('the mapping form', () => {
  const columns = ['Posted', 'Details', 'Value', 'Out', 'In'];

  it('names what is missing instead of producing a mapping', () => {
    const form = { ...suggestMapping(columns), dateColumn: '', descriptionColumn: 'Nope' };
    const check = mappingFromForm(form, columns);
    expect(check.mapping).toBeNull();
    expect(check.errors.dateColumn).toBe('Choose the date column');
    expect(check.errors.descriptionColumn).toBe('"Nope" is not a column of this file');
  });

  it('asks for at least one column of a pair and refuses the same column twice', () => {
    const form = { ...suggestMapping(columns), amountMode: 'pair' as const, paidOutColumn: '', paidInColumn: '' };
    expect(mappingFromForm(form, columns).errors.paidOutColumn).toMatch(/paid-out column/);
    expect(mappingFromForm({ ...form, paidOutColumn: 'Out', paidInColumn: 'Out' }, columns).errors.paidInColumn).toMatch(/different/);
  });

  it('produces a mapping the parser reads, signed and inverted', () => {
    const text = 'Posted,Details,Value\n01/03/2024,Coffee,3.50\n02/03/2024,Refund,-10.00\n';
    const form = { ...suggestMapping(['Posted', 'Details', 'Value']), invertAmount: true };
    const { mapping } = mappingFromForm(form, ['Posted', 'Details', 'Value']);
    expect(mapping).not.toBeNull();
    const result = parse(text, { mapping: mapping ?? undefined });
    expect(result.problems).toEqual([]);
    expect(result.transactions.map((t) => [t.date, t.amount, t.description])).toEqual([['2024-03-01', -350, 'Coffee'], ['2024-03-02', 1000, 'Refund']]);
  });

  it('produces a paid-out / paid-in mapping the parser reads', () => {
    const text = 'When,What,Out,In\n2024-03-01,Coffee,3.50,\n2024-03-02,Salary,,"1,200.00"\n';
    const cols = ['When', 'What', 'Out', 'In'];
    const form = { ...suggestMapping(cols), dateColumn: 'When', dateFormat: 'YYYY-MM-DD' as const, descriptionColumn: 'What', amountMode: 'pair' as const, paidOutColumn: 'Out', paidInColumn: 'In' };
    const { mapping, errors } = mappingFromForm(form, cols);
    expect(errors).toEqual({});
    const result = parse(text, { mapping: mapping ?? undefined });
    expect(result.transactions.map((t) => t.amount)).toEqual([-350, 120_000]);
  });

  it('round-trips through a saved mapping', () => {
    const form = { ...suggestMapping(columns), amountMode: 'pair' as const, paidOutColumn: 'Out', paidInColumn: 'In', amountColumn: '' };
    const { mapping } = mappingFromForm(form, columns);
    expect(formFromMapping(mapping!)).toEqual({ ...form, invertAmount: false, payeeColumn: '', referenceColumn: '' });
  });

  it('tells whether a saved mapping fits another file (case and spacing ignored)', () => {
    const { mapping } = mappingFromForm(suggestMapping(['Posted', 'Details', 'Value']), ['Posted', 'Details', 'Value']);
    expect(mappingFitsColumns(mapping!, ['POSTED', ' details ', 'Value'])).toBe(true);
    expect(mappingFitsColumns(mapping!, ['Posted', 'Details', 'Amount'])).toBe(false);
  });

  it('keeps one mapping per account', () => {
    expect(mappingDocId('a')).not.toBe(mappingDocId('b'));
  });
});
