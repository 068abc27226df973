import { lineIndex } from './text.ts';
import { cleanText, isCurrency, parseAmount, parseDate } from './values.ts';
import { child, findAll, parseMarkup, textOf } from './xml.ts';
import type { XmlNode } from './xml.ts';
import type { ParsedTransaction, ParseProblem, ParseResult } from './types.ts';

export function looksLikeCamt053(text: string): boolean {
  const head = text.slice(0, 4000);
  return /camt\.053/i.test(head) || /<(\w+:)?BkToCstmrStmt[\s>]/.test(head);
}

/**
 * ISO 20022 CAMT.053 (bank-to-customer statement), versions 001.02 to 001.08 alike: one transaction per
 * `Ntry`. Sign from `CdtDbtInd` (DBIT = money out), date from `BookgDt` (else `ValDt`), status `PDNG`
 * (plain or inside `Cd`) means pending, `INFO` entries are not transactions and are reported. Description
 * from the remittance information, payee the other party (creditor on a debit, debtor on a credit).
 */
export function parseCamt053(text: string, defaultCurrency: string): ParseResult {
  const root = parseMarkup(text, lineIndex(text));
  const problems: ParseProblem[] = [];
  const transactions: ParsedTransaction[] = [];
  const entries = findAll(root, 'NTRY');
  if (entries.length === 0 && findAll(root, 'STMT').length === 0) {
    problems.push({ line: 1, message: 'CAMT.053: no Stmt element found' });
  }
  for (const entry of entries) {
    const line = entry.line;
    const amtNode = entry.children.find((c) => c.name === 'AMT');
    const currency = (amtNode?.attrs.CCY ?? '').toUpperCase() || defaultCurrency;
    if (!isCurrency(currency)) {
      problems.push({ line, column: 'Amt', message: `"${currency.slice(0, 10)}" is not a currency code` });
      continue;
    }
    const amount = parseAmount(textOf(amtNode), currency);
    if (!amount.ok) {
      problems.push({ line, column: 'Amt', message: `amount: ${amount.error}` });
      continue;
    }
    const indicator = textOf(entry.children.find((c) => c.name === 'CDTDBTIND')).toUpperCase();
    if (indicator !== 'DBIT' && indicator !== 'CRDT') {
      problems.push({ line, column: 'CdtDbtInd', message: `credit/debit indicator "${indicator.slice(0, 10)}" is neither CRDT nor DBIT` });
      continue;
    }
    const dateNode = child(entry, 'BOOKGDT') ?? child(entry, 'VALDT');
    const dateText = textOf(child(dateNode, 'DT')) || textOf(child(dateNode, 'DTTM'));
    const date = parseDate(dateText.slice(0, 10), 'YYYY-MM-DD');
    if (!date.ok) {
      problems.push({ line, column: 'BookgDt', message: `date: ${date.error}` });
      continue;
    }
    const stsNode = entry.children.find((c) => c.name === 'STS');
    const status = (textOf(child(stsNode, 'CD')) || textOf(stsNode)).toUpperCase();
    if (status === 'INFO') {
      problems.push({ line, column: 'Sts', message: 'information-only entry (INFO), not a transaction: left out' });
      continue;
    }
    const magnitude = Math.abs(amount.value);
    const tx: ParsedTransaction = {
      date: date.value,
      amount: indicator === 'DBIT' ? -magnitude || 0 : magnitude,
      currency,
      description: describe(entry),
      pending: status === 'PDNG',
    };
    const party = otherParty(entry, indicator);
    if (party) tx.payee = party;
    const ref = textOf(entry.children.find((c) => c.name === 'ACCTSVCRREF')) || textOf(child(entry, 'NTRYDTLS', 'REFS', 'ACCTSVCRREF'));
    if (ref) tx.reference = ref;
    transactions.push(tx);
  }
  return { format: 'camt053', transactions, problems };
}

function describe(entry: XmlNode): string {
  const parts = findAll(entry, 'USTRD').map((n) => cleanText(textOf(n)));
  if (parts.length === 0) {
    const info = textOf(entry.children.find((c) => c.name === 'ADDTLNTRYINF'));
    if (info) parts.push(cleanText(info));
  }
  if (parts.length === 0) {
    const ref = textOf(child(entry, 'STRD', 'REF'));
    if (ref) parts.push(cleanText(ref));
  }
  return parts.filter(Boolean).join(' ');
}

function otherParty(entry: XmlNode, indicator: string): string {
  const parties = child(entry, 'RLTDPTIES');
  const side = indicator === 'DBIT' ? 'CDTR' : 'DBTR';
  const node = child(parties, side);
  return cleanText(textOf(child(node, 'NM')));
}
