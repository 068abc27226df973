import { DATE_FORMATS } from '@mymidas/shared/import';
import type { DateFormat } from '@mymidas/shared/import';
import { TRADE_KINDS, TradeMappingSchema, actionKey, guessAction, tradeMappingColumns } from '@mymidas/shared/import/brokers/mapped';
import type { ActionMeaning, TradeMappingInput } from '@mymidas/shared/import/brokers/mapped';
import type { ReplicaDatabase } from '../../db/database.ts';

/**
 * The column-mapping step for investment trades (a broker export in a layout no parser knows): the form the page
 * binds to, a first guess from the header names, the check before reading the file with it
 * (`parseMappedTradesCsv` in shared/src/import/brokers/mapped.ts), and the device-only local document that keeps
 * the mapping per account — saved with the import, as the bank mapping is — so the next file of that layout
 * is read without asking.
 */

export interface TradeMappingForm {
  dateColumn: string;
  dateFormat: DateFormat;
  kindColumn: string;
  /** Action word as the file writes it → its meaning ('' = not chosen yet). */
  kindValues: Record<string, ActionMeaning | ''>;
  symbolColumn: string;
  isinColumn: string;
  nameColumn: string;
  quantityColumn: string;
  unitPriceColumn: string;
  totalColumn: string;
  totalIncludesFee: boolean;
  feeColumn: string;
  currencyColumn: string;
  currency: string;
  notesColumn: string;
  splitRatioColumn: string;
}

export type TradeMappingField = Exclude<keyof TradeMappingForm, 'kindValues' | 'totalIncludesFee'>;
export type TradeMappingErrors = Partial<Record<TradeMappingField | 'kindValues', string>>;

export const ACTION_LABELS: Readonly<Record<ActionMeaning, string>> = {
  buy: 'Buy', sell: 'Sell', dividend: 'Dividend', fee: 'Fee', split: 'Split', transfer_in: 'Transfer in', transfer_out: 'Transfer out',
  skip: 'Not a trade (skip)',
};
export const ACTION_MEANINGS: readonly ActionMeaning[] = [...TRADE_KINDS, 'skip'];

const key = (c: string) => c.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

function pick(columns: readonly string[], patterns: readonly RegExp[], taken: ReadonlySet<string>): string {
  for (const pattern of patterns) {
    const found = columns.find((c) => !taken.has(c) && pattern.test(key(c)));
    if (found !== undefined) return found;
  }
  return '';
}

/** A first guess from the header names; what it cannot tell stays empty for the user to choose. */
export function suggestTradeMapping(columns: readonly string[], currency = 'GBP'): TradeMappingForm {
  const taken = new Set<string>();
  const take = (patterns: readonly RegExp[]) => {
    const c = pick(columns, patterns, taken);
    if (c !== '') taken.add(c);
    return c;
  };
  const dateColumn = take([/^(trade |transaction |order |settlement )?(date|day)$/, /^(trade|transaction|order) (date|day|time)/, /date|day|time/]);
  const kindColumn = take([/^(action|type|transaction type|side|buy sell|activity|kind|operation)$/, /action|type|side|activity/]);
  const isinColumn = take([/^isin$/, /isin/]);
  const symbolColumn = take([/^(symbol|ticker|code|epic|instrument code)$/, /symbol|ticker/]);
  const nameColumn = take([/^(name|security|instrument|investment|stock|fund|asset|description|holding|title)( name)?$/, /security|instrument|investment|name/]);
  const quantityColumn = take([/^(quantity|qty|shares|units|no of shares|number of shares|amount of shares)$/, /quantity|qty|shares|units/]);
  const unitPriceColumn = take([/^(price|unit price|share price|price per share|price share|cost per unit)$/, /price/]);
  const feeColumn = take([/^(fee|fees|commission|charges?|dealing charge|costs?)$/, /fee|commission|charge/]);
  const totalColumn = take([/^(total|amount|net amount|value|net value|consideration|total amount|net|proceeds)$/, /total|amount|value|consideration/]);
  const currencyColumn = take([/^(currency|ccy|cur)$/, /currency/]);
  const notesColumn = take([/^(notes?|comments?|memo|remarks?)$/]);
  const splitRatioColumn = take([/^(ratio|split ratio)$/]);
  return {
    dateColumn, dateFormat: 'DD/MM/YYYY', kindColumn, kindValues: {}, symbolColumn, isinColumn, nameColumn, quantityColumn, unitPriceColumn,
    totalColumn, totalIncludesFee: true, feeColumn, currencyColumn, currency: /^[A-Z]{3}$/.test(currency) ? currency : 'GBP', notesColumn, splitRatioColumn,
  };
}

/** The action words of the file with their meaning: kept if already chosen, else guessed, else '' (to choose). */
export function withActions(form: TradeMappingForm, words: readonly string[]): Record<string, ActionMeaning | ''> {
  const chosen = new Map(Object.entries(form.kindValues).map(([w, m]) => [actionKey(w), m] as const));
  const out: Record<string, ActionMeaning | ''> = {};
  for (const w of words) out[w] = chosen.get(actionKey(w)) || guessAction(w) || '';
  return out;
}

