import { cleanText, parseAmount, parseDate } from './values.ts';
import type { ParsedTransaction, ParseProblem, ParseResult } from './types.ts';

export function looksLikeSantander(text: string): boolean {
  const head = text.slice(0, 1500);
  return /^\s*From:\s*\S+\s+to\s+\S+/im.test(head) && /^\s*Date:\s/im.test(head) && /^\s*Amount:\s/im.test(text.slice(0, 4000));
}

/**
 * Santander UK's text statement download: a `From: … to …` and `Account: …` preamble, then one block per
 * transaction of `Date:`, `Description:`, `Amount:` and `Balance:` lines (amounts may carry `GBP`).
 */
export function parseSantander(text: string, currency: string): ParseResult {
  const problems: ParseProblem[] = [];
  const transactions: ParsedTransaction[] = [];
  let block: { line: number; fields: Map<string, string> } | undefined;
  const flush = (): void => {
    if (!block) return;
    const { line, fields } = block;
    block = undefined;
    const date = parseDate(fields.get('date') ?? '', 'DD/MM/YYYY');
    if (!date.ok) {
      problems.push({ line, column: 'Date', message: `date: ${date.error}` });
      return;
    }
    const amount = parseAmount(fields.get('amount') ?? '', currency);
    if (!amount.ok) {
      problems.push({ line, column: 'Amount', message: `amount: ${amount.error}` });
      return;
    }
    const tx: ParsedTransaction = { date: date.value, amount: amount.value, currency, description: cleanText(fields.get('description')), pending: false };
    const balanceText = fields.get('balance');
    if (balanceText !== undefined && balanceText.trim() !== '') {
      const balance = parseAmount(balanceText, currency);
      if (balance.ok) tx.balance = balance.value;
      else problems.push({ line, column: 'Balance', message: `balance: ${balance.error}` });
    }
    transactions.push(tx);
  };
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*(Date|Description|Amount|Balance):\s?(.*)$/i.exec(raw.replace(/\u00a0/g, ' '));
    if (!m) return;
    const key = (m[1] ?? '').toLowerCase();
    if (key === 'date') {
      flush();
      block = { line: i + 1, fields: new Map() };
    }
    if (!block) {
      problems.push({ line: i + 1, message: `"${key}" line outside a transaction block` });
      return;
    }
    block.fields.set(key, (m[2] ?? '').trim());
  });
  flush();
  return { format: 'santander', transactions, problems };
}
