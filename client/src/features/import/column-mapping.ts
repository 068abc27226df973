import { ColumnMappingSchema, DATE_FORMATS } from '@mymidas/shared/import';
import type { ColumnMappingInput, DateFormat } from '@mymidas/shared/import';

/**
 * The column-mapping step for a CSV whose header is no bank we know: a form model the page binds to,
 * a first guess from the header names, the check before parsing again, and the local document that
 * keeps the mapping per account so the next import of that bank's file asks nothing.
 */

export interface MappingForm {
  dateColumn: string;
  dateFormat: DateFormat;
  /** One signed amount column, or a paid-out / paid-in pair. */
  amountMode: 'signed' | 'pair';
  amountColumn: string;
  invertAmount: boolean;
  paidOutColumn: string;
  paidInColumn: string;
  descriptionColumn: string;
  payeeColumn: string;
  referenceColumn: string;
  currency: string;
}

const key = (c: string) => c.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

function pick(columns: readonly string[], patterns: readonly RegExp[], taken: ReadonlySet<string> = new Set()): string {
  for (const pattern of patterns) {
    const found = columns.find((c) => !taken.has(c) && pattern.test(key(c)));
    if (found !== undefined) return found;
  }
  return '';
}

/** A first guess from the header names; the user confirms or changes it. Unknown columns stay empty. */
export function suggestMapping(columns: readonly string[], currency = 'GBP'): MappingForm {
  const dateColumn = pick(columns, [/^(transaction |posting |posted |booking |value )?date$/, /date/, /^posted$/, /when/]);
  const paidOutColumn = pick(columns, [/^(paid out|money out|debit|debit amount|withdrawals?|out)$/, /(paid out|money out|debit|withdraw)/]);
  const paidInColumn = pick(columns, [/^(paid in|money in|credit|credit amount|deposits?|in)$/, /(paid in|money in|credit|deposit)/]);
  const amountColumn = pick(columns, [/^(amount|value|sum|net amount|transaction amount)$/, /(amount|value)/]);
  const descriptionColumn = pick(columns, [/^(description|details|narrative|memo|transaction description|particulars)$/, /(descr|detail|narrat|memo|reference|payee|name)/], new Set([dateColumn]));
  const payeeColumn = pick(columns, [/^(payee|counter party|counterparty|merchant|name)$/], new Set([descriptionColumn]));
  const referenceColumn = pick(columns, [/^(ref|reference|transaction id|id|fitid)$/], new Set([descriptionColumn, payeeColumn]));
  const pair = amountColumn === '' && (paidOutColumn !== '' || paidInColumn !== '');
  return {
    dateColumn,
    dateFormat: 'DD/MM/YYYY',
    amountMode: pair ? 'pair' : 'signed',
    amountColumn,
    invertAmount: false,
    paidOutColumn,
    paidInColumn,
    descriptionColumn,
    payeeColumn,
    referenceColumn,
    currency: /^[A-Z]{3}$/.test(currency) ? currency : 'GBP',
  };
}

