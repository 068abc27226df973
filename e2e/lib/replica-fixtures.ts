import type { Transaction } from '@mymidas/shared/schema';

/**
 * Deterministic transaction documents for the replica tests and benchmark (the shared demo generator
 * does not exist yet). Every PII value carries a unique marker so a raw-storage scan can look for it.
 */

const MERCHANTS = ['Tesco', 'Sainsbury', 'Café Nero', 'Octopus Energy', 'Thames Water', 'Amazon', 'Pret', 'TfL'];

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

/** A lowercase RFC 4122 layout id whose digits encode `n` (time-ordered like UUIDv7). */
export function sequentialId(prefix: number, n: number): string {
  const tail = hex(n, 12);
  return `${hex(prefix, 8)}-0000-7000-8000-${tail}`;
}

export const ACCOUNT_ID = sequentialId(0xacc0, 1);

export interface MakeOptions {
  readonly count: number;
  readonly start?: number;
  /** Prefix for PII text; tests pick a unique one so a hit cannot be a coincidence. */
  readonly marker?: string;
}

export function makeTransactions({ count, start = 0, marker = 'PII' }: MakeOptions): Transaction[] {
  const out: Transaction[] = [];
  const epoch = Date.UTC(2024, 0, 1);
  for (let i = start; i < start + count; i++) {
    const day = new Date(epoch + (i % 700) * 86_400_000).toISOString().slice(0, 10);
    out.push({
      id: sequentialId(0x7a000000, i),
      hlc: `${String(1_732_000_000_000 + i).padStart(13, '0')}:0000:device-a`,
      accountId: ACCOUNT_ID,
      date: day,
      amount: -((i * 7919) % 250_000) - 1,
      currency: 'GBP',
      categoryId: null,
      tags: i % 3 === 0 ? ['groceries'] : [],
      merchant: `${marker}-merchant-${MERCHANTS[i % MERCHANTS.length] ?? 'Shop'}-${i}`,
      description: `${marker}-description card payment ${i}`,
      notes: i % 2 === 0 ? `${marker}-notes reimbursable ${i}` : null,
      transferId: null,
      importHash: null,
      status: 'cleared',
      splits: [],
    });
  }
  return out;
}
