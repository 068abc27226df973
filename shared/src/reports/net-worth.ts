import { dateOfDay, dayNumber } from '../date/date.ts';
import { holdingsAt, valueSeries } from '../invest/invest.ts';
import type { InvestInputs } from '../invest/invest.ts';
import { FLAG } from '../snapshot/snapshot.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { Converter, buckets, exact, isLiability, partitionsIn, prepareInputs, rateIndexAt, resolveRange, rowView } from './context.ts';
import type { RowView } from './context.ts';
import { accountWanted } from './flows.ts';
import type { NetWorthPoint, NetWorthRequest, NetWorthResult, ReportInputs } from './types.ts';

/**
 * Net worth over time (issue 23, report 1). At the last day of each bucket: every filtered account's cash —
 * opening balance (from its opening date) plus its transactions, plus the cash effect of its investment
 * transactions (buys out, sales and dividends in, in the trade currency: the ledger records the money moved into
 * an investment account, the investment engine what was bought with it) — per currency, converted at that day's
 * rate; plus the holdings at market value at that day's price and FX, from the investment engine
 * (`valueSeries`, @mymidas/shared/invest). Liability account types (schema LIABILITY_TYPES) are liabilities,
 * every other type an asset; an account the inputs do not list counts as an asset. The category and tag filters
 * do not apply (a balance is not split by category).
 *
 * One pass over the rows up to the range's end puts each amount into a (bucket, account × currency) cell; a
 * running sum over the buckets then gives each balance at each bucket's end, converted once per cell and bucket.
 */

/** Investment inputs narrowed to some accounts, kept per inputs object and account set. */
const narrowed = new WeakMap<InvestInputs, Map<string, InvestInputs>>();

export function investFor(invest: InvestInputs, accountIds: ReadonlySet<string> | null): InvestInputs {
  if (accountIds === null) return invest;
  const key = [...accountIds].sort().join('\u0000');
  let byKey = narrowed.get(invest);
  if (!byKey) {
    byKey = new Map();
    narrowed.set(invest, byKey);
  }
  let hit = byKey.get(key);
  if (!hit) {
    hit = { ...invest, transactions: invest.transactions.filter((t) => accountIds.has(t.accountId)) };
    byKey.set(key, hit);
  }
  return hit;
}

interface Cells {
  readonly count: number;
  /** Per cell: account id, currency, 1 when a liability. */
  readonly account: string[];
  readonly currency: string[];
  readonly liability: Uint8Array;
}

