import { ref, shallowRef, toValue, watch } from 'vue';
import type { MaybeRefOrGetter, Ref, ShallowRef } from 'vue';
import type { Transaction } from '@mymidas/shared/schema';
import type { ComputeSession } from '../../compute/compute-session.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { coalesce } from '../../composables/coalesce.ts';

export interface RecentPage {
  readonly rows: readonly Transaction[];
  readonly page: number;
  readonly total: number;
}

export interface UseRecentTransactionsOptions {
  readonly db: Ref<ReplicaDatabase | null>;
  readonly session: Ref<ComputeSession | null>;
  /** Changes whenever the snapshot took in a change (the list is read again). */
  readonly revision: MaybeRefOrGetter<number>;
  readonly pageSize?: number;
}

export interface UseRecentTransactionsReturn {
  readonly current: ShallowRef<RecentPage | null>;
  readonly loading: Ref<boolean>;
  readonly error: Ref<string | null>;
  readonly page: Ref<number>;
}

/**
 * One page of the newest transactions (date, then id, descending) read through the replica's date
 * index. The compute worker says from which date on there are enough rows for the page, so the query
 * is `date >= that day`: IndexedDB walks a few dozen index entries and the storage wrapper decrypts only
 * the rows of the page, however many transactions the replica holds.
 */
export async function readRecentPage(db: ReplicaDatabase, session: ComputeSession, page: number, pageSize: number): Promise<RecentPage> {
  const wanted = (page + 1) * pageSize;
  let ask = wanted;
  for (let attempt = 0; ; attempt++) {
    const window = await session.worker.api.recentWindow(ask);
    const selector = window.from === null ? {} : { date: { $gte: window.from } };
    const docs = await db.transactions.find({ selector, sort: [{ date: 'desc' }, { id: 'desc' }], skip: page * pageSize, limit: pageSize }).exec();
    const rows = docs.map((d) => d.toJSON() as Transaction);
    // The window counts split lines as rows, so it can fall short of documents: widen and read again.
    const short = rows.length < pageSize && page * pageSize + rows.length < window.transactions;
    if (!short || window.from === null || attempt >= 3) return { rows, page, total: window.transactions };
    ask *= 4;
  }
}

export function useRecentTransactions(options: UseRecentTransactionsOptions): UseRecentTransactionsReturn {
  const pageSize = options.pageSize ?? 10;
  const current = shallowRef<RecentPage | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const page = ref(0);
  let run = 0;

  async function load() {
    const db = options.db.value;
    const session = options.session.value;
    if (!db || !session || toValue(options.revision) === 0) {
      current.value = null;
      return;
    }
    const mine = ++run;
    loading.value = true;
    try {
      const next = await readRecentPage(db, session, page.value, pageSize);
      if (mine !== run) return;
      const lastPage = Math.max(0, Math.ceil(next.total / pageSize) - 1);
      if (page.value > lastPage) {
        page.value = lastPage;
        return;
      }
      current.value = next;
      error.value = null;
    } catch (e) {
      if (mine === run) error.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (mine === run) loading.value = false;
    }
  }

  // One read in flight and at most one queued behind it, however fast changes arrive.
  const schedule = coalesce(load);

  watch([() => toValue(options.revision), page, options.db, options.session], schedule, { immediate: true });
  return { current, loading, error, page };
}
