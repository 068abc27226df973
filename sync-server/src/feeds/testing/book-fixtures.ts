import { randomUUID } from 'node:crypto';
import type { Account, Asset, InvestmentTransaction, Settings, Transaction } from '@mymidas/shared/schema';
import type { FieldCipher } from '../../crypto/field-cipher.ts';
import type { Database } from '../../store/database.ts';
import { upsertDoc } from '../../store/documents.ts';

/** Documents of a user's book for feed tests, stored as a device's push would store them. */

const stamp = () => `${String(Date.parse('2026-01-01T00:00:00Z')).padStart(13, '0')}:0000:test-device`;

export function account(over: Partial<Account> = {}): Account {
  return { id: randomUUID(), hlc: stamp(), name: 'Brokerage', type: 'investment_gia', currency: 'GBP', institution: null, accountRef: null, openingBalance: 0, openingDate: '2026-01-01', creditLimit: null, apr: null, closed: false, sortOrder: 0, notes: null, ...over };
}

export function asset(over: Partial<Asset> = {}): Asset {
  return { id: randomUUID(), hlc: stamp(), symbol: 'VWRL.L', name: 'Vanguard FTSE All-World', kind: 'etf', currency: 'GBP', provider: 'yahoo', providerId: 'VWRL.L', isin: 'IE00B3RBWM25', ...over };
}

export function trade(accountId: string, assetId: string, over: Partial<InvestmentTransaction> = {}): InvestmentTransaction {
  return { id: randomUUID(), hlc: stamp(), accountId, assetId, kind: 'buy', date: '2026-11-02', quantity: '10', unitPrice: '118.50', amount: -118_500, fee: 0, currency: 'GBP', splitRatio: null, notes: null, ...over };
}

export function cashTransaction(accountId: string, over: Partial<Transaction> = {}): Transaction {
  return { id: randomUUID(), hlc: stamp(), accountId, date: '2026-11-02', amount: -1234, currency: 'GBP', categoryId: null, tags: [], merchant: null, description: 'Test', notes: null, transferId: null, importHash: null, status: 'cleared', splits: [], ...over };
}

export function settings(over: Partial<Settings> = {}): Settings {
  return { id: randomUUID(), hlc: stamp(), baseCurrency: 'GBP', locale: 'en-GB', timezone: 'Europe/London', budgetStartDay: 1, idleLockMinutes: 15, ...over };
}

export interface BookDocs {
  accounts?: Account[];
  assets?: Asset[];
  trades?: InvestmentTransaction[];
  transactions?: Transaction[];
  settings?: Settings[];
}

export async function seedBook(db: Database, cipher: FieldCipher, userId: string, docs: BookDocs): Promise<void> {
  await db.withUser(userId, async (sql) => {
    for (const d of docs.accounts ?? []) await upsertDoc(sql, cipher, 'accounts', userId, d);
    for (const d of docs.assets ?? []) await upsertDoc(sql, cipher, 'assets', userId, d);
    for (const d of docs.trades ?? []) await upsertDoc(sql, cipher, 'investment_transactions', userId, d);
    for (const d of docs.transactions ?? []) await upsertDoc(sql, cipher, 'transactions', userId, d);
    for (const d of docs.settings ?? []) await upsertDoc(sql, cipher, 'settings', userId, d);
  });
}
