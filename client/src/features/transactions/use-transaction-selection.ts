import { computed, shallowRef, toValue, watch } from 'vue';
import type { ComputedRef, MaybeRefOrGetter, ShallowRef } from 'vue';

export interface UseTransactionSelectionReturn {
  /** Ids of the selected rows (a new Set on every change). */
  readonly selected: ShallowRef<ReadonlySet<string>>;
  readonly allSelected: ComputedRef<boolean>;
  readonly someSelected: ComputedRef<boolean>;
  /** Selects or unselects one row; with `range`, every row from the last one clicked to this one. */
  toggle(id: string, range?: boolean): void;
  toggleAll(): void;
  clear(): void;
}

/**
 * Selection over a list of rows (by id). Rows that leave the list (filtered out, deleted) leave the
 * selection too, so a bulk action only ever touches rows the user can see.
 */
export function useTransactionSelection(rows: MaybeRefOrGetter<readonly { id: string }[]>): UseTransactionSelectionReturn {
  const selected = shallowRef<ReadonlySet<string>>(new Set());
  let lastClicked: string | null = null;

  watch(() => toValue(rows), (r) => {
    if (selected.value.size === 0) return;
    const ids = new Set(r.map((t) => t.id));
    const next = new Set([...selected.value].filter((id) => ids.has(id)));
    if (next.size !== selected.value.size) selected.value = next;
  });

  function toggle(id: string, range = false) {
    const next = new Set(selected.value);
    if (range && lastClicked) {
      const ids = toValue(rows).map((t) => t.id);
      const a = ids.indexOf(lastClicked);
      const b = ids.indexOf(id);
      if (a >= 0 && b >= 0) for (const x of ids.slice(Math.min(a, b), Math.max(a, b) + 1)) next.add(x);
    } else if (next.has(id)) next.delete(id);
    else next.add(id);
    lastClicked = id;
    selected.value = next;
  }

  const allSelected = computed(() => {
    const r = toValue(rows);
    return r.length > 0 && selected.value.size === r.length;
  });
  const someSelected = computed(() => selected.value.size > 0 && !allSelected.value);

  return {
    selected, allSelected, someSelected, toggle,
    toggleAll: () => {
      selected.value = allSelected.value ? new Set() : new Set(toValue(rows).map((t) => t.id));
    },
    clear: () => {
      selected.value = new Set();
    },
  };
}
