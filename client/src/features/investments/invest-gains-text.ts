import type { Disposal, InvestDataProblem, MatchRule, TaxYearGains } from '@mymidas/shared/invest';
import { Decimal } from '@mymidas/shared/money';
import { money } from '../ledger-data/format.ts';

/**
 * The capital gains report's words and files, without Vue: each disposal's matching explained in a sentence,
 * tax years named by their dates, the data problems in plain words, and the CSV of a year's disposals. Money is
 * GBP pence throughout (the gains engine converts foreign trades at the trade date's rate).
 */

const GBP = 'GBP';

/** "40" for "40.00000000", "0.5" for "0.50". */
export function unitsText(quantity: string): string {
  return new Decimal(quantity).toFixed();
}

/** A cost per unit in pounds: at least 2 decimals, up to 4 when pennies are split ("£1.2345"). */
export function perUnitText(costPence: number, quantity: string): string {
  const q = new Decimal(quantity);
  if (q.isZero()) return money(0, GBP);
  const perUnit = new Decimal(costPence).div(100).div(q);
  const rounded = perUnit.toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN);
  const text = rounded.decimalPlaces() <= 2 ? rounded.toFixed(2) : rounded.toFixed();
  const [whole, frac] = text.split('.');
  return `£${Number(whole).toLocaleString('en-GB')}.${frac}`;
}

const RULE_WORDS: Readonly<Record<MatchRule, (units: string, perUnit: string) => string>> = {
  'same-day': (u, p) => `${u} ${plural(u)} matched with the purchase on the same day at ${p} per unit`,
  'bed-and-breakfast': (u, p) => `${u} ${plural(u)} matched with the purchase within the next 30 days (the "bed and breakfast" rule) at ${p} per unit`,
  'section-104': (u, p) => `${u} ${plural(u)} from the Section 104 pool at an average cost of ${p} per unit`,
};

function plural(units: string): string {
  return units === '1' ? 'unit' : 'units';
}

/** The sale's fee: the allowable cost beyond the matched costs. */
export function saleFee(d: Disposal): number {
  return d.allowableCost - d.matches.reduce((s, m) => s + m.cost, 0);
}

/** "40 units matched with the purchase on the same day at £10.00 per unit; 60 units from the Section 104 pool …" */
export function matchingText(d: Disposal): string {
  const parts = d.matches.map((m) => RULE_WORDS[m.rule](unitsText(m.quantity), perUnitText(m.cost, m.quantity)));
  return parts.length === 0 ? 'No units matched.' : `${parts.join('; ')}.`;
}

/** The whole working of one disposal, sentence by sentence. */
export function disposalWorking(d: Disposal): string[] {
  const fee = saleFee(d);
  const matched = d.allowableCost - fee;
  const lines = [
    `Sold ${unitsText(d.quantity)} ${plural(unitsText(d.quantity))} for ${money(d.proceeds, GBP)} before fees.`,
    matchingText(d),
    fee > 0
      ? `Allowable cost: ${money(matched, GBP)} for the units plus the sale's fee of ${money(fee, GBP)} = ${money(d.allowableCost, GBP)}.`
      : `Allowable cost: ${money(d.allowableCost, GBP)}.`,
    `${d.gain >= 0 ? 'Gain' : 'Loss'}: ${money(d.proceeds, GBP)} − ${money(d.allowableCost, GBP)} = ${money(d.gain, GBP)}.`,
  ];
  return lines;
}

export const TERM_LABELS: Readonly<Record<Disposal['term'], string>> = {
  short: 'Short term (held under a year)',
  long: 'Long term (held a year or more)',
  mixed: 'Partly short, partly long term',
};

/** The UK tax year a date falls in, named like '2023-24' (6 April to 5 April). */
export function taxYearOf(date: string): string {
  const year = Number(date.slice(0, 4));
  const start = date.slice(5) >= '04-06' ? year : year - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

/** '2023-24' → '6 April 2023 to 5 April 2024'. */
export function taxYearDates(taxYear: string): string {
  const start = Number(taxYear.slice(0, 4));
  return `6 April ${start} to 5 April ${start + 1}`;
}

/** The latest tax year with disposals, or null without any. */
export function latestTaxYear(years: readonly TaxYearGains[]): string | null {
  return years.reduce<string | null>((best, y) => (best === null || y.taxYear > best ? y.taxYear : best), null);
}

export function disposalsIn(disposals: readonly Disposal[], taxYear: string): Disposal[] {
  return disposals.filter((d) => taxYearOf(d.date) === taxYear);
}

const PROBLEM_WORDS: Readonly<Record<InvestDataProblem['kind'], string>> = {
  'oversold': 'A sale of more units than were held at the time — that sale is left out of the gains until the missing purchase is recorded.',
  'no-price': 'A transfer in without the cost carried over — the disposals that depend on it are left out until its cost per unit is entered.',
  'no-rate': 'A trade in another currency on a day with no exchange rate — the disposals that depend on it are left out.',
  'bad-split': 'A split without a valid ratio.',
  'transfer-out-exceeds': 'A transfer out of more units than were held.',
};

/** A data problem in plain words, with the engine's detail after it. */
export function problemText(p: InvestDataProblem): { summary: string; detail: string } {
  return { summary: PROBLEM_WORDS[p.kind], detail: p.message };
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Text a spreadsheet would run as a formula gets a leading apostrophe, so it stays text. */
function textCell(text: string): string {
  return /^[=+\-@\t]/.test(text) ? `'${text}` : text;
}

function pounds(pence: number): string {
  return new Decimal(pence).div(100).toFixed(2);
}

/**
 * The disposals as CSV (one row each, amounts in pounds with 2 decimals, the matching in words). An asset name
 * that starts like a spreadsheet formula gets a leading apostrophe so it stays text.
 */
export function disposalsCsv(disposals: readonly Disposal[], assetName: (assetId: string) => string): string {
  const head = ['Date', 'Asset', 'Quantity', 'Proceeds (GBP)', 'Allowable cost (GBP)', 'Gain or loss (GBP)', 'Term', 'Matching'];
  const rows = disposals.map((d) => [
    d.date, textCell(assetName(d.assetId)), unitsText(d.quantity), pounds(d.proceeds), pounds(d.allowableCost), pounds(d.gain), d.term, matchingText(d),
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
