import type { AccountType, Asset, CollectionName, DocOf } from '../schema/registry.ts';

export type { AccountType };
export type AssetKind = Asset['kind'];

/** One generated document and the collection it belongs to. */
export type DemoRecord = { [N in CollectionName]: { readonly collection: N; readonly doc: DocOf<N> } }[CollectionName];
