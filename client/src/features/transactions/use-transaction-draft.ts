import { computed, reactive, ref, watch } from 'vue';
import type { ComputedRef, Ref } from 'vue';
import type { Account, Category, Transaction } from '@mymidas/shared/schema';
import { todayLocal } from '@mymidas/shared/date';
import { mirrorTransferEdit, withTransferPartners } from '@mymidas/shared/ledger/edits';
import type { LedgerChange, TransactionDoc } from '@mymidas/shared/ledger/edits';
import { categorise, suggestCategory } from '@mymidas/shared/ledger/rules';
import type { CompiledRule, MerchantModel } from '@mymidas/shared/ledger/rules';
import { transferLegs } from '@mymidas/shared/ledger/transfers';
import { newId } from '../../db/ids.ts';
import { amountInputText, money, parseAmountInput } from '../ledger-data/format.ts';
import { merchantsInUse, parseTags, splitRemainder } from './tx-query.ts';

export type DraftKind = 'expense' | 'income' | 'transfer';

export interface SplitLineForm {
  key: string;
  categoryId: string;
  amount: string;
  memo: string;
}

/** The editor's fields as typed. */
export interface TransactionForm {
  kind: DraftKind;
  accountId: string;
  toAccountId: string;
  date: string;
  amount: string;
  toAmount: string;
  merchant: string;
  description: string;
  categoryId: string;
  tags: string;
  notes: string;
  status: Transaction['status'];
  splitOn: boolean;
  lines: SplitLineForm[];
}

/** What the draft reads from the ledger (the Pinia store fits). */
export interface DraftLedger {
  readonly accounts: readonly Account[];
  readonly accountById: ReadonlyMap<string, Account>;
  readonly categoryById: ReadonlyMap<string, Category>;
  readonly baseCurrency: string;
  readonly transactions: readonly Transaction[];
  readonly compiledRules: readonly CompiledRule[];
  readonly merchantModel: MerchantModel;
  transactionById(id: string): Transaction | undefined;
}

export interface UseTransactionDraftOptions {
  /** The transaction being edited; null to add one. */
  readonly transaction: Transaction | null;
  readonly defaultAccountId?: string | null;
  readonly today?: () => string;
}

/** One action for the ledger's write path, and the sentence to show once it is saved. */
export interface DraftAction {
  readonly label: string;
  readonly changes: LedgerChange[];
  readonly message: string;
}

export interface UseTransactionDraftReturn {
  readonly form: TransactionForm;
  readonly original: Transaction | null;
  readonly isTransferLeg: boolean;
  readonly account: ComputedRef<Account | null>;
  readonly toAccount: ComputedRef<Account | null>;
  readonly currency: ComputedRef<string>;
  readonly crossCurrency: ComputedRef<boolean>;
  readonly openAccounts: ComputedRef<Account[]>;
  readonly merchants: ComputedRef<string[]>;
  /** Minor units left to assign to split lines (negative: too much); null while an amount is unreadable. */
  readonly remainder: ComputedRef<number | null>;
  /** "Usual category for this merchant …" after the merchant's usual category was filled in. */
  readonly suggestion: Ref<string | null>;
  addLine(): void;
  removeLine(key: string): void;
  onMerchantChange(): void;
  /** The save as one action; throws (RangeError, TransferError) with a message for the user when the form is not complete. */
  saveAction(): DraftAction;
  /** Deleting the transaction (and the other leg of a transfer) as one action. */
  deleteAction(): DraftAction;
}

/**
 * The transaction editor's form state and what saving it means: an expense or income (with rules
 * and the learned merchant category filling what the user left empty, and split lines that must add
 * up), a new transfer (two linked legs), or an edit of one transfer leg (the other leg follows).
 * Checks of the ledger as a whole (closed accounts, legs that agree) are the write path's.
 */
