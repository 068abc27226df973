import { cleanText, parseAmount, parseDate } from './values.ts';
import type { ParsedTransaction, ParseProblem, ParseResult } from './types.ts';

export function looksLikeQif(text: string): boolean {
  return /^\s*!(Type|Account|Option)[:\s]/im.test(text.slice(0, 500));
}

interface QifRecord {
  line: number;
  fields: Map<string, string>;
}

/**
 * QIF bank/card records (`D` date, `T`/`U` amount, `P` payee, `M` memo, `N` number, `^` end). Quicken
 * writes dates as `D05/01/2024`, `D5/1/24` or the US `D1/5'24`; the order is day-first unless the file
 * proves otherwise (a first part above 12) or the caller says MDY. An apostrophe year means 2000+.
 */
export function parseQif(text: string, currency: string, order: 'auto' | 'DMY' | 'MDY'): ParseResult {
  const problems: ParseProblem[] = [];
  const records: QifRecord[] = [];
  let current: QifRecord | undefined;
  let skipping = false;
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const content = raw.trim();
    if (content === '') return;
    if (content.startsWith('!')) {
      const kind = content.slice(1).toLowerCase();
      skipping = !/^type:(bank|cash|ccard|oth a|oth l|invst)/.test(kind);
      if (kind.startsWith('option') || kind.startsWith('clear')) skipping = skipping && !current;
      current = undefined;
      return;
    }
    if (skipping) return;
    if (content === '^') {
      if (current) records.push(current);
      current = undefined;
      return;
    }
    current ??= { line, fields: new Map() };
    const code = content[0] ?? '';
    if (!current.fields.has(code)) current.fields.set(code, content.slice(1));
  });
  if (current) records.push(current);

  const dateTexts = records.map((r) => qifDate(r.fields.get('D')));
  const apostrophe = records.some((r) => (r.fields.get('D') ?? '').includes("'"));
  const mdy = order === 'MDY' || (order === 'auto' && isMonthFirst(dateTexts, apostrophe));
  const transactions: ParsedTransaction[] = [];
  for (const record of records) {
    const dateText = qifDate(record.fields.get('D'));
    const date = parseDate(dateText, mdy ? 'MM/DD/YYYY' : 'DD/MM/YYYY');
    if (!date.ok) {
      problems.push({ line: record.line, column: 'D', message: `date: ${date.error}` });
      continue;
    }
    const amountText = record.fields.get('T') ?? record.fields.get('U') ?? '';
    const amount = parseAmount(amountText, currency);
    if (!amount.ok) {
      problems.push({ line: record.line, column: 'T', message: `amount: ${amount.error}` });
      continue;
    }
    const payee = cleanText(record.fields.get('P'));
    const memo = cleanText(record.fields.get('M'));
    const tx: ParsedTransaction = {
      date: date.value,
      amount: amount.value,
      currency,
      description: [payee, memo].filter(Boolean).join(' - '),
      pending: false,
    };
    if (payee) tx.payee = payee;
    const number = cleanText(record.fields.get('N'));
    if (number) tx.reference = number;
    transactions.push(tx);
  }
  return { format: 'qif', transactions, problems };
}

/** Quicken pads day and month with spaces (`3/ 5'24`); the apostrophe separates a year of 2000 or later. */
function qifDate(raw: string | undefined): string {
  return (raw ?? '').replace(/\s+/g, '').replace("'", '/');
}

function isMonthFirst(dates: string[], apostrophe: boolean): boolean {
  let dayFirst = false;
  let monthFirst = false;
  for (const d of dates) {
    const m = /^\s*(\d{1,2})[/.-](\d{1,2})/.exec(d);
    if (!m) continue;
    if (Number(m[1]) > 12) dayFirst = true;
    if (Number(m[2]) > 12) monthFirst = true;
  }
  if (monthFirst && !dayFirst) return true;
  if (dayFirst) return false;
  return apostrophe;
}
