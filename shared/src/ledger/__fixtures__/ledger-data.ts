import type { Account, Transaction } from '../../schema/registry.ts';

/** Test data builders for the ledger rules: valid documents with readable defaults. */

/** A lowercase UUID-shaped id from a small number, readable in failures (…-000000000042). */
export function testId(n: number, group = 0): string {
  return `01939a6e-${group.toString(16).padStart(4, '0')}-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

const HLC = '1764000000000:0000:device-a';

export function makeAccount(over: Partial<Account> & Pick<Account, 'id'>): Account {
  return {
    hlc: HLC, name: 'Account', type: 'current', currency: 'GBP', institution: null, accountRef: null,
    openingBalance: 0, openingDate: '2026-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 0, notes: null,
    ...over,
  };
}

export function makeTx(over: Partial<Transaction> & Pick<Transaction, 'id' | 'accountId' | 'amount'>): Transaction {
  return {
    hlc: HLC, date: '2026-03-10', currency: 'GBP', categoryId: null, tags: [], merchant: null, description: '',
    notes: null, transferId: null, importHash: null, status: 'cleared', splits: [],
    ...over,
  };
}

/** mulberry32: a small seeded generator so "random" data sets are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
