import { createSHA256 } from 'hash-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { occurrencesBetween } from '../ledger/recurring.ts';
import { valueOf } from '../money/money.ts';
import { ACCOUNT_TYPES, COLLECTIONS, COLLECTION_NAMES } from '../schema/registry.ts';
import type { CollectionName } from '../schema/registry.ts';
import { expandQuotes } from '../quotes/quotes.ts';
import { collectHousehold, generateHousehold } from './household.ts';
import type { HouseholdOptions } from './household.ts';
import { Rng } from './prng.ts';

async function sha256Of(options: HouseholdOptions): Promise<string> {
  const hash = await createSHA256();
  for (const record of generateHousehold(options)) hash.update(`${record.collection}\t${JSON.stringify(record.doc)}\n`);
  return hash.digest('hex');
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Rng', () => {
  it('repeats a sequence for a seed and differs between seeds and streams', () => {
    const a = new Rng('s');
    const b = new Rng('s');
    const c = new Rng('t');
    const d = new Rng('s', 'other');
    const take = (r: Rng) => Array.from({ length: 5 }, () => r.u32());
    const first = take(a);
    expect(take(b)).toEqual(first);
    expect(take(c)).not.toEqual(first);
    expect(take(d)).not.toEqual(first);
  });

  it('draws uniformly enough and makes UUIDv7-shaped ids carrying the timestamp', () => {
    const r = new Rng(42);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i += 1) buckets[Math.floor(r.next() * 10)]! += 1;
    for (const n of buckets) expect(Math.abs(n - 10_000)).toBeLessThan(500);
    const id = r.uuid7(Date.UTC(2026, 9, 31));
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.UTC(2026, 9, 31));
    expect(() => r.uuid7(-1)).toThrow(RangeError);
  });
});

describe('generateHousehold determinism', () => {
  it('produces byte-identical output for the same seed at the default size, and different output for another seed', async () => {
    const first = await sha256Of({ seed: 'same' });
    const second = await sha256Of({ seed: 'same' });
    const other = await sha256Of({ seed: 'different' });
    expect(second).toBe(first);
    expect(other).not.toBe(first);
  }, 60_000);

  it('refuses bad options with a clear error', () => {
    const run = (o: HouseholdOptions) => () => generateHousehold(o);
    expect(run({ transactions: 0 })).toThrow(/transactions must be a positive whole number/);
    expect(run({ transactions: 1.5 })).toThrow(/transactions/);
    expect(run({ referenceDate: '2026-02-30' })).toThrow(/not a real date/);
    expect(run({ referenceDate: '31/10/2026' })).toThrow(/YYYY-MM-DD/);
    expect(run({ years: 0 })).toThrow(/years/);
    expect(run({ referenceDate: '2005-06-30', years: 10 })).toThrow(/between 2002 and 2200/);
    expect(run({ transactions: 2_000 })).toThrow(/transactions must be at least \d+ for 10 years of history/);
    expect(run({ seed: 0.5 })).toThrow(/seed/);
  });
});

