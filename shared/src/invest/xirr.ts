import { dayNumber, isCalendarDate } from '../date/date.ts';

/**
 * The money-weighted return of dated cash flows: the annual rate r at which Σ amountᵢ × (1 + r)^(−tᵢ) = 0, where
 * tᵢ is the flow's date minus the earliest date in days ÷ 365 (calendar dates; a year is 365 days whatever the leap
 * years — the convention of spreadsheet XIRR, so results agree with Excel, LibreOffice and Google Sheets).
 * Amounts paid in are negative, received positive; flows may share a date; zero amounts are ignored.
 *
 * Solved by Newton's method from 10 % (the spreadsheets' default guess). When Newton fails to converge, leaves
 * r > −1 or lands on something that is not a root, the rate is found by bisection instead: the rates from −99.9999 %
 * upwards (ten-fold steps past +10⁶ %) are scanned for a sign change of the net present value, and the bracket nearest the guess is halved
 * until it is as narrow as doubles allow. `null` when no rate exists: no sign change among the amounts, all flows
 * on one date, or no sign change of the net present value over the scanned rates. Never a silent divergence.
 */
export function xirr(flows: Array<{ date: string; amount: number }>): number | null {
  if (!Array.isArray(flows)) throw new RangeError('xirr: flows must be an array of { date, amount }');
  const days: number[] = [];
  const amounts: number[] = [];
  for (const [i, f] of flows.entries()) {
    if (!f || typeof f.date !== 'string' || !isCalendarDate(f.date)) throw new RangeError(`xirr: flow ${i} needs a date YYYY-MM-DD, got ${JSON.stringify(f?.date)}`);
    if (typeof f.amount !== 'number' || !Number.isFinite(f.amount)) throw new RangeError(`xirr: flow ${i} needs a finite amount, got ${String(f.amount)}`);
    if (f.amount === 0) continue;
    const d = dayNumber(f.date);
    days.push(d);
    amounts.push(f.amount);
  }
  return xirrOfDays(days, amounts, days.length);
}

/**
 * `xirr` over flows already checked (not checked again): `days[i]` the day number (date.ts `dayNumber`) of flow i
 * and `amounts[i]` its finite amount, never zero (leave zero amounts out, as `xirr` does), for i < `count`. The same arithmetic as `xirr` (which calls it), so the same rate to the
 * last bit; for callers that hold their flows as numbers, e.g. a rate to each of many dates over growing prefixes
 * of one flow list (the reports' investment performance), where parsing dates per call would cost more than the
 * solve.
 */
export function xirrOfDays(days: ArrayLike<number>, amounts: ArrayLike<number>, count: number): number | null {
  let first = Infinity;
  let hasIn = false;
  let hasOut = false;
  for (let i = 0; i < count; i += 1) {
    const d = days[i]!;
    if (d < first) first = d;
    if (amounts[i]! < 0) hasIn = true;
    else hasOut = true;
  }
  if (!hasIn || !hasOut) return null;
  const t = new Float64Array(count);
  let spread = false;
  for (let i = 0; i < count; i += 1) {
    t[i] = (days[i]! - first) / 365;
    if (t[i] !== 0) spread = true;
  }
  if (!spread) return null;
  const npv = (r: number) => {
    let s = 0;
    for (let i = 0; i < count; i += 1) s += amounts[i]! * Math.pow(1 + r, -t[i]!);
    return s;
  };
  let scale = 0;
  for (let i = 0; i < count; i += 1) scale = Math.max(scale, Math.abs(amounts[i]!));
  const isRoot = (r: number) => Number.isFinite(r) && r > -1 && Math.abs(npv(r)) <= scale * 1e-9;

  const newton = solveNewton(t, amounts, count);
  if (newton !== null && isRoot(newton)) return newton;
  return solveBracketed(npv, 0.1);
}

function solveNewton(t: Float64Array, a: ArrayLike<number>, count: number): number | null {
  let r = 0.1;
  for (let iter = 0; iter < 100; iter += 1) {
    let f = 0;
    let df = 0;
    for (let i = 0; i < count; i += 1) {
      const v = a[i]! * Math.pow(1 + r, -t[i]!);
      f += v;
      df += (-t[i]! * v) / (1 + r);
    }
    if (!Number.isFinite(f) || !Number.isFinite(df) || df === 0) return null;
    const next = r - f / df;
    if (!Number.isFinite(next) || next <= -1) return null;
    if (Math.abs(next - r) <= 1e-13 * Math.max(1, Math.abs(next))) return next;
    r = next;
  }
  return null;
}

/** Rates scanned for a sign change: dense near −100 % (where long histories put steep curves) and widening above. */
const GRID: readonly number[] = (() => {
  const g: number[] = [];
  for (const x of [-0.999999, -0.99999, -0.9999, -0.999, -0.995, -0.99, -0.98, -0.95]) g.push(x);
  for (let x = -0.9; x < 1; x += 0.05) g.push(Math.round(x * 100) / 100);
  for (const x of [1, 1.5, 2, 3, 5, 7.5, 10, 20, 50, 100, 1000, 10_000]) g.push(x);
  return g;
})();

function solveBracketed(npv: (r: number) => number, guess: number): number | null {
  let best: [number, number] | null = null;
  let bestDistance = Infinity;
  let prevR = NaN;
  let prevF = NaN;
  const rates = [...GRID];
  for (let r = GRID[GRID.length - 1]! * 10; r < 1e300; r *= 10) rates.push(r);
  for (const r of rates) {
    const f = npv(r);
    if (!Number.isFinite(f)) {
      prevR = NaN;
      continue;
    }
    if (f === 0) return r;
    if (Number.isFinite(prevF) && !Number.isNaN(prevR) && Math.sign(f) !== Math.sign(prevF)) {
      const distance = Math.min(Math.abs(prevR - guess), Math.abs(r - guess));
      if (distance < bestDistance) {
        best = [prevR, r];
        bestDistance = distance;
      }
    }
    prevR = r;
    prevF = f;
  }
  if (!best) return null;
  let [lo, hi] = best;
  let flo = npv(lo);
  for (let iter = 0; iter < 200; iter += 1) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    const fm = npv(mid);
    if (fm === 0) return mid;
    if (Math.sign(fm) === Math.sign(flo)) {
      lo = mid;
      flo = fm;
    } else hi = mid;
  }
  return (lo + hi) / 2;
}
