import { currencyExponent, parseMinor } from '../money/money.ts';
import type { DateFormat } from './types.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const SYMBOLS = /[£$€¥₹]|\b(?:GBP|EUR|USD|CHF|JPY)\b/g;

/**
 * Bank amount text to integer minor units: currency symbols or codes, spaces, thousands separators,
 * a leading `+`, `(12.34)` or a trailing `-` for negatives, and CR/DR suffixes. Never goes through a float.
 */
export function parseAmount(raw: string, currency: string): Parsed<number> {
  let text = raw.trim().replace(/[\u2212\u2013]/g, '-').replace(SYMBOLS, '').replace(/[\s\u00a0']/g, '');
  if (text === '') return { ok: false, error: 'empty amount' };
  let negative = false;
  const paren = /^\((.*)\)$/.exec(text);
  if (paren) {
    negative = true;
    text = paren[1] ?? '';
  }
  const suffix = /^(.*?)(CR|DR|-)$/i.exec(text);
  if (suffix && suffix[1] !== '') {
    if ((suffix[2] ?? '').toUpperCase() !== 'CR') negative = !negative;
    text = suffix[1] ?? '';
  }
  if (text.startsWith('-')) {
    negative = !negative;
    text = text.slice(1);
  } else if (text.startsWith('+')) text = text.slice(1);
  text = text.replace(SYMBOLS, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, '');
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) return { ok: false, error: `"${raw.trim().slice(0, 40)}" is not an amount` };
  if (text.startsWith('.')) text = `0${text}`;
  if (text.endsWith('.')) text = text.slice(0, -1);
  try {
    const value = parseMinor(text, currency) as number;
    return { ok: true, value: negative && value !== 0 ? -value : value };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export function isCurrency(code: string): boolean {
  try {
    currencyExponent(code);
    return true;
  } catch {
    return false;
  }
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function isoDate(y: number, m: number, d: number): Parsed<string> {
  if (y < 100) y += y < 70 ? 2000 : 1900;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (!(y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= days)) return { ok: false, error: 'no such date' };
  return { ok: true, value: `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

/**
 * Statement date text to `YYYY-MM-DD`. The format says the field order for numeric dates; ISO dates
 * (optionally with a time, which is dropped: statements list calendar days) and `05 Jan 2024` style dates
 * are recognised whatever the format says, as they are unambiguous.
 */
export function parseDate(raw: string, format: DateFormat): Parsed<string> {
  const text = raw.trim();
  const bad: Parsed<string> = { ok: false, error: `"${text.slice(0, 40)}" is not a ${format} date` };
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$/.exec(text);
  if (iso) {
    const r = isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return r.ok ? r : bad;
  }
  const named = /^(\d{1,2})[\s-]([A-Za-z]{3})[A-Za-z]*[\s-](\d{2}|\d{4})$/.exec(text);
  if (named) {
    const month = MONTHS.indexOf((named[2] ?? '').toLowerCase()) + 1;
    const r = month > 0 ? isoDate(Number(named[3]), month, Number(named[1])) : bad;
    return r.ok ? r : bad;
  }
  const numeric = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(text);
  if (numeric && format !== 'YYYY-MM-DD') {
    const a = Number(numeric[1]);
    const b = Number(numeric[2]);
    const r = format === 'MM/DD/YYYY' ? isoDate(Number(numeric[3]), a, b) : isoDate(Number(numeric[3]), b, a);
    return r.ok ? r : bad;
  }
  const compact = /^(\d{4})(\d{2})(\d{2})/.exec(text);
  if (compact && format === 'YYYY-MM-DD') {
    const r = isoDate(Number(compact[1]), Number(compact[2]), Number(compact[3]));
    return r.ok ? r : bad;
  }
  return bad;
}

/** Collapses runs of whitespace (including quoted newlines) and trims. */
export function cleanText(raw: string | undefined): string {
  return (raw ?? '').replace(/\s+/g, ' ').trim();
}
