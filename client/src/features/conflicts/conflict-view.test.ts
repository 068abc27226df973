import { describe, expect, it } from 'vitest';
import { collectionLabel, documentLabel, fieldLabel, formatValue, formatWhen, stampTime } from './conflict-view.ts';

describe('conflict log words', () => {
  it('names fields and collections in plain words', () => {
    expect(fieldLabel('openingBalance')).toBe('opening balance');
    expect(fieldLabel('accountRef')).toBe('account ref');
    expect(fieldLabel('_deleted')).toBe('deleted');
    expect(fieldLabel('category_id')).toBe('category id');
    expect(collectionLabel('transactions')).toBe('Transaction');
    expect(collectionLabel('something_new')).toBe('something_new');
  });

  it('labels a document by its name, a transaction with its date, an unknown one by kind and id', () => {
    expect(documentLabel('accounts', 'a1b2c3d4-0000', { name: 'Joint current' })).toBe('Joint current');
    expect(documentLabel('transactions', 'x', { merchant: 'Tesco', date: '2026-11-02' })).toBe('Tesco (2026-11-02)');
    expect(documentLabel('transactions', '0123456789abcdef', null)).toBe('Transaction 01234567');
    expect(documentLabel('accounts', 'feedbeef-1', { name: '  ' })).toBe('Account feedbeef');
  });

  it('formats money fields in the document currency from integer minor units, and other values plainly', () => {
    expect(formatValue('amount', -1234, { currency: 'GBP' })).toBe('-£12.34');
    expect(formatValue('openingBalance', 125000, { currency: 'JPY' })).toBe('JP¥125,000');
    expect(formatValue('amount', 1234, null)).toBe('1234');
    expect(formatValue('sortOrder', 3, { currency: 'GBP' })).toBe('3');
    expect(formatValue('name', 'Savings', null)).toBe('Savings');
    expect(formatValue('name', '', null)).toBe('(empty text)');
    expect(formatValue('notes', undefined, null)).toBe('(not set)');
    expect(formatValue('creditLimit', null, null)).toBe('(empty)');
    expect(formatValue('closed', true, null)).toBe('yes');
    expect(formatValue('_deleted', true, null)).toBe('deleted');
    expect(formatValue('_deleted', false, null)).toBe('present');
    expect(formatValue('tags', ['a', 'b'], null)).toBe('["a","b"]');
  });

  it('reads the wall-clock time of an HLC stamp', () => {
    expect(stampTime('1732000000000:0000:device-a')?.toISOString()).toBe('2024-11-19T07:06:40.000Z');
    expect(stampTime('not a stamp')).toBeNull();
    expect(formatWhen(null)).toBe('unknown time');
    expect(formatWhen(new Date('2024-11-19T07:06:40Z'), 'en-GB')).toMatch(/19 Nov 2024/);
  });
});
