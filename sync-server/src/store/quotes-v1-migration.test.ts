import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteSchema, quoteSchemaV0, type Quote, type QuoteDoc } from '@mymidas/shared/schema';
import { mergeBars, readSeries, type DailyBar } from '@mymidas/shared/quotes';
import { createBackup, openBackup, restoreBackup } from '../backup/backup.ts';
import { createQuoteWriter } from '../feeds/quote-writer.ts';
import { ReplicationService } from '../replication/service.ts';
import type { Services } from '../services.ts';
import { createUser, openTestDatabase, openTestServices, testBackends, testCipher } from '../testing/harness.ts';
import { loadMigrations, migrate, type Migration } from './migrate.ts';

/**
 * Issue 22, item 6: postgres/migrations/011_quotes_v1.sql turns the one-row-per-day quotes of version 0 into
 * one year document per user, series and year — the same days mergeBars (@mymidas/shared/quotes) stores —
 * deletes the day rows, gives the new rows fresh seqs, and changes nothing when run again. On PGlite, and
 * on PostgreSQL when TEST_DATABASE_URL is set.
 */

const MIGRATION = '011_quotes_v1.sql';
const cipher = testCipher();

interface Row {
  id: string;
  user_id: string;
  seq: number;
  deleted: boolean;
  doc: Record<string, unknown>;
}

function dayQuote(kind: 'price' | 'fx', series: string, date: string, close: string, over: Partial<Quote> = {}): Quote {
  return {
    id: `${kind}:${series}:${date}`, hlc: `${String(Date.parse(`${date}T22:00:00Z`)).padStart(13, '0')}:0000:demo`, kind, series, date,
    open: kind === 'price' ? '1.5' : null, high: kind === 'price' ? '2' : null, low: kind === 'price' ? '1' : null, close,
    volume: kind === 'price' ? '1000' : null, currency: kind === 'price' ? 'GBP' : 'USD', source: kind === 'price' ? 'yahoo' : 'ecb', ...over,
  };
}
const toBar = (q: Quote): DailyBar => ({ date: q.date, open: q.open, high: q.high, low: q.low, close: q.close, volume: q.volume });