describe('the default household', () => {
  type Docs = ReturnType<typeof collectHousehold>;
  let h: Docs;
  const byName = <T extends { name: string }>(list: T[], name: string): T => {
    const found = list.find((x) => x.name === name);
    if (!found) throw new Error(`missing ${name}`);
    return found;
  };
  beforeAll(() => {
    h = collectHousehold();
  }, 60_000);

  it('passes every collection schema', () => {
    const failures: string[] = [];
    for (const name of COLLECTION_NAMES) {
      const schema = COLLECTIONS[name].schema;
      for (const doc of h[name] as unknown[]) {
        const r = schema.safeParse(doc);
        if (!r.success && failures.length < 5) failures.push(`${name}: ${r.error.message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('has the promised shape and sizes', () => {
    expect(Math.abs(h.transactions.length - 100_000)).toBeLessThan(3_000);
    expect(h.accounts.length).toBeGreaterThanOrEqual(20);
    expect(h.accounts.length).toBeLessThanOrEqual(30);
    expect(new Set(h.accounts.map((a) => a.type))).toEqual(new Set(ACCOUNT_TYPES));
    expect(h.categories.length).toBeGreaterThanOrEqual(55);
    const parents = new Set(h.categories.filter((c) => c.parentId === null).map((c) => c.id));
    for (const c of h.categories) if (c.parentId !== null) expect(parents.has(c.parentId)).toBe(true);
    expect(h.assets.length).toBeGreaterThanOrEqual(38);
    expect(h.settings).toHaveLength(1);
    expect(h.recurring_rules.length).toBeGreaterThanOrEqual(20);
    expect(h.budgets).toHaveLength(12);
    expect(h.budgets.every((b) => b.period === 'monthly' && b.amounts.length === 11)).toBe(true);
    const dates = h.transactions.map((t) => t.date);
    expect(dates[0]).toBe('2016-11-01');
    expect(dates.at(-1)).toBe('2026-10-31');
    expect(dates.every((d, i) => i === 0 || dates[i - 1]! <= d)).toBe(true);
    const kinds = new Set(h.investment_transactions.map((t) => t.kind));
    for (const k of ['buy', 'sell', 'dividend', 'split']) expect(kinds).toContain(k);
    expect(h.investment_transactions.filter((t) => t.kind === 'split')).not.toHaveLength(0);
    expect(new Set(h.investment_transactions.filter((t) => t.kind === 'split').map((t) => t.assetId)).size).toBe(1);
  });

  it('gives every document a unique UUIDv7 id and an HLC stamp', () => {
    const ids = new Set<string>();
    let count = 0;
    for (const name of COLLECTION_NAMES) {
      if (name === 'quotes') continue;
      for (const doc of h[name] as { id: string; hlc: string }[]) {
        expect(doc.id).toMatch(UUID_V7);
        ids.add(doc.id);
        count += 1;
      }
    }
    for (const t of h.transactions) for (const s of t.splits) {
      ids.add(s.id);
      count += 1;
    }
    expect(ids.size).toBe(count);
    expect(new Set(h.quotes.map((q) => q.id)).size).toBe(h.quotes.length);
  });

  it('stores quotes as one document per series and calendar year plus one latest price per series', () => {
    const series = h.assets.length + 2;
    // 2016-11-01 to 2026-10-31: eleven calendar years touched.
    expect(h.quotes.filter((q) => q.period !== 'latest')).toHaveLength(series * 11);
    expect(h.quotes.filter((q) => q.period === 'latest')).toHaveLength(series);
    for (const q of h.quotes) expect(COLLECTIONS.quotes.schema.safeParse(q).success).toBe(true);
    const vwrl = h.quotes.find((q) => q.series === h.assets[0]!.symbol && q.period === 'latest')!;
    const lastYear = h.quotes.find((q) => q.series === vwrl.series && q.period === '2026')!;
    expect(vwrl.price).toBe(lastYear.close.at(-1));
    expect(vwrl.asOf.slice(0, 10)).toBe('2026-10-30');
  });

  it('never gives two documents the same HLC stamp, and stamps sort with the date', () => {
    const stamps = new Set<string>();
    let count = 0;
    for (const name of COLLECTION_NAMES) {
      for (const doc of h[name] as { hlc: string }[]) {
        stamps.add(doc.hlc);
        count += 1;
      }
    }
    expect(stamps.size).toBe(count);
    for (const t of h.transactions) expect(new Date(Number(t.hlc.slice(0, 13))).toISOString().slice(0, 10)).toBe(t.date);
  });

  it('pairs every transfer: two legs on different accounts, opposite signs, equal size in one currency', () => {
    const legs = new Map<string, typeof h.transactions>();
    for (const t of h.transactions) {
      if (t.transferId === null) continue;
      const list = legs.get(t.transferId) ?? [];
      list.push(t);
      legs.set(t.transferId, list);
    }
    expect(legs.size).toBeGreaterThan(1_500);
    const transferCats = new Set(h.categories.filter((c) => c.kind === 'transfer').map((c) => c.id));
    for (const [, pair] of legs) {
      expect(pair).toHaveLength(2);
      const [a, b] = pair as [(typeof pair)[0], (typeof pair)[0]];
      expect(a.accountId).not.toBe(b.accountId);
      expect(a.date).toBe(b.date);
      expect(Math.sign(a.amount)).toBe(-Math.sign(b.amount));
      if (a.currency === b.currency) expect(a.amount).toBe(-b.amount);
      expect(transferCats.has(a.categoryId!)).toBe(true);
    }
    // Card repayments are transfers into the cards.
    const amex = byName(h.accounts, 'Rewards credit card');
    const repayments = h.transactions.filter((t) => t.accountId === amex.id && t.transferId !== null);
    expect(repayments.length).toBeGreaterThan(100);
  });

  it('spends more on groceries in December than in an average month, and most on Saturdays', () => {
    const groceries = byName(h.categories, 'Groceries').id;
    const byMonth = new Map<string, number>();
    const byWeekday = new Array<number>(7).fill(0);
    for (const t of h.transactions) {
      if (t.categoryId !== groceries) continue;
      byMonth.set(t.date.slice(0, 7), (byMonth.get(t.date.slice(0, 7)) ?? 0) - t.amount);
      byWeekday[new Date(`${t.date}T00:00:00Z`).getUTCDay()]! += 1;
    }
    for (const year of ['2017', '2020', '2025']) {
      const months = [...byMonth].filter(([m]) => m.startsWith(year));
      const mean = months.reduce((s, [, v]) => s + v, 0) / months.length;
      expect(byMonth.get(`${year}-12`)!).toBeGreaterThan(mean * 1.15);
    }
    expect(byWeekday[6]!).toBeGreaterThan(byWeekday[2]! * 1.5);
  });

  it('keeps the current accounts sensible every day and the cards within their limits', () => {
    const ranges = new Map<string, { balance: number; min: number; max: number; date: string }>();
    for (const a of h.accounts) ranges.set(a.id, { balance: a.openingBalance, min: a.openingBalance, max: a.openingBalance, date: '' });
    let lastDate = '';
    const closeDay = () => {
      for (const r of ranges.values()) {
        r.min = Math.min(r.min, r.balance);
        r.max = Math.max(r.max, r.balance);
      }
    };
    for (const t of h.transactions) {
      if (t.date !== lastDate && lastDate !== '') closeDay();
      lastDate = t.date;
      ranges.get(t.accountId)!.balance += t.amount;
    }
    closeDay();
    for (const name of ['Everyday current', 'Joint household']) {
      const r = ranges.get(byName(h.accounts, name).id)!;
      expect(r.min).toBeGreaterThanOrEqual(0);
      expect(r.max).toBeLessThan(2_000_000);
    }
    for (const card of h.accounts.filter((a) => a.type === 'credit_card')) {
      expect(ranges.get(card.id)!.min).toBeGreaterThanOrEqual(-(card.creditLimit ?? 0));
    }
    for (const wallet of ['Travel wallet EUR', 'Travel wallet USD', 'Wallet cash']) {
      expect(ranges.get(byName(h.accounts, wallet).id)!.min).toBeGreaterThanOrEqual(0);
    }
  });

  it('pays every recurring bill exactly on its RRULE occurrences', () => {
    const accountsById = new Map(h.accounts.map((a) => [a.id, a]));
    let checked = 0;
    for (const rule of h.recurring_rules) {
      const account = accountsById.get(rule.accountId)!;
      const isTransfer = h.categories.find((c) => c.id === rule.categoryId)?.kind === 'transfer';
      if (isTransfer) continue;
      const expected = occurrencesBetween(rule, rule.startDate, rule.endDate ?? '2026-10-31').map((o) => o.date);
      const actual = h.transactions
        .filter((t) => t.accountId === account.id && t.categoryId === rule.categoryId && t.merchant === rule.payee)
        .map((t) => t.date);
      expect(actual, rule.name).toEqual(expected);
      expect(rule.lastPostedDate).toBe(expected.at(-1));
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('trades only what it holds, prices trades exactly, and splits the price with the shares', () => {
    const held = new Map<string, number>();
    for (const t of h.investment_transactions) {
      const k = `${t.accountId}|${t.assetId}`;
      const q = Math.round(Number(t.quantity) * 1e8);
      if (t.kind === 'buy') {
        held.set(k, (held.get(k) ?? 0) + q);
        expect(t.amount).toBe(-(valueOf(t.quantity, t.unitPrice!, t.currency) + t.fee));
      } else if (t.kind === 'sell') {
        held.set(k, (held.get(k) ?? 0) - q);
        expect(t.amount).toBe(valueOf(t.quantity, t.unitPrice!, t.currency) - t.fee);
      } else if (t.kind === 'split') {
        expect(q).toBe((held.get(k) ?? 0) * (Number(t.splitRatio) - 1));
        held.set(k, (held.get(k) ?? 0) + q);
      } else if (t.kind === 'dividend') {
        expect(t.amount).toBeGreaterThan(0);
        expect(q).toBe(held.get(k));
      }
      expect(held.get(k) ?? 0).toBeGreaterThanOrEqual(0);
    }
    const split = h.investment_transactions.find((t) => t.kind === 'split')!;
    const symbol = h.assets.find((a) => a.id === split.assetId)!.symbol;
    const series = expandQuotes(h.quotes).filter((q) => q.series === symbol);
    const i = series.findIndex((q) => q.date === split.date);
    const drop = Number(series[i - 1]!.close) / Number(series[i]!.close);
    expect(drop).toBeGreaterThan(3);
    expect(drop).toBeLessThan(5.5);
  });

  it('has a daily price for every asset on every trading day and plausible FX rates', () => {
    const perSeries = new Map<string, number>();
    const daily = expandQuotes(h.quotes);
    for (const q of daily) perSeries.set(q.series, (perSeries.get(q.series) ?? 0) + 1);
    expect(perSeries.size).toBe(h.assets.length + 2);
    for (const a of h.assets) expect(perSeries.get(a.symbol)).toBe(a.kind === 'crypto' ? 3652 : 2609);
    for (const q of daily) {
      if (q.kind === 'price') {
        expect(Number(q.low)).toBeLessThanOrEqual(Math.min(Number(q.open), Number(q.close)));
        expect(Number(q.high)).toBeGreaterThanOrEqual(Math.max(Number(q.open), Number(q.close)));
      } else if (q.series === 'GBP/EUR') {
        expect(Number(q.close)).toBeGreaterThan(0.9);
        expect(Number(q.close)).toBeLessThan(1.5);
      } else {
        expect(Number(q.close)).toBeGreaterThan(1);
        expect(Number(q.close)).toBeLessThan(1.7);
      }
    }
  }, 60_000);

  it('takes holidays abroad in EUR and USD from the travel wallets', () => {
    const eur = byName(h.accounts, 'Travel wallet EUR');
    const usd = byName(h.accounts, 'Travel wallet USD');
    const spend = (id: string) => h.transactions.filter((t) => t.accountId === id && t.amount < 0);
    expect(spend(eur.id).length).toBeGreaterThan(200);
    expect(spend(usd.id).length).toBeGreaterThan(20);
    expect(spend(eur.id).every((t) => t.currency === 'EUR' && t.tags.some((tag) => tag.startsWith('holiday:')))).toBe(true);
  });
});

describe('sizes', () => {
  it('scales the transaction count and keeps the schema at a small size', () => {
    const counts: Partial<Record<CollectionName, number>> = {};
    const it = generateHousehold({ seed: 7, years: 2, transactions: 10_000, quotes: false, referenceDate: '2024-06-30' });
    let r = it.next();
    while (!r.done) {
      const parsed = COLLECTIONS[r.value.collection].schema.safeParse(r.value.doc);
      expect(parsed.success).toBe(true);
      r = it.next();
    }
    Object.assign(counts, r.value.counts);
    expect(Math.abs(counts.transactions! - 10_000)).toBeLessThan(500);
    expect(counts.quotes).toBe(0);
    expect(r.value.startDate).toBe('2022-07-01');
  });
});
