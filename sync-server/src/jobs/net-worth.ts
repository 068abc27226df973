import { createHash } from 'node:crypto';
import { todayIn } from '@mymidas/shared/date';
import { latestFxRates, lookupRate, type FxRates } from '@mymidas/shared/ledger/fx';
import { netWorth as ledgerNetWorth, type ConvertedBalance } from '@mymidas/shared/ledger/balances';
import { convertMinor, minor } from '@mymidas/shared/money';
import { withInvestments } from '@mymidas/shared/invest/with-investments';
import { investmentWorth, type LastClose } from '@mymidas/shared/invest/worth';
import { closeAtOrBefore } from '@mymidas/shared/quotes';
import type { Account, Asset, InvestmentTransaction, Quote, Transaction } from '@mymidas/shared/schema';
import { accountBalances } from '@mymidas/shared/snapshot/aggregates';
import { buildSnapshot } from '@mymidas/shared/snapshot/snapshot';
import { formatHlc, parseHlc, tick } from '@mymidas/shared/sync';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { QuoteWriter } from '../feeds/quote-writer.ts';
import type { ChangeBus } from '../replication/bus.ts';
import { lockUserWrites } from '../replication/service.ts';
import type { Database } from '../store/database.ts';
import { openDoc, upsertDoc } from '../store/documents.ts';
import { liveDocs, readBook, userIds, type UserBook } from './book.ts';
import type { JobContext, JobSummary } from './runner.ts';

/**
 * The daily net-worth snapshot (`net_worth_snapshots`, server-owned), worked out as the app's dashboard works
 * it out, with the same shared engines: each account's balance in its own currency on the date from the
 * transactions snapshot (`@mymidas/shared/snapshot`, opening balance + every live row up to the date; an account
 * with no rows has its opening balance), turned into the base currency at the latest FX close on or before the
 * date (`latestFxRates`/`lookupRate`, half-even `convertMinor`), then assets − liabilities by account type
 * (`@mymidas/shared/ledger/balances` netWorth). An account's investments are added to it as the dashboard adds
 * them (`@mymidas/shared/invest/worth`): the cash its investment transactions moved and its holdings at each
 * asset's last daily close on or before the date. Accounts with no rate (for their own currency or for one of
 * their investments) are left out, as on the dashboard, and not listed in `byAccount`.
 *
 * One document per user and date (a name-based id), rewritten only when a figure changed; the date is "today"
 * in the user's time zone (settings.timezone) when the job runs.
 */

export interface NetWorthFigures {
  readonly date: string;
  readonly currency: string;
  readonly assets: number;
  readonly liabilities: number;
  readonly byAccount: Record<string, number>;
  /** Accounts left out for want of a rate. */
  readonly unconverted: readonly string[];
}

/** The investment side of a book: its trades, its assets and each traded asset's last close on or before the date. */
export interface BookInvestments {
  readonly trades: readonly InvestmentTransaction[];
  readonly assets: readonly Asset[];
  readonly lastCloses: readonly LastClose[];
}

/** Net worth on `date` from the documents (see the module comment). */
export function netWorthOn(accounts: readonly Account[], transactions: readonly Transaction[], fxQuotes: readonly Quote[], baseCurrency: string, date: string, investments?: BookInvestments): NetWorthFigures {
  const snapshot = buildSnapshot(transactions);
  const balances = accountBalances(snapshot, accounts.map((a) => ({ id: a.id, currency: a.currency, openingBalance: a.openingBalance })), date);
  const rates: FxRates = latestFxRates(fxQuotes, date);
  const worth = investments && investments.trades.length > 0
    ? investmentWorth({ transactions: investments.trades, assets: investments.assets, accounts, lastCloses: investments.lastCloses, rates, baseCurrency }, date)
    : null;
  const converted: ConvertedBalance[] = accounts.map((a) => {
    const balance = balances.find((b) => b.accountId === a.id && b.currency === a.currency)?.balance ?? a.openingBalance;
    const rate = lookupRate(rates, a.currency, baseCurrency);
    const own: ConvertedBalance['inBase'] = a.currency === baseCurrency
      ? { status: 'base', amount: minor(balance) }
      : rate ? { status: 'converted', amount: convertMinor(balance, a.currency, baseCurrency, rate.rate), rate: rate.rate, rateDate: rate.date } : { status: 'unconverted' };
    const inBase = withInvestments(own, a.id, worth);
    return { accountId: a.id, currency: a.currency, balance: minor(balance), clearedBalance: minor(balance), transactionCount: 0, beforeOpening: 0, type: a.type, closed: a.closed, inBase };
  });
  const figures = ledgerNetWorth(converted, baseCurrency);
  const byAccount: Record<string, number> = {};
  for (const c of converted) if (c.inBase.status !== 'unconverted') byAccount[c.accountId] = c.inBase.amount;
  return { date, currency: baseCurrency, assets: figures.assets, liabilities: figures.liabilities, byAccount, unconverted: figures.unconverted };
}