describe.each(testBackends())('quotes schema version 1 on the server (%s)', (backend) => {
  let services: Services;
  let migration: Migration;
  const rows = async (): Promise<Map<string, Row>> => {
    const res = await services.db.asOwner((sql) => sql.query<Row>('SELECT id, user_id, seq, deleted, doc FROM quotes ORDER BY id'));
    return new Map(res.rows.map((r) => [String(r.id), { ...r, id: String(r.id), user_id: String(r.user_id), seq: Number(r.seq) }]));
  };
  /** Version-0 rows as the previous server stored them (it validated each with the version-0 schema). */
  const putV0 = async (user: string, docs: readonly Quote[], deleted = false) => {
    for (const doc of docs) expect(quoteSchemaV0.safeParse(doc).success).toBe(true);
    await services.db.asOwner((sql) => sql.query(
      `INSERT INTO quotes (id, user_id, deleted, deleted_at, doc) SELECT x->>'id', $1, $2, CASE WHEN $2 THEN now() END, x FROM jsonb_array_elements($3::jsonb) x`,
      [user, deleted, JSON.stringify(docs)],
    ));
  };
  const runAgain = () => services.db.exec(`BEGIN;\n${migration.sql}\n;\nCOMMIT;`);

  beforeAll(async () => {
    ({ services } = await openTestServices(backend));
    migration = (await loadMigrations()).find((m) => m.name === MIGRATION)!;
    expect(migration, `${MIGRATION} is among the migrations`).toBeDefined();
  }, 120_000);
  afterAll(async () => {
    await services?.close();
  });

  it('turns every user\'s day rows into year documents equal to mergeBars\' output, with new seqs, and changes nothing when run again', async () => {
    await services.db.asOwner((sql) => sql.query('DELETE FROM schema_migrations WHERE name = $1', [MIGRATION]));
    const alice = await createUser(services.db);
    const bob = await createUser(services.db);
    const aliceDays: Quote[] = [];
    for (let d = Date.UTC(2024, 11, 20); d <= Date.UTC(2025, 0, 10); d += 86_400_000) {
      const date = new Date(d).toISOString().slice(0, 10);
      aliceDays.push(dayQuote('price', 'VWRL.L', date, `${100 + (d / 86_400_000) % 13}.25`));
      aliceDays.push(dayQuote('fx', 'GBP/USD', date, '1.2734'));
    }
    aliceDays.push(dayQuote('price', 'VWRL.L', '2024-02-29', '90', { open: null, high: null, low: null, volume: null, source: 'fund-manager' }));
    // The same series for Bob, who gets his own year documents. (Version-0 ids were one key for all users,
    // so his day rows had other ids.)
    const bobDays = [dayQuote('price', 'VWRL.L', '2025-01-02', '7', { id: 'price:VWRL.L:2025-01-02:bob' }), dayQuote('price', 'VWRL.L', '2025-01-03', '8', { id: 'price:VWRL.L:2025-01-03:bob' })];
    await putV0(alice, aliceDays.reverse());
    await putV0(bob, bobDays);
    await putV0(bob, [dayQuote('price', 'VWRL.L', '2025-01-06', '9', { id: 'price:VWRL.L:2025-01-06:bob' })], true);
    const before = await rows();
    const lastSeqBefore = Math.max(...[...before.values()].map((r) => r.seq));

    expect(await migrate(services.db)).toEqual([MIGRATION]);

    const after = await rows();
    expect([...after.values()].some((r) => 'date' in r.doc)).toBe(false);
    const writer = createQuoteWriter({ db: services.db, cipher });
    for (const [user, days] of [[alice, aliceDays], [bob, bobDays]] as const) {
      const mine = [...after.values()].filter((r) => r.user_id === user);
      for (const r of mine) {
        expect(quoteSchema.safeParse(r.doc).success, JSON.stringify(quoteSchema.safeParse(r.doc).error?.issues[0])).toBe(true);
        expect(r.seq).toBeGreaterThan(lastSeqBefore);
        expect(r.deleted).toBe(false);
        expect(r.id).toBe(`${String(r.doc.kind)}:${String(r.doc.series)}:${String(r.doc.period)}@${user.replace(/-/g, '')}`);
      }
      for (const series of ['VWRL.L', 'GBP/USD']) {
        const expected = days.filter((q) => q.series === series).map(toBar).sort((a, b) => a.date.localeCompare(b.date));
        const kind = series === 'GBP/USD' ? 'fx' : 'price';
        expect(await writer.readDailyBars(user, { kind, series })).toEqual(expected);
        // Each year document holds exactly what mergeBars makes of that year's days.
        for (const r of mine.filter((x) => x.doc.series === series)) {
          const doc = r.doc as unknown as QuoteDoc;
          const year = Number(doc.period);
          const made = mergeBars(null, { kind, series, currency: doc.currency }, year, expected.filter((b) => b.date.startsWith(doc.period)), { source: doc.source, asOf: doc.asOf, hlc: doc.hlc, owner: user }).doc;
          expect(doc).toEqual(made);
          const last = days.filter((q) => q.series === series && q.date.startsWith(doc.period)).sort((a, b) => a.date.localeCompare(b.date)).at(-1)!;
          expect(doc.source).toBe(last.source);
          expect(doc.hlc).toBe(last.hlc);
        }
      }
    }
    expect([...after.values()].filter((r) => r.user_id === alice).map((r) => r.doc.period).sort()).toEqual(['2024', '2024', '2025', '2025']);
    expect(readSeries([...after.values()].filter((r) => r.user_id === bob).map((r) => r.doc as unknown as QuoteDoc), { kind: 'price', series: 'VWRL.L' }).map((b) => b.close)).toEqual(['7', '8']);

    // A device that had pulled everything gets the year documents from where it stopped, and nothing else.
    const replication = new ReplicationService({ db: services.db, cipher });
    const last = [...before.values()].filter((r) => r.user_id === alice).reduce((a, b) => (b.seq > a.seq ? b : a));
    const pulled = await replication.pull(alice, 'quotes', { seq: last.seq, id: last.id }, 1000);
    expect(pulled.documents.map((d) => d.id).sort()).toEqual([...after.values()].filter((r) => r.user_id === alice).map((r) => r.id).sort());

    expect(await migrate(services.db)).toEqual([]);
    await runAgain();
    expect(await rows()).toEqual(after);
  }, 120_000);

  it('merges day rows into a year document that already exists, whose days win', async () => {
    const user = await createUser(services.db);
    const writer = createQuoteWriter({ db: services.db, cipher });
    await writer.writeDailyBars(user, { kind: 'price', series: 'VUSA.L', currency: 'GBP' }, 'yahoo', [toBar(dayQuote('price', 'VUSA.L', '2026-03-03', '50'))]);
    await putV0(user, [dayQuote('price', 'VUSA.L', '2026-03-02', '40'), dayQuote('price', 'VUSA.L', '2026-03-03', '45')]);
    await runAgain();
    expect((await writer.readDailyBars(user, { kind: 'price', series: 'VUSA.L' })).map((b) => [b.date, b.close])).toEqual([['2026-03-02', '40'], ['2026-03-03', '50']]);
    expect((await writer.readDocs(user, { kind: 'price', series: 'VUSA.L' })).map((d) => d.period)).toEqual(['2026']);
  });

  it('stops at a version-0 row that is not a valid one, naming it and changing nothing', async () => {
    const user = await createUser(services.db);
    const good = dayQuote('price', 'BAD.L', '2026-03-02', '1');
    await putV0(user, [good]);
    const bad = { ...dayQuote('price', 'BAD.L', '2026-03-03', '1'), close: 1.5 } as unknown as Quote;
    await services.db.asOwner((sql) => sql.query('INSERT INTO quotes (id, user_id, doc) VALUES ($1, $2, $3)', [bad.id, user, bad]));
    const before = await rows();
    await expect(services.db.exec(migration.sql)).rejects.toThrow(new RegExp(`quote ${bad.id} is not a valid version-0 quote`));
    expect(await rows()).toEqual(before);
    await services.db.asOwner((sql) => sql.query('DELETE FROM quotes WHERE id = $1', [bad.id]));
    await runAgain();
    expect(await createQuoteWriter({ db: services.db, cipher }).readDailyBars(user, { kind: 'price', series: 'BAD.L' })).toEqual([toBar(good)]);
  });

  it('converts the day rows of a backup made before 011 when it is restored into a server past it', async () => {
    const source = await openTestDatabase(backend);
    const target = await openTestDatabase(backend);
    try {
      await source.db.asOwner((sql) => sql.query('DELETE FROM schema_migrations WHERE name = $1', [MIGRATION]));
      const user = await createUser(source.db);
      const days = [dayQuote('fx', 'GBP/EUR', '2025-12-31', '1.17'), dayQuote('fx', 'GBP/EUR', '2026-01-02', '1.18')];
      await source.db.asOwner((sql) => sql.query(`INSERT INTO quotes (id, user_id, doc) SELECT x->>'id', $1, x FROM jsonb_array_elements($2::jsonb) x`, [user, JSON.stringify(days)]));
      const file = await createBackup(source.db, 'correct horse battery staple');
      const dump = openBackup(file, 'correct horse battery staple');
      expect(dump.migrations).not.toContain(MIGRATION);
      await restoreBackup(target.db, file, 'correct horse battery staple');
      const restored = await target.db.asOwner((sql) => sql.query<Row>('SELECT id, user_id, seq, doc FROM quotes ORDER BY id'));
      expect(restored.rows.map((r) => r.doc.period)).toEqual(['2025', '2026']);
      for (const r of restored.rows) expect(Number(r.seq)).toBeGreaterThan(dump.sequence);
      expect(readSeries(restored.rows.map((r) => r.doc as unknown as QuoteDoc), { kind: 'fx', series: 'GBP/EUR' })).toEqual(days.map(toBar));
    } finally {
      await source.dispose();
      await target.dispose();
    }
  }, 120_000);
});
