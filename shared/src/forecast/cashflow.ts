import { addDays, isCalendarDate } from '../date/date.ts';
import { upcomingOccurrences } from '../ledger/recurring.ts';
import type { RecurringRule } from '../schema/registry.ts';
import { ForecastInputError } from './types.ts';
import type { AccountCashFlow, CashFlowDay, CashFlowInput, CashFlowRisk, ScheduledBill } from './types.ts';

/**
 * The 30-day cash flow (docs/forecasts.md): each account's end-of-day balance from tomorrow on, starting
 * from today's balance, adding the unposted occurrences of its recurring rules (expanded by the recurring
 * engine, with the working-day roll the caller's `expandOptions` gives each rule) and taking off the
 * expected day-to-day spending. An occurrence due on or before today that is not posted yet is assumed to
 * post tomorrow. All amounts are integer minor units.
 *
 * A day is at risk when the balance is below 0 on an account without an overdraft, or below −limit on one
 * with an arranged overdraft (a day below 0 but within the limit is only "overdrawn"). Each run of
 * at-risk days names its causes: the outgoing bills since the balance was last at its highest before the run.
 */

function minorUnits(value: unknown, name: string, { min = -Number.MAX_SAFE_INTEGER } = {}): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ForecastInputError(`${name} must be a whole number of minor units${min === 0 ? ' ≥ 0' : ''}, not ${String(value)}`);
  }
  return value;
}

export function billsFor(rule: RecurringRule, today: string, until: string, expandOptions: CashFlowInput['expandOptions']): ScheduledBill[] {
  const options = expandOptions ? expandOptions(rule) : {};
  return upcomingOccurrences(rule, today, until, { ...options, limit: 5000 }).map((o) => ({
    ruleId: rule.id,
    name: rule.name,
    accountId: rule.accountId,
    categoryId: rule.categoryId,
    date: o.date,
    amount: rule.amount,
    currency: rule.currency,
  }));
}

export function cashFlow(input: CashFlowInput): AccountCashFlow[] {
  if (!input || typeof input !== 'object') throw new ForecastInputError('cashFlow needs { today, accounts, rules }');
  const { today } = input;
  if (typeof today !== 'string' || !isCalendarDate(today)) throw new ForecastInputError(`today must be a calendar date (YYYY-MM-DD), not ${JSON.stringify(today)}`);
  const days = input.days ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new ForecastInputError(`days must be a whole number from 1 to 366, not ${String(days)}`);
  if (!Array.isArray(input.accounts)) throw new ForecastInputError('accounts must be an array');
  if (!Array.isArray(input.rules)) throw new ForecastInputError('rules must be an array');
  const until = addDays(today, days);
  const dates = Array.from({ length: days }, (_, i) => addDays(today, i + 1));

  const spending = new Map<string, readonly number[]>();
  for (const s of input.expectedSpending ?? []) {
    if (!Array.isArray(s?.daily) || s.daily.length < days) throw new ForecastInputError(`expectedSpending for ${String(s?.accountId)} must give at least ${days} days`);
    s.daily.slice(0, days).forEach((v, i) => minorUnits(v, `expectedSpending for ${s.accountId}, day ${i + 1}`, { min: 0 }));
    spending.set(s.accountId, s.daily);
  }
  const accounts = new Map(input.accounts.map((a) => [a?.id, a]));
  const billsByAccount = new Map<string, ScheduledBill[]>();
  for (const rule of input.rules) {
    const account = accounts.get(rule.accountId);
    if (!account) continue;
    if (rule.currency !== account.currency) {
      throw new ForecastInputError(`recurring rule "${rule.name}" is in ${rule.currency} but account ${account.name} is in ${account.currency}`);
    }
    const list = billsByAccount.get(rule.accountId) ?? [];
    for (const bill of billsFor(rule, today, until, input.expandOptions)) list.push(bill);
    billsByAccount.set(rule.accountId, list);
  }

  return input.accounts.map((account) => {
    if (typeof account?.id !== 'string') throw new ForecastInputError('every account needs an id');
    const opening = minorUnits(account.balance, `balance of ${account.name ?? account.id}`);
    const limit = minorUnits(account.overdraftLimit ?? 0, `overdraftLimit of ${account.name ?? account.id}`, { min: 0 });
    const threshold = limit === 0 ? 0 : -limit;
    const bills = billsByAccount.get(account.id) ?? [];
    const daily = spending.get(account.id);
    let balance = opening;
    const out: CashFlowDay[] = dates.map((date, i) => {
      const todays = bills.filter((b) => (i === 0 ? b.date <= date : b.date === date));
      const spent = daily ? daily[i]! : 0;
      balance += todays.reduce((sum, b) => sum + b.amount, 0) - spent;
      if (!Number.isSafeInteger(balance)) throw new ForecastInputError(`the projected balance of ${account.name} leaves the safe integer range`);
      const atRisk = balance < threshold;
      return { date, balance, spending: spent, bills: todays, atRisk, overdrawn: balance < 0 && !atRisk };
    });
    const risks: CashFlowRisk[] = [];
    for (let i = 0; i < out.length; i++) {
      if (!out[i]!.atRisk || (i > 0 && out[i - 1]!.atRisk)) continue;
      let end = i;
      while (end + 1 < out.length && out[end + 1]!.atRisk) end++;
      // The last day before the run on which the balance was at its highest (index −1 = today's opening).
      let peak = -1;
      let peakBalance = opening;
      for (let k = 0; k < i; k++) if (out[k]!.balance >= peakBalance) { peak = k; peakBalance = out[k]!.balance; }
      const causes: ScheduledBill[] = [];
      for (let k = peak + 1; k <= i; k++) for (const b of out[k]!.bills) if (b.amount < 0) causes.push(b);
      let lowest = Infinity;
      for (let k = i; k <= end; k++) lowest = Math.min(lowest, out[k]!.balance);
      risks.push({ from: out[i]!.date, to: out[end]!.date, lowestBalance: lowest, threshold, causes });
      i = end;
    }
    return { accountId: account.id, currency: account.currency, opening, days: out, risks };
  });
}

