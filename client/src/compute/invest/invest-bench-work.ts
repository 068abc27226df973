import { collectHousehold } from '@mymidas/shared/demo';
import { expandQuotes } from '@mymidas/shared/quotes';
import type { CapitalGainsResult } from '@mymidas/shared/invest';
import { dayNumber } from '@mymidas/shared/snapshot/days';
import { createInvestHandlers } from './invest-handlers.ts';
import type { InvestPersistence } from './invest-persist.ts';
import { InvestStore } from './invest-store.ts';

/**
 * The workload of the `invest` bench suites (bench/suites/invest.ts, issue 21 bullet 6), kept beside the handlers
 * it drives so it is type-checked with the client (the bench's own project cannot list client files). Not part of
 * the app: nothing in it is imported by a screen or the worker.
 *
 * The demo household (ten years of daily prices and FX, ~116,000 quotes, its investment transactions, assets and
 * accounts) fed to the invest area exactly as the session's feed does — `investSync` in pages of 2,000 documents —
 * with the store kept in memory instead of IndexedDB; then answers from the worker's own handlers (requests
 * validated as in the worker), without the Comlink hop.
 */

export interface InvestBench {
  readonly summary: string;
  /** The whole portfolio over ten years daily (holdings, value series, TWRR/MWRR, per account); ms. */
  portfolio(): number;
  /** The capital gains of every disposal; ms. */
  gains(): number;
  /** The floor for the portfolio: each price series' days × the holdings of that asset, one multiply-add each; ms. */
  barePortfolio(): number;
  /** The floor for the gains: one pass over the investment transaction rows as typed arrays, a running pool per asset; ms. */
  bareGains(): number;
}

const PAGE = 2000;

const memory = (): Promise<InvestPersistence> =>
  Promise.resolve({ load: () => Promise.resolve({ store: new InvestStore(), emptyReason: 'bench' }), save: () => Promise.resolve(), clear: () => Promise.resolve(), close: () => undefined });

let sink = 0;
export function benchSink(): number {
  return sink;
}

function timed(fn: () => unknown): number {
  const started = performance.now();
  const value = fn();
  const ms = performance.now() - started;
  sink += typeof value === 'number' ? value : 1;
  return ms;
}

/** The answers must be whole before their speed means anything. */
function check(report: ReturnType<ReturnType<typeof createInvestHandlers>['investPortfolio']>, gains: CapitalGainsResult, days: number, sells: number): void {
  if (report.series.values.length !== days) throw new Error(`portfolio: ${report.series.values.length} values for ${days} days`);
  if (report.holdings.holdings.length === 0) throw new Error('portfolio: no holdings');
  if (report.returns.twrr === null) throw new Error('portfolio: no TWRR');
  if (sells > 0 && gains.disposals.length === 0) throw new Error(`gains: no disposals for ${sells} sells`);
}

