import { partitionIds, prepareDoc } from './snapshot.ts';
import type { Snapshot, SnapshotDoc } from './snapshot.ts';

/**
 * Per-year checksums for the consistency check between the snapshot and the replica: live transaction
 * count, amount sum, and an order-independent hash — the sum modulo 2^32 of an FNV-1a hash of each row's
 * (document id, day, amount, currency, account, category, flags). Computed the same way from the snapshot
 * and from documents, so a year whose figures differ is out of step and gets rebuilt.
 */

export interface YearChecksum {
  readonly year: number;
  readonly count: number;
  readonly amountSum: number;
  readonly hash: number;
}

function rowHash(id: string, day: number, amount: number, currency: string, account: string, category: string | null, flags: number): number {
  const text = `${id}|${day}|${amount}|${currency}|${account}|${category ?? ''}|${flags}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function sorted(map: Map<number, { count: number; amountSum: number; hash: number }>): YearChecksum[] {
  return [...map.entries()]
    .filter(([, v]) => v.count > 0)
    .sort(([a], [b]) => a - b)
    .map(([year, v]) => ({ year, count: v.count, amountSum: v.amountSum, hash: v.hash >>> 0 }));
}

export function snapshotChecksums(s: Snapshot): YearChecksum[] {
  const out = new Map<number, { count: number; amountSum: number; hash: number }>();
  for (const p of s.years.values()) {
    let amountSum = 0;
    let hash = 0;
    const ids = partitionIds(p);
    for (let i = 0; i < p.length; i++) {
      const id = ids[i];
      if (id === null || id === undefined) continue;
      amountSum += p.amount[i]!;
      hash = (hash + rowHash(id, p.day[i]!, p.amount[i]!, s.currencies.valueAt(p.currency[i]!)!, s.accounts.valueAt(p.account[i]!)!, s.categories.valueAt(p.category[i]!), p.flags[i]!)) >>> 0;
    }
    out.set(p.year, { count: p.docCount, amountSum, hash });
  }
  return sorted(out);
}

/** The same checksums computed straight from documents (tombstones flagged `_deleted` left out). */
export function documentChecksums(docs: Iterable<SnapshotDoc & { readonly _deleted?: boolean }>): YearChecksum[] {
  const out = new Map<number, { count: number; amountSum: number; hash: number }>();
  for (const doc of docs) {
    if (doc._deleted === true) continue;
    const d = prepareDoc(doc);
    const entry = out.get(d.year) ?? { count: 0, amountSum: 0, hash: 0 };
    entry.count += 1;
    for (const line of d.lines) {
      entry.amountSum += line.amount;
      entry.hash = (entry.hash + rowHash(d.id, d.day, line.amount, d.currency, d.accountId, line.categoryId, d.flags)) >>> 0;
    }
    out.set(d.year, entry);
  }
  return sorted(out);
}

/** Years whose checksums differ between two lists (a year missing on one side counts as different). */
export function mismatchedYears(a: readonly YearChecksum[], b: readonly YearChecksum[]): number[] {
  const key = (c: YearChecksum) => `${c.count}|${c.amountSum}|${c.hash}`;
  const left = new Map(a.map((c) => [c.year, key(c)]));
  const right = new Map(b.map((c) => [c.year, key(c)]));
  const years = new Set([...left.keys(), ...right.keys()]);
  return [...years].filter((y) => left.get(y) !== right.get(y)).sort((x, y) => x - y);
}