/** The snapshot's id for a user and date: a name-based UUID (version 8), the same on every run and server. */
export function snapshotId(userId: string, date: string): string {
  const h = createHash('sha256').update(`net-worth:${userId}:${date}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The FX closes the dashboard would read: both directions of every account currency against the base. */
async function fxQuotesFor(writer: QuoteWriter, userId: string, currencies: Iterable<string>, base: string, date: string): Promise<Quote[]> {
  const out: Quote[] = [];
  for (const c of new Set(currencies)) {
    if (c === base) continue;
    for (const series of [`${c}/${base}`, `${base}/${c}`]) {
      for (const bar of await writer.readDailyBars(userId, { kind: 'fx', series }, { to: date })) {
        out.push({ id: `fx:${series}:${bar.date}`, hlc: '0000000000000:0000:server', kind: 'fx', series, date: bar.date, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, currency: series.slice(4), source: 'quotes' });
      }
    }
  }
  return out;
}

/** Each traded asset's last daily close on or before `date` (its series is the asset's symbol). */
async function lastClosesFor(writer: QuoteWriter, book: UserBook, date: string): Promise<LastClose[]> {
  const traded = new Set(book.trades.map((t) => t.assetId));
  const out: LastClose[] = [];
  for (const asset of book.assets) {
    if (!traded.has(asset.id)) continue;
    const docs = await writer.readDocs(book.userId, { kind: 'price', series: asset.symbol });
    const last = closeAtOrBefore(docs, { kind: 'price', series: asset.symbol }, date);
    if (last) out.push({ assetId: asset.id, date: last.date, close: last.close, currency: docs[0]!.currency });
  }
  return out;
}

export interface NetWorthDeps {
  readonly db: Database;
  readonly cipher: FieldCipher;
  readonly writer: QuoteWriter;
  readonly baseCurrency: string;
  readonly bus?: ChangeBus;
}

/** Computes and stores one user's snapshot for `date`; returns the figures and whether a row was written. */
export async function snapshotUser(deps: NetWorthDeps, book: UserBook, date: string, nowMs: number): Promise<{ figures: NetWorthFigures; written: boolean }> {
  const transactions = await deps.db.withUser(book.userId, (sql) => liveDocs<Transaction>(sql, deps.cipher, 'transactions'));
  const assetCurrencies = book.assets.map((a) => a.currency);
  const tradeCurrencies = book.trades.map((t) => t.currency);
  const fx = await fxQuotesFor(deps.writer, book.userId, [...book.accounts.map((a) => a.currency), ...assetCurrencies, ...tradeCurrencies], book.baseCurrency, date);
  const figures = netWorthOn(book.accounts, transactions, fx, book.baseCurrency, date, { trades: book.trades, assets: book.assets, lastCloses: await lastClosesFor(deps.writer, book, date) });
  const id = snapshotId(book.userId, date);
  const written = await deps.db.withUser(book.userId, async (sql) => {
    await lockUserWrites(sql, book.userId);
    const res = await sql.query<Record<string, unknown>>('SELECT id, doc FROM net_worth_snapshots WHERE id = $1 FOR UPDATE', [id]);
    const stored = res.rows[0] ? openDoc(deps.cipher, 'net_worth_snapshots', res.rows[0]) : null;
    const next = { date, currency: figures.currency, assets: figures.assets, liabilities: figures.liabilities, byAccount: figures.byAccount };
    if (stored && JSON.stringify({ date: stored.date, currency: stored.currency, assets: stored.assets, liabilities: stored.liabilities, byAccount: stored.byAccount }) === JSON.stringify(next)) return false;
    const last = stored ? parseHlc(String(stored.hlc)) : { ms: 0, counter: 0, node: 'server' };
    await upsertDoc(sql, deps.cipher, 'net_worth_snapshots', book.userId, { id, hlc: formatHlc(tick({ ...last, node: 'server' }, nowMs)), ...next });
    return true;
  });
  if (written && deps.bus) await deps.bus.publish({ userId: book.userId, collections: ['net_worth_snapshots'] }).catch((err: unknown) => console.error('net worth hint not published:', err));
  return { figures, written };
}

export async function netWorthJob(deps: NetWorthDeps, ctx: JobContext): Promise<JobSummary> {
  let written = 0;
  let users = 0;
  for (const userId of await userIds(deps.db)) {
    users++;
    try {
      const book = await readBook(deps.db, deps.cipher, userId, deps.baseCurrency);
      const date = todayIn(book.timezone, new Date(ctx.now()));
      const { figures, written: changed } = await snapshotUser(deps, book, date, ctx.now());
      if (changed) written++;
      if (figures.unconverted.length > 0) ctx.log(`user ${userId.slice(0, 8)}: ${figures.unconverted.length} account(s) without an FX rate left out on ${date}`);
    } catch (err) {
      ctx.problem(`net worth of user ${userId.slice(0, 8)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { users, written };
}
