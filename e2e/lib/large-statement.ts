/**
 * A deterministic Starling-layout bank CSV of any length, for the 100,000-row worker test and the
 * import-parse benchmark. Same seed, same bytes. Amounts are written as the bank does (two decimals,
 * thousands separators in quotes for the balance), a few rows repeat a same-day coffee so the
 * occurrence index of the import hash is exercised at scale.
 */
export const LARGE_STATEMENT_HEADER = 'Date,Counter Party,Reference,Type,Amount (GBP),Balance (GBP),Spending Category,Notes';

const PAYEES = [
  ['Tesco', 'TESCO STORES 3145', 'CONTACTLESS', 'GROCERIES'],
  ['Pret A Manger', 'PRET A MANGER LONDON', 'CONTACTLESS', 'EATING_OUT'],
  ['TfL', 'TFL TRAVEL CH', 'CONTACTLESS', 'TRANSPORT'],
  ['Netflix', 'NETFLIX.COM', 'ONLINE PAYMENT', 'ENTERTAINMENT'],
  ['British Gas', 'BRITISH GAS DD', 'DIRECT DEBIT', 'BILLS_AND_SERVICES'],
  ['Amazon', 'AMZN MKTP UK*2K4', 'ONLINE PAYMENT', 'SHOPPING'],
  ['Sainsbury\'s', 'SAINSBURYS S/MKT', 'CONTACTLESS', 'GROCERIES'],
  ['J Smith', 'Rent share, March', 'FASTER PAYMENT', 'INCOME'],
] as const;

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function money(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${whole}.${pad(abs % 100)}`;
}

export interface LargeStatement {
  readonly text: string;
  readonly rows: number;
  /** Sum of every row's amount in pence, to check a parse end to end. */
  readonly totalMinor: number;
}

/** `rows` transactions over consecutive days from 2015-01-01 (about 30 a day). */
export function largeStarlingCsv(rows: number, seed = 7): LargeStatement {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const lines: string[] = [LARGE_STATEMENT_HEADER];
  let balance = 250_000;
  let total = 0;
  let lastAmount = 0;
  const start = Date.UTC(2015, 0, 1);
  for (let i = 0; i < rows; i++) {
    const day = new Date(start + Math.floor(i / 30) * 86_400_000);
    const date = `${pad(day.getUTCDate())}/${pad(day.getUTCMonth() + 1)}/${day.getUTCFullYear()}`;
    const p = PAYEES[Math.floor(rnd() * PAYEES.length)] ?? PAYEES[0];
    const amount = p[3] === 'INCOME' ? 40_000 + Math.floor(rnd() * 20_000) : -(100 + Math.floor(rnd() * 9_000));
    // Every 50th row repeats the row before it exactly: two identical coffees on one day.
    const repeat = i % 50 === 49 && lines.length > 1;
    if (repeat) {
      lines.push(lines[lines.length - 1] as string);
      total += lastAmount;
      balance += lastAmount;
      continue;
    }
    balance += amount;
    total += amount;
    lastAmount = amount;
    const reference = p[1].includes(',') ? `"${p[1]}"` : p[1];
    lines.push(`${date},${p[0]},${reference},${p[2]},${money(amount)},"${money(balance)}",${p[3]},`);
  }
  return { text: `${lines.join('\r\n')}\r\n`, rows, totalMinor: total };
}
