import { onScopeDispose, ref, shallowRef, watch } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import type { Subscription } from 'rxjs';
import type { ReplicaDatabase } from '../../db/database.ts';
import type { AssetInfo } from './invest-page-model.ts';

/**
 * The few documents the investment screens read themselves: the assets (names, kinds, currencies — a few dozen)
 * and the date of the first investment transaction (one indexed read, kept live), which starts the "All" range.
 * Trades and quotes are the worker's (invest-data.ts).
 */
export interface InvestDocs {
  readonly assets: ShallowRef<ReadonlyMap<string, AssetInfo>>;
  /** null when there is no trade. */
  readonly firstTrade: Ref<string | null>;
  /** Both have been read once. */
  readonly loaded: Ref<boolean>;
}

export function useInvestDocs(db: Ref<ReplicaDatabase | null>): InvestDocs {
  const assets = shallowRef<ReadonlyMap<string, AssetInfo>>(new Map());
  const firstTrade = ref<string | null>(null);
  const loaded = ref(false);
  let subscriptions: Subscription[] = [];
  const stop = () => {
    for (const s of subscriptions) s.unsubscribe();
    subscriptions = [];
  };
  watch(
    db,
    (open) => {
      stop();
      loaded.value = false;
      if (!open) return;
      let seen = 0;
      const mark = (bit: number) => {
        seen |= bit;
        if (seen === 3) loaded.value = true;
      };
      subscriptions = [
        open.assets.find().$.subscribe((docs) => {
          assets.value = new Map(docs.map((d) => [d.id, { id: d.id, symbol: d.symbol, name: d.name, kind: d.kind, currency: d.currency }]));
          mark(1);
        }),
        open.investment_transactions.findOne({ selector: {}, sort: [{ date: 'asc' }] }).$.subscribe((doc) => {
          firstTrade.value = doc?.date ?? null;
          mark(2);
        }),
      ];
    },
    { immediate: true },
  );
  onScopeDispose(stop);
  return { assets, firstTrade, loaded };
}
