import { lineIndex } from './text.ts';
import { cleanText, isCurrency, parseAmount, parseDate } from './values.ts';
import { child, findAll, parseMarkup, textOf } from './xml.ts';
import type { ParsedTransaction, ParseProblem, ParseResult } from './types.ts';

export function looksLikeOfx(text: string): boolean {
  const head = text.slice(0, 2000);
  return /OFXHEADER\s*[:=]/i.test(head) || /<OFX>/i.test(head) || /<\?OFX\b/i.test(head);
}

/**
 * OFX/QFX, SGML 1.x (header lines then unclosed leaf tags) and XML 2.x. Reads every STMTTRN in bank and
 * card statements; the currency is each statement's CURDEF (or a transaction's CURRENCY/ORIGCURRENCY).
 */
export function parseOfx(text: string, defaultCurrency: string): ParseResult {
  const start = text.search(/<OFX>/i);
  const lineOf = lineIndex(text);
  const problems: ParseProblem[] = [];
  const transactions: ParsedTransaction[] = [];
  if (start === -1) return { format: 'ofx', transactions, problems: [{ line: 1, message: 'OFX: no <OFX> element found' }] };
  const root = parseMarkup(text.slice(start), (offset) => lineOf(start + offset));
  const statements = [...findAll(root, 'STMTRS'), ...findAll(root, 'CCSTMTRS')];
  const groups = statements.length > 0 ? statements : [root];
  for (const stmt of groups) {
    let currency = textOf(child(stmt, 'CURDEF')).toUpperCase() || defaultCurrency;
    if (!isCurrency(currency)) {
      problems.push({ line: child(stmt, 'CURDEF')?.line ?? 1, column: 'CURDEF', message: `"${currency.slice(0, 10)}" is not a currency code` });
      currency = defaultCurrency;
    }
    for (const trn of findAll(stmt, 'STMTTRN')) {
      const line = trn.line;
      const date = parseDate(textOf(child(trn, 'DTPOSTED')).slice(0, 8), 'YYYY-MM-DD');
      if (!date.ok) {
        problems.push({ line, column: 'DTPOSTED', message: `date: ${date.error}` });
        continue;
      }
      const trnCurrency = textOf(child(trn, 'CURRENCY', 'CURSYM')).toUpperCase();
      const cur = trnCurrency && isCurrency(trnCurrency) ? trnCurrency : currency;
      const amount = parseAmount(textOf(child(trn, 'TRNAMT')), cur);
      if (!amount.ok) {
        problems.push({ line, column: 'TRNAMT', message: `amount: ${amount.error}` });
        continue;
      }
      const name = cleanText(textOf(child(trn, 'NAME')));
      const memo = cleanText(textOf(child(trn, 'MEMO')));
      const tx: ParsedTransaction = {
        date: date.value,
        amount: amount.value,
        currency: cur,
        description: [name, memo].filter(Boolean).join(' - ') || cleanText(textOf(child(trn, 'TRNTYPE'))),
        pending: false,
      };
      if (name) tx.payee = name;
      const fitid = cleanText(textOf(child(trn, 'FITID')));
      if (fitid) tx.reference = fitid;
      transactions.push(tx);
    }
  }
  return { format: 'ofx', transactions, problems };
}
