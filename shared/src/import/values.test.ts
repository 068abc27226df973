import { describe, expect, it } from 'vitest';
import { decodeStatement } from './text.ts';
import { parseAmount, parseDate } from './values.ts';

describe('parseAmount', () => {
  const cases: [string, string, number][] = [
    ['12.34', 'GBP', 1234],
    ['-12.34', 'GBP', -1234],
    ['(12.34)', 'GBP', -1234],
    ['£1,234.56', 'GBP', 123456],
    ['-£1,234.56', 'GBP', -123456],
    ['1,234,567.8', 'GBP', 123456780],
    [' +7 ', 'GBP', 700],
    ['12.34-', 'GBP', -1234],
    ['12.34 DR', 'GBP', -1234],
    ['12.34CR', 'GBP', 1234],
    ['−5.00', 'GBP', -500],
    ['1500', 'JPY', 1500],
    ['-24.50 GBP', 'GBP', -2450],
    ['€0.99', 'EUR', 99],
    ['.5', 'GBP', 50],
  ];
  for (const [text, currency, expected] of cases) {
    it(`reads "${text}" as ${expected} minor units of ${currency}`, () => {
      expect(parseAmount(text, currency)).toEqual({ ok: true, value: expected });
    });
  }

  for (const text of ['', 'abc', '1.2.3', '12,34', '1,23.00', '12.345', '--1', '1e5', 'NaN', '99999999999999999999']) {
    it(`refuses "${text}"`, () => {
      expect(parseAmount(text, 'GBP').ok).toBe(false);
    });
  }

  it('refuses fractional yen rather than rounding', () => {
    expect(parseAmount('10.5', 'JPY').ok).toBe(false);
  });
});

describe('parseDate', () => {
  it('reads day-first and month-first numeric dates as told', () => {
    expect(parseDate('05/01/2024', 'DD/MM/YYYY')).toEqual({ ok: true, value: '2024-01-05' });
    expect(parseDate('05/01/2024', 'MM/DD/YYYY')).toEqual({ ok: true, value: '2024-05-01' });
    expect(parseDate('5.1.24', 'DD.MM.YYYY')).toEqual({ ok: true, value: '2024-01-05' });
  });

  it('reads ISO dates and times, and named months, whatever the format', () => {
    expect(parseDate('2024-03-02 13:45:10', 'DD/MM/YYYY')).toEqual({ ok: true, value: '2024-03-02' });
    expect(parseDate('2024-03-02T23:59:59+01:00', 'YYYY-MM-DD')).toEqual({ ok: true, value: '2024-03-02' });
    expect(parseDate('20 Mar 2024', 'D MMM YYYY')).toEqual({ ok: true, value: '2024-03-20' });
    expect(parseDate('1-Sep-24', 'DD/MM/YYYY')).toEqual({ ok: true, value: '2024-09-01' });
  });

  it('refuses dates that do not exist', () => {
    expect(parseDate('29/02/2023', 'DD/MM/YYYY').ok).toBe(false);
    expect(parseDate('29/02/2024', 'DD/MM/YYYY').ok).toBe(true);
    expect(parseDate('13/13/2024', 'DD/MM/YYYY').ok).toBe(false);
    expect(parseDate('2024-02-30', 'YYYY-MM-DD').ok).toBe(false);
    expect(parseDate('Total', 'DD/MM/YYYY').ok).toBe(false);
  });
});

describe('decodeStatement', () => {
  it('drops a UTF-8 BOM and normalises CRLF and CR', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x0d, 0x0a, 0x62, 0x0d, 0x63]);
    expect(decodeStatement(bytes)).toEqual({ text: 'a\nb\nc', encoding: 'utf-8' });
  });

  it('reads UTF-16 LE and BE by their BOM', () => {
    expect(decodeStatement(new Uint8Array([0xff, 0xfe, 0xa3, 0x00, 0x31, 0x00]))).toEqual({ text: '£1', encoding: 'utf-16le' });
    expect(decodeStatement(new Uint8Array([0xfe, 0xff, 0x00, 0xa3, 0x00, 0x31]))).toEqual({ text: '£1', encoding: 'utf-16be' });
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8, so 0xA3 is a pound sign', () => {
    expect(decodeStatement(new Uint8Array([0xa3, 0x35, 0x80]))).toEqual({ text: '£5€', encoding: 'windows-1252' });
  });

  it('keeps valid UTF-8 as UTF-8', () => {
    expect(decodeStatement(new TextEncoder().encode('£5 café'))).toEqual({ text: '£5 café', encoding: 'utf-8' });
  });
});