/** Guesses the date format from sample cells of the date column (first format that reads them all). */
export function guessDateFormat(samples: readonly string[]): DateFormat | null {
  const cells = samples.map((s) => s.trim()).filter((s) => s !== '');
  if (cells.length === 0) return null;
  const tests: Record<DateFormat, RegExp> = {
    'YYYY-MM-DD': /^\d{4}-\d{2}-\d{2}/,
    'DD/MM/YYYY': /^(0?[1-9]|[12]\d|3[01])\/(0?[1-9]|1[0-2])\/\d{4}$/,
    'MM/DD/YYYY': /^(0?[1-9]|1[0-2])\/(0?[1-9]|[12]\d|3[01])\/\d{4}$/,
    'DD-MM-YYYY': /^(0?[1-9]|[12]\d|3[01])-(0?[1-9]|1[0-2])-\d{4}$/,
    'DD.MM.YYYY': /^(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.\d{4}$/,
    'D MMM YYYY': /^\d{1,2} [A-Za-z]{3,9} \d{4}$/,
  };
  return DATE_FORMATS.find((f) => cells.every((c) => tests[f].test(c))) ?? null;
}

export interface MappingCheck {
  readonly mapping: ColumnMappingInput | null;
  /** Field name → message, for the form's inline errors. */
  readonly errors: Partial<Record<keyof MappingForm, string>>;
}

/** Turns the form into a ColumnMapping, or says what is missing (checked with the shared zod schema). */
export function mappingFromForm(form: MappingForm, columns: readonly string[]): MappingCheck {
  const errors: Partial<Record<keyof MappingForm, string>> = {};
  const known = new Set(columns);
  const need = (field: keyof MappingForm, value: string, label: string) => {
    if (value === '') errors[field] = `Choose the ${label} column`;
    else if (!known.has(value)) errors[field] = `"${value}" is not a column of this file`;
  };
  need('dateColumn', form.dateColumn, 'date');
  need('descriptionColumn', form.descriptionColumn, 'description');
  if (form.amountMode === 'signed') need('amountColumn', form.amountColumn, 'amount');
  else {
    if (form.paidOutColumn === '' && form.paidInColumn === '') errors.paidOutColumn = 'Choose the paid-out column, the paid-in column or both';
    if (form.paidOutColumn !== '' && !known.has(form.paidOutColumn)) errors.paidOutColumn = `"${form.paidOutColumn}" is not a column of this file`;
    if (form.paidInColumn !== '' && !known.has(form.paidInColumn)) errors.paidInColumn = `"${form.paidInColumn}" is not a column of this file`;
    if (form.paidOutColumn !== '' && form.paidOutColumn === form.paidInColumn) errors.paidInColumn = 'Paid in and paid out must be different columns';
  }
  if (!/^[A-Z]{3}$/.test(form.currency)) errors.currency = 'A three-letter currency code such as GBP';
  if (Object.keys(errors).length > 0) return { mapping: null, errors };
  const mapping: ColumnMappingInput = {
    dateColumn: form.dateColumn,
    dateFormat: form.dateFormat,
    descriptionColumn: form.descriptionColumn,
    currency: form.currency,
    ...(form.amountMode === 'signed'
      ? { amountColumn: form.amountColumn, invertAmount: form.invertAmount }
      : {
          ...(form.paidOutColumn !== '' ? { paidOutColumn: form.paidOutColumn } : {}),
          ...(form.paidInColumn !== '' ? { paidInColumn: form.paidInColumn } : {}),
        }),
    ...(form.payeeColumn !== '' ? { payeeColumn: form.payeeColumn } : {}),
    ...(form.referenceColumn !== '' ? { referenceColumn: form.referenceColumn } : {}),
  };
  const checked = ColumnMappingSchema.safeParse(mapping);
  if (!checked.success) return { mapping: null, errors: { amountColumn: checked.error.issues[0]?.message ?? 'The mapping is not valid' } };
  return { mapping, errors: {} };
}

/** The form for a saved mapping (to show it again and let the user change it). */
export function formFromMapping(mapping: ColumnMappingInput): MappingForm {
  const pair = mapping.amountColumn === undefined;
  return {
    dateColumn: mapping.dateColumn,
    dateFormat: mapping.dateFormat,
    amountMode: pair ? 'pair' : 'signed',
    amountColumn: mapping.amountColumn ?? '',
    invertAmount: mapping.invertAmount ?? false,
    paidOutColumn: mapping.paidOutColumn ?? '',
    paidInColumn: mapping.paidInColumn ?? '',
    descriptionColumn: mapping.descriptionColumn,
    payeeColumn: mapping.payeeColumn ?? '',
    referenceColumn: mapping.referenceColumn ?? '',
    currency: mapping.currency ?? 'GBP',
  };
}

/** Whether a saved mapping names only columns this file has (ignoring case and spaces, as the parser does). */
export function mappingFitsColumns(mapping: ColumnMappingInput, columns: readonly string[]): boolean {
  const norm = (c: string) => c.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s+/g, ' ');
  const have = new Set(columns.map(norm));
  const named = [mapping.dateColumn, mapping.amountColumn, mapping.paidOutColumn, mapping.paidInColumn, mapping.descriptionColumn, mapping.payeeColumn, mapping.referenceColumn];
  return named.every((n) => n === undefined || have.has(norm(n)));
}

/** Local document id of an account's saved mapping (device-only, never replicated). */
export function mappingDocId(accountId: string): string {
  return `import-mapping-${accountId}`;
}
