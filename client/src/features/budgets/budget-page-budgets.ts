import { onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import type { Subscription } from 'rxjs';
import type { Budget } from '@mymidas/shared/schema';
import type { ReplicaDatabase } from '../../db/database.ts';

export interface UseBudgetDocsReturn {
  /** Live budgets (deleted ones are not listed), as stored. */
  readonly budgets: ShallowRef<readonly Budget[]>;
  /** False until the first answer of the replica. */
  readonly loaded: Ref<boolean>;
}

/** The budget documents themselves (the editor edits them, "copy last period" plans over them): a live query of the small collection. */
export function useBudgetDocs(db: Readonly<Ref<ReplicaDatabase | null>>): UseBudgetDocsReturn {
  const budgets = shallowRef<readonly Budget[]>([]);
  const loaded = ref(false);
  let sub: Subscription | null = null;
  watch(db, (open) => {
    sub?.unsubscribe();
    sub = null;
    loaded.value = false;
    budgets.value = [];
    if (!open) return;
    sub = open.budgets.find().$.subscribe((docs) => {
      budgets.value = docs.map((d) => d.toMutableJSON() as Budget);
      loaded.value = true;
    });
  }, { immediate: true });
  onScopeDispose(() => sub?.unsubscribe());
  return { budgets, loaded };
}