export async function prepareInvestBench(size: number): Promise<InvestBench> {
  const started = performance.now();
  const household = collectHousehold({ transactions: size });
  const generatedMs = performance.now() - started;
  const handlers = createInvestHandlers({ openPersistence: memory });
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  await handlers.investOpen('bench', key);

  // Fed as the session's feed does: pages of replica documents with a moving checkpoint.
  const feedStarted = performance.now();
  for (const [collection, docs] of [['assets', household.assets], ['investment_transactions', household.investment_transactions], ['quotes', household.quotes]] as const) {
    for (let i = 0; i < docs.length; i += PAGE) {
      await handlers.investSync(collection, docs.slice(i, i + PAGE), { id: docs[Math.min(i + PAGE, docs.length) - 1]!.id, lwt: i + 1 });
    }
  }
  const feedMs = performance.now() - feedStarted;
  const settings = household.settings[0]!;
  handlers.investSetAccounts({ baseCurrency: settings.baseCurrency, accounts: household.accounts.map((a) => ({ id: a.id, type: a.type, currency: a.currency })) });

  const txs = household.investment_transactions;
  const from = txs.reduce((min, t) => (t.date < min ? t.date : min), '9999-12-31');
  // The household's quotes are year documents; the bare passes and the summary count their days.
  const daily = expandQuotes(household.quotes);
  const to = daily.reduce((max, q) => (q.date > max ? q.date : max), '0000-01-01');
  const request = { from, to };
  const coldStarted = performance.now();
  const report = handlers.investPortfolio(request);
  const coldMs = performance.now() - coldStarted;
  const gains = handlers.investCapitalGains();
  const days = dayNumber(to) - dayNumber(from) + 1;
  const sells = txs.filter((t) => t.kind === 'sell').length;
  check(report, gains, days, sells);
  for (let i = 0; i < 3; i++) {
    handlers.investPortfolio(request);
    handlers.investCapitalGains();
  }
  const cloneMs = timed(() => structuredClone(report)) + timed(() => structuredClone(gains));

  // The bare passes' rows as typed arrays, made once (untimed).
  const bySymbol = new Map(household.assets.map((a) => [a.symbol, a.id]));
  const collected = new Map<string, { days: number[]; closes: number[] }>();
  for (const q of daily) {
    if (q.kind !== 'price') continue;
    const id = bySymbol.get(q.series);
    if (id === undefined) continue;
    const rows = collected.get(id) ?? { days: [], closes: [] };
    rows.days.push(dayNumber(q.date));
    rows.closes.push(Number(q.close));
    collected.set(id, rows);
  }
  const priceRows = new Map([...collected].map(([id, r]) => [id, { days: Int32Array.from(r.days), closes: Float64Array.from(r.closes) }]));
  const holdingKeys = [...new Set(txs.map((t) => `${t.accountId}|${t.assetId}`))];
  const holdingAsset = holdingKeys.map((k) => k.split('|')[1]!);
  const holdingQty = Float64Array.from(holdingKeys.map(() => 1));
  const fromDay = dayNumber(from);
  const toDay = dayNumber(to);

  const assetIndex = new Map(household.assets.map((a, i) => [a.id, i]));
  const sorted = [...txs].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const txAsset = Int32Array.from(sorted.map((t) => assetIndex.get(t.assetId) ?? 0));
  const txQty = Float64Array.from(sorted.map((t) => Number(t.quantity)));
  const txAmount = Float64Array.from(sorted.map((t) => t.amount));
  const txSell = Uint8Array.from(sorted.map((t) => (t.kind === 'sell' ? 1 : 0)));

  const barePortfolio = () => {
    let total = 0;
    for (let h = 0; h < holdingKeys.length; h++) {
      const rows = priceRows.get(holdingAsset[h]!);
      if (!rows) continue;
      const { days: d, closes } = rows;
      for (let i = 0; i < d.length; i++) if (d[i]! >= fromDay && d[i]! <= toDay) total += holdingQty[h]! * closes[i]!;
    }
    return total;
  };
  const bareGains = () => {
    const poolQty = new Float64Array(assetIndex.size);
    const poolCost = new Float64Array(assetIndex.size);
    let gain = 0;
    for (let i = 0; i < txAsset.length; i++) {
      const a = txAsset[i]!;
      if (txSell[i] === 1) {
        const share = poolQty[a]! > 0 ? txQty[i]! / poolQty[a]! : 0;
        const cost = poolCost[a]! * share;
        gain += txAmount[i]! - cost;
        poolQty[a] = poolQty[a]! - txQty[i]!;
        poolCost[a] = poolCost[a]! - cost;
      } else if (txAmount[i]! < 0) {
        poolQty[a] = poolQty[a]! + txQty[i]!;
        poolCost[a] = poolCost[a]! - txAmount[i]!;
      }
    }
    return gain;
  };

  const summary = `${daily.length} daily quotes (${daily.filter((q) => q.kind === 'fx').length} FX) in ${household.quotes.length} quotes documents, ${txs.length} investment transactions (${sells} sells), `
    + `${household.assets.length} assets, ${holdingKeys.length} holdings, ${days} days ${from} … ${to} (household generated in ${(generatedMs / 1000).toFixed(1)} s); `
    + `fed through investSync in pages of ${PAGE}: ${feedMs.toFixed(0)} ms; first portfolio call (inputs built from the store) ${coldMs.toFixed(0)} ms; `
    + `${gains.disposals.length} disposals; structured clone of the answers ${cloneMs.toFixed(1)} ms`;

  return {
    summary,
    portfolio: () => timed(() => handlers.investPortfolio(request)),
    gains: () => timed(() => handlers.investCapitalGains()),
    barePortfolio: () => timed(barePortfolio),
    bareGains: () => timed(bareGains),
  };
}