export function useTransactionDraft(ledger: DraftLedger, options: UseTransactionDraftOptions): UseTransactionDraftReturn {
  const t0 = options.transaction;
  const isTransferLeg = t0 !== null && t0.transferId !== null;
  const form = reactive<TransactionForm>({
    kind: t0 ? (t0.transferId !== null ? 'transfer' : t0.amount > 0 ? 'income' : 'expense') : 'expense',
    accountId: t0?.accountId ?? options.defaultAccountId ?? ledger.accounts.find((a) => !a.closed)?.id ?? '',
    toAccountId: '',
    date: t0?.date ?? (options.today ?? todayLocal)(),
    amount: t0 ? amountInputText(Math.abs(t0.amount), t0.currency) : '',
    toAmount: '',
    merchant: t0?.merchant ?? '',
    description: t0?.description ?? '',
    categoryId: t0?.categoryId ?? '',
    tags: t0?.tags.join(', ') ?? '',
    notes: t0?.notes ?? '',
    status: t0?.status ?? 'uncleared',
    splitOn: (t0?.splits.length ?? 0) > 0,
    lines: (t0?.splits ?? []).map((l) => ({ key: l.id, categoryId: l.categoryId ?? '', amount: amountInputText(Math.abs(l.amount), t0!.currency), memo: l.memo ?? '' })),
  });
  const suggestion = ref<string | null>(null);

  const account = computed(() => ledger.accountById.get(form.accountId) ?? null);
  const toAccount = computed(() => ledger.accountById.get(form.toAccountId) ?? null);
  const currency = computed(() => account.value?.currency ?? t0?.currency ?? ledger.baseCurrency);
  const crossCurrency = computed(() => form.kind === 'transfer' && !!toAccount.value && !!account.value && toAccount.value.currency !== account.value.currency);
  const openAccounts = computed(() => ledger.accounts.filter((a) => !a.closed || a.id === form.accountId));
  const merchants = computed(() => merchantsInUse(ledger.transactions));
  const sign = () => (form.kind === 'income' ? 1 : -1);

  function amountMinor(text: string): number | null {
    try {
      return parseAmountInput(text, currency.value);
    } catch {
      return null;
    }
  }

  const remainder = computed(() => {
    const total = amountMinor(form.amount);
    if (total === null) return null;
    const parsed = form.lines.map((l) => amountMinor(l.amount));
    if (parsed.some((p) => p === null)) return null;
    return splitRemainder(Math.abs(total), parsed.map((p) => ({ amount: Math.abs(p!) })));
  });

  function addLine() {
    const left = remainder.value ?? 0;
    form.lines.push({ key: newId(), categoryId: '', amount: left > 0 ? amountInputText(left, currency.value) : '', memo: '' });
    if (form.lines.length === 1) addLine();
  }
  watch(() => form.splitOn, (on) => {
    if (on && form.lines.length === 0) addLine();
  });

  function onMerchantChange() {
    suggestion.value = null;
    if (form.categoryId !== '' || form.kind === 'transfer') return;
    const s = suggestCategory({ merchant: form.merchant.trim() || null, description: form.description }, ledger.merchantModel);
    if (s && ledger.categoryById.has(s.categoryId)) {
      form.categoryId = s.categoryId;
      suggestion.value = `Usual category for this merchant (${s.count} of ${s.total} times).`;
    }
  }

  function buildSplits(total: number): Transaction['splits'] {
    if (!form.splitOn) return [];
    const out = form.lines.map((l) => {
      const a = amountMinor(l.amount);
      if (a === null) throw new RangeError(`Split line amount "${l.amount}" is not an amount`);
      return { id: l.key.length === 36 ? l.key : newId(), categoryId: l.categoryId === '' ? null : l.categoryId, amount: sign() * Math.abs(a), memo: l.memo.trim() === '' ? null : l.memo.trim().slice(0, 200) };
    });
    if (out.length < 2) throw new RangeError('A split needs at least two lines');
    const left = splitRemainder(total, out);
    if (left !== 0) throw new RangeError(`The split lines must add up to the amount: ${money(Math.abs(left), currency.value)} ${Math.sign(left) === sign() ? 'left to assign' : 'too much'}`);
    return out;
  }

  function transferAction(from: Account, size: number): DraftAction {
    const to = toAccount.value;
    if (!to) throw new Error('Choose the account the money goes to.');
    let received: number | undefined;
    if (crossCurrency.value) {
      try {
        received = Math.abs(parseAmountInput(form.toAmount, to.currency));
      } catch {
        throw new RangeError(`Enter the amount received in ${to.currency}.`);
      }
    }
    const legs = transferLegs({
      from, to, amount: size, ...(received !== undefined ? { toAmount: received } : {}),
      date: form.date, description: form.description.trim() || `Transfer to ${to.name}`, categoryId: form.categoryId || null, ids: [newId(), newId()],
    });
    return {
      label: 'Transfer recorded',
      changes: legs.map((leg) => ({ before: null, after: { ...leg, status: form.status, notes: form.notes.trim() || null } })),
      message: `Transfer of ${money(size, from.currency)} recorded: both legs saved.`,
    };
  }

  function saveAction(): DraftAction {
    const from = account.value;
    if (!from) throw new Error('Choose an account.');
    const size = amountMinor(form.amount);
    if (size === null || size === 0) throw new RangeError('Enter an amount other than zero.');
    if (form.kind === 'transfer' && !isTransferLeg) return transferAction(from, Math.abs(size));
    let after: TransactionDoc = {
      ...(t0 ?? { id: newId(), importHash: null, transferId: null }),
      accountId: from.id,
      currency: from.currency,
      date: form.date,
      amount: isTransferLeg ? (t0!.amount < 0 ? -Math.abs(size) : Math.abs(size)) : sign() * Math.abs(size),
      merchant: form.merchant.trim() === '' ? null : form.merchant.trim(),
      description: form.description.trim(),
      categoryId: form.categoryId === '' ? null : form.categoryId,
      tags: parseTags(form.tags),
      notes: form.notes.trim() === '' ? null : form.notes.trim(),
      status: form.status,
      splits: [],
    };
    if (!isTransferLeg) after = { ...after, splits: buildSplits(after.amount) };
    if (after.splits.length > 0) after = { ...after, categoryId: null };
    if (!t0) {
      // Rules fill what the user left empty; the learned merchant category comes after them.
      const c = categorise({ ...after, hlc: '' }, [...ledger.compiledRules], ledger.merchantModel);
      after = c.result.transaction;
      if (after.categoryId === null && after.splits.length === 0 && c.suggestion && ledger.categoryById.has(c.suggestion.categoryId)) after = { ...after, categoryId: c.suggestion.categoryId };
    }
    const changes: LedgerChange[] = [{ before: t0, after }];
    const other = isTransferLeg ? ledger.transactionById(t0!.transferId!) : undefined;
    const mirrored = other ? mirrorTransferEdit(after, other) : null;
    if (other && mirrored) changes.push({ before: other, after: mirrored });
    return { label: t0 ? 'Edited' : 'Added', changes, message: t0 ? 'Transaction saved.' : 'Transaction added.' };
  }

  function deleteAction(): DraftAction {
    if (!t0) throw new Error('There is nothing to delete yet.');
    const rows = withTransferPartners([t0], (id) => ledger.transactionById(id));
    return { label: 'Deleted', changes: rows.map((t) => ({ before: t, after: null })), message: rows.length > 1 ? 'Both legs of the transfer deleted.' : 'Transaction deleted.' };
  }

  return {
    form, original: t0, isTransferLeg, account, toAccount, currency, crossCurrency, openAccounts, merchants, remainder, suggestion,
    addLine,
    removeLine: (key) => {
      form.lines = form.lines.filter((l) => l.key !== key);
    },
    onMerchantChange, saveAction, deleteAction,
  };
}