export function netWorthReport(s: Snapshot, inputs: ReportInputs, request: NetWorthRequest, invest: InvestInputs | null): NetWorthResult {
  const p = prepareInputs(inputs);
  const range = resolveRange(s, p, request.filters);
  const b = buckets(p, range.fromDay, range.toDay, request.granularity);
  const v: RowView = rowView(s, p, request.filters, { categories: false, tags: false });
  const from = range.fromDay;
  const to = range.toDay;
  const nCur = s.currencies.size;
  const dictCells = s.accounts.size * nCur;
  // Cells beyond the dictionary's: (account, currency) pairs only openings or investment cash have.
  const extra = new Map<string, number>();
  const extraAt: { account: string; currency: string; day: number; amount: number }[] = [];
  const addExtra = (account: string, currency: string, day: number, amount: number) => {
    if (day > to || amount === 0) return;
    extraAt.push({ account, currency, day, amount });
    const a = s.accounts.indexOf(account);
    const c = s.currencies.indexOf(currency);
    if (a !== undefined && a > 0 && c !== undefined && c > 0) return;
    const key = `${account}\u0000${currency}`;
    if (!extra.has(key)) extra.set(key, dictCells + extra.size);
  };
  for (const a of p.inputs.accounts) if (accountWanted(v, a.id)) addExtra(a.id, a.currency, dayNumber(a.openingDate), a.openingBalance);
  const investIncluded = invest !== null;
  const narrowedInvest = invest === null ? null : investFor(invest, v.accountSet);
  if (narrowedInvest) for (const t of narrowedInvest.transactions) addExtra(t.accountId, t.currency, dayNumber(t.date), t.amount);

  const cells: Cells = (() => {
    const count = dictCells + extra.size;
    const account = new Array<string>(count);
    const currency = new Array<string>(count);
    const liability = new Uint8Array(count);
    for (let a = 1; a < s.accounts.size; a++) {
      const id = s.accounts.valueAt(a)!;
      const type = p.inputs.accounts[p.accountIndex.get(id) ?? -1]?.type;
      for (let c = 1; c < nCur; c++) {
        account[a * nCur + c] = id;
        currency[a * nCur + c] = s.currencies.valueAt(c)!;
        liability[a * nCur + c] = type !== undefined && isLiability(type) ? 1 : 0;
      }
    }
    for (const [key, cell] of extra) {
      const [id, cur] = key.split('\u0000') as [string, string];
      const type = p.inputs.accounts[p.accountIndex.get(id) ?? -1]?.type;
      account[cell] = id;
      currency[cell] = cur;
      liability[cell] = type !== undefined && isLiability(type) ? 1 : 0;
    }
    return { count, account, currency, liability };
  })();

  const nB = b.starts.length;
  // Balances before the range, and each live cell's changes per bucket (a column made on the cell's first row).
  const running = new Float64Array(cells.count);
  const deltas: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(cells.count);
  const add = (cell: number, d: number, x: number) => {
    if (d < from) {
      running[cell] = running[cell]! + x;
      if (deltas[cell] === undefined) deltas[cell] = new Float64Array(nB);
      return;
    }
    let column = deltas[cell];
    if (column === undefined) {
      column = new Float64Array(nB);
      deltas[cell] = column;
    }
    const k = b.ofDay[d - from]!;
    column[k] = column[k]! + x;
  };
  const { accountOk } = v;
  for (const part of partitionsIn(s, -Infinity, to)) {
    const { day, amount, currency, account, flags } = part;
    for (let i = 0; i < part.length; i++) {
      if ((flags[i]! & FLAG.deleted) !== 0) continue;
      const d = day[i]!;
      if (d > to || accountOk[account[i]!] === 0) continue;
      add(account[i]! * nCur + currency[i]!, d, amount[i]!);
    }
  }
  for (const e of extraAt) {
    const a = s.accounts.indexOf(e.account);
    const c = s.currencies.indexOf(e.currency);
    add(a !== undefined && a > 0 && c !== undefined && c > 0 ? a * nCur + c : extra.get(`${e.account}\u0000${e.currency}`)!, e.day, e.amount);
  }
  const live: number[] = [];
  for (let cell = 0; cell < cells.count; cell++) if (deltas[cell] !== undefined) live.push(cell);

  const tables = cells.currency.map((c) => (c === undefined || c === p.base ? null : p.fx.get(c)));
  const holdingValues = narrowedInvest ? valueSeries(narrowedInvest, { kind: 'portfolio' }, { from: range.from, to: range.to }).values : null;
  const conv = new Converter(p.base);
  const lastBase = new Float64Array(cells.count);
  // Per live cell: the balance and rate index last converted, so an unchanged balance at an unchanged rate is not converted again.
  const lastNative = new Float64Array(cells.count).fill(Number.NaN);
  const lastRate = new Int32Array(cells.count).fill(-2);
  const points: NetWorthPoint[] = new Array<NetWorthPoint>(nB);
  for (let k = 0; k < nB; k++) {
    const end = b.ends[k]!;
    let assets = 0;
    let liabilities = 0;
    for (let j = 0; j < live.length; j++) {
      const cell = live[j]!;
      const x = running[cell]! + deltas[cell]![k]!;
      running[cell] = x;
      let base: number;
      const table = tables[cell];
      if (x === 0) base = 0;
      else if (table === null) base = x;
      else {
        const index = table === undefined ? -1 : rateIndexAt(table, end);
        if (x === lastNative[cell] && index === lastRate[cell]) base = lastBase[cell]!;
        else {
          base = conv.convert(table, cells.currency[cell]!, exact(x, 'balance'), end);
          lastNative[cell] = x;
          lastRate[cell] = index;
        }
      }
      lastBase[cell] = base;
      if (base !== base) continue;
      if (cells.liability[cell] === 1) liabilities += base;
      else assets += base;
    }
    const investments = holdingValues ? holdingValues[end - from]! : 0;
    assets += investments;
    points[k] = {
      date: dateOfDay(end), assets: exact(assets, 'assets'), liabilities: exact(liabilities, 'liabilities'),
      net: exact(assets + liabilities, 'net worth'), investments: exact(investments, 'investments'),
    };
  }
  const accounts: NetWorthResult['accounts'][number][] = [];
  for (let cell = 0; cell < cells.count; cell++) {
    if (running[cell] === 0 || cells.account[cell] === undefined) continue;
    const base = lastBase[cell]!;
    accounts.push({ accountId: cells.account[cell]!, currency: cells.currency[cell]!, balance: exact(running[cell]!, 'balance'), baseBalance: base === base ? base : null });
  }
  accounts.sort((x, y) => (x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : x.currency < y.currency ? -1 : x.currency > y.currency ? 1 : 0));
  const holdings: { accountId: string; value: number }[] = [];
  if (narrowedInvest) {
    const byAccount = new Map<string, number>();
    for (const h of holdingsAt(narrowedInvest, range.to).holdings) {
      if (h.marketValue === null) continue;
      byAccount.set(h.accountId, (byAccount.get(h.accountId) ?? 0) + h.marketValue);
    }
    for (const [accountId, value] of [...byAccount].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))) if (value !== 0) holdings.push({ accountId, value });
  }
  return {
    range: { preset: range.preset, from: range.from, to: range.to }, baseCurrency: p.base, missingRates: conv.missingList(),
    granularity: request.granularity, points, accounts, holdings, investmentsIncluded: investIncluded,
  };
}