export interface TradeMappingCheck {
  readonly mapping: TradeMappingInput | null;
  readonly errors: TradeMappingErrors;
}

const opt = (value: string) => (value === '' ? undefined : value);

/** The form as a mapping, or a message per field (checked again with the shared zod schema). */
export function tradeMappingFromForm(form: TradeMappingForm, columns: readonly string[]): TradeMappingCheck {
  const errors: TradeMappingErrors = {};
  const known = new Set(columns);
  const required = (field: TradeMappingField, label: string) => {
    if (form[field] === '') errors[field] = `Choose the ${label} column`;
  };
  required('dateColumn', 'date');
  required('kindColumn', 'action (buy, sell…)');
  const columnFields: TradeMappingField[] = ['dateColumn', 'kindColumn', 'symbolColumn', 'isinColumn', 'nameColumn', 'quantityColumn', 'unitPriceColumn', 'totalColumn', 'feeColumn', 'currencyColumn', 'notesColumn', 'splitRatioColumn'];
  for (const f of columnFields) if (form[f] !== '' && !known.has(form[f])) errors[f] = `"${form[f]}" is not a column of this file`;
  if (form.symbolColumn === '' && form.isinColumn === '' && form.nameColumn === '') errors.symbolColumn = 'Choose the symbol, ISIN or name column (at least one)';
  if (form.totalColumn === '' && (form.quantityColumn === '' || form.unitPriceColumn === '')) errors.totalColumn = 'Choose the total column, or both quantity and unit price';
  if (!/^[A-Z]{3}$/.test(form.currency)) errors.currency = 'A three-letter currency code such as GBP';
  const unset = Object.entries(form.kindValues).filter(([, m]) => m === '').map(([w]) => `“${w}”`);
  if (unset.length > 0) errors.kindValues = `Say what ${unset.join(', ')} ${unset.length > 1 ? 'mean' : 'means'}`;
  if (Object.keys(errors).length > 0) return { mapping: null, errors };
  const kindValues: Record<string, ActionMeaning> = {};
  for (const [w, m] of Object.entries(form.kindValues)) if (m !== '') kindValues[w] = m;
  const mapping: TradeMappingInput = {
    dateColumn: form.dateColumn, dateFormat: form.dateFormat, kindColumn: form.kindColumn, kindValues, totalIncludesFee: form.totalIncludesFee,
    currency: form.currency,
    ...Object.fromEntries(
      (['symbolColumn', 'isinColumn', 'nameColumn', 'quantityColumn', 'unitPriceColumn', 'totalColumn', 'feeColumn', 'currencyColumn', 'notesColumn', 'splitRatioColumn'] as const)
        .flatMap((f) => (opt(form[f]) === undefined ? [] : [[f, form[f]]])),
    ),
  };
  const checked = TradeMappingSchema.safeParse(mapping);
  if (!checked.success) return { mapping: null, errors: { totalColumn: checked.error.issues[0]?.message ?? 'The mapping is not valid' } };
  return { mapping, errors: {} };
}

/** The form for a saved mapping, to show it again. */
export function tradeFormFromMapping(m: TradeMappingInput): TradeMappingForm {
  return {
    dateColumn: m.dateColumn, dateFormat: DATE_FORMATS.includes(m.dateFormat) ? m.dateFormat : 'DD/MM/YYYY', kindColumn: m.kindColumn,
    kindValues: { ...(m.kindValues ?? {}) }, symbolColumn: m.symbolColumn ?? '', isinColumn: m.isinColumn ?? '', nameColumn: m.nameColumn ?? '',
    quantityColumn: m.quantityColumn ?? '', unitPriceColumn: m.unitPriceColumn ?? '', totalColumn: m.totalColumn ?? '',
    totalIncludesFee: m.totalIncludesFee ?? true, feeColumn: m.feeColumn ?? '', currencyColumn: m.currencyColumn ?? '', currency: m.currency ?? 'GBP',
    notesColumn: m.notesColumn ?? '', splitRatioColumn: m.splitRatioColumn ?? '',
  };
}

const norm = (c: string) => c.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s+/g, ' ');

/** Whether a saved mapping names only columns this file has (ignoring case and spaces, as the parser does). */
export function tradeMappingFitsColumns(m: TradeMappingInput, columns: readonly string[]): boolean {
  const have = new Set(columns.map(norm));
  return tradeMappingColumns(m).every((c) => have.has(norm(c)));
}

/** Local document id of an account's saved trade mapping (device-only, never replicated). */
export function tradeMappingDocId(accountId: string): string {
  return `import-trade-mapping-${accountId}`;
}

export async function loadTradeMapping(db: ReplicaDatabase, accountId: string): Promise<TradeMappingInput | null> {
  const doc = await db.getLocal<{ mapping: unknown }>(tradeMappingDocId(accountId));
  if (!doc) return null;
  const raw = (doc.toJSON().data as { mapping: unknown }).mapping;
  return TradeMappingSchema.safeParse(raw).success ? (raw as TradeMappingInput) : null;
}

export async function saveTradeMapping(db: ReplicaDatabase, accountId: string, mapping: TradeMappingInput): Promise<void> {
  await db.upsertLocal(tradeMappingDocId(accountId), { mapping });
}
