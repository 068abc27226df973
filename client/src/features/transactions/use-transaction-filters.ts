import { computed, reactive } from 'vue';
import type { ComputedRef } from 'vue';
import { parseAmountInput } from '../ledger-data/format.ts';
import { isFilterActive } from './tx-query.ts';
import type { ClearedFilter, TxFilter } from './tx-query.ts';

/** The filter form as typed: text fields, '' for "any". */
export interface TransactionFilterForm {
  accountId: string;
  categoryId: string;
  tag: string;
  from: string;
  to: string;
  min: string;
  max: string;
  cleared: ClearedFilter;
  search: string;
}

export interface UseTransactionFiltersOptions {
  /** The currency typed amounts are read in, for the chosen account ('' = all). Default GBP. */
  currencyFor?: (accountId: string) => string;
  /** A form to start from (tests, a saved view). */
  initial?: Partial<TransactionFilterForm>;
}

export interface UseTransactionFiltersReturn {
  readonly form: TransactionFilterForm;
  readonly filter: ComputedRef<TxFilter>;
  readonly active: ComputedRef<boolean>;
  /** Why the amount fields cannot be read, or null. */
  readonly amountError: ComputedRef<string | null>;
  /** True when this amount text is not an amount. */
  amountInvalid(text: string): boolean;
  clear(): void;
}

const EMPTY_FORM: TransactionFilterForm = { accountId: '', categoryId: '', tag: '', from: '', to: '', min: '', max: '', cleared: 'all', search: '' };

/** Filter state of the transactions list: the form, and the TxFilter it stands for. */
export function useTransactionFilters(options: UseTransactionFiltersOptions = {}): UseTransactionFiltersReturn {
  const form = reactive<TransactionFilterForm>({ ...EMPTY_FORM, ...options.initial });
  const currency = computed(() => options.currencyFor?.(form.accountId) ?? 'GBP');

  function amountOrNull(text: string): number | null | 'bad' {
    if (text.trim() === '') return null;
    try {
      return Math.abs(parseAmountInput(text, currency.value));
    } catch {
      return 'bad';
    }
  }

  const amountError = computed(() => (amountOrNull(form.min) === 'bad' || amountOrNull(form.max) === 'bad' ? 'Amounts as numbers, e.g. 12.50' : null));
  const filter = computed<TxFilter>(() => {
    const min = amountOrNull(form.min);
    const max = amountOrNull(form.max);
    return {
      accountId: form.accountId || null,
      categoryId: form.categoryId || null,
      tag: form.tag || null,
      from: form.from || null,
      to: form.to || null,
      minAmount: typeof min === 'number' ? min : null,
      maxAmount: typeof max === 'number' ? max : null,
      cleared: form.cleared,
      search: form.search,
    };
  });
  const active = computed(() => isFilterActive(filter.value));

  return {
    form, filter, active, amountError,
    amountInvalid: (text) => amountOrNull(text) === 'bad',
    clear: () => Object.assign(form, EMPTY_FORM),
  };
}
