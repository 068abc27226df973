import { randomUUID } from 'node:crypto';

let counter = 0;

/** A valid `accounts` document as a client would push it (UUIDv4 ids are accepted like v7). */
export function accountDoc(over: Record<string, unknown> = {}): Record<string, unknown> & { id: string } {
  counter++;
  return {
    id: randomUUID(),
    hlc: `${String(1_750_000_000_000 + counter).padStart(13, '0')}:0000:test-node`,
    name: `Current account ${counter}`,
    type: 'current',
    currency: 'GBP',
    institution: 'Example Bank',
    accountRef: '12-34-56 12345678',
    openingBalance: 12_345,
    openingDate: '2026-01-01',
    creditLimit: null,
    apr: null,
    closed: false,
    sortOrder: counter % 1000,
    notes: null,
    _deleted: false,
    ...over,
  };
}