/**
 * The cash flow's `expectedSpending` from the spending forecast: each category's day-to-day part (expected
 * − scheduled, since the cash flow adds the recurring bills itself) shared out over accounts by the given
 * shares (e.g. each account's part of the category's non-recurring spending over the last 90 days; shares
 * of a category are normalised to sum to 1). Rounded per account and day to whole minor units.
 */
export function dayToDaySpendingByAccount(
  forecasts: readonly { readonly categoryId: string; readonly currency: string; readonly days: readonly { readonly expected: number; readonly scheduled: number }[] }[],
  shares: readonly { readonly categoryId: string; readonly accountId: string; readonly share: number }[],
  days: number,
): { accountId: string; daily: number[] }[] {
  if (!Number.isInteger(days) || days < 1) throw new ForecastInputError(`days must be a whole number ≥ 1, not ${String(days)}`);
  const byCategory = new Map<string, { accountId: string; share: number }[]>();
  for (const s of shares) {
    if (typeof s.share !== 'number' || !Number.isFinite(s.share) || s.share < 0) throw new ForecastInputError(`the share of ${s.accountId} in ${s.categoryId} must be a number ≥ 0`);
    const list = byCategory.get(s.categoryId) ?? [];
    list.push({ accountId: s.accountId, share: s.share });
    byCategory.set(s.categoryId, list);
  }
  const totals = new Map<string, Float64Array>();
  for (const f of forecasts) {
    const list = byCategory.get(f.categoryId);
    if (!list) continue;
    const sum = list.reduce((a, s) => a + s.share, 0);
    if (!(sum > 0)) continue;
    if (f.days.length < days) throw new ForecastInputError(`the forecast of ${f.categoryId} covers ${f.days.length} days, fewer than ${days}`);
    for (const { accountId, share } of list) {
      const acc = totals.get(accountId) ?? new Float64Array(days);
      for (let i = 0; i < days; i++) acc[i]! += ((f.days[i]!.expected - f.days[i]!.scheduled) * share) / sum;
      totals.set(accountId, acc);
    }
  }
  return [...totals].map(([accountId, daily]) => ({ accountId, daily: Array.from(daily, (v) => Math.max(0, Math.round(v))) }));
}
