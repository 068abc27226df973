import { budgetSchemaV0, COLLECTIONS, type CollectionName } from '@mymidas/shared/schema';

/**
 * Documents in the shape of a collection's earlier schema version. After a schema change the server holds
 * only the new version (its migration converted every row), but a device still running an app from before
 * the change — a tab left open, a cached bundle — can push a document in the old shape. The push validation
 * refuses it like any invalid document (reason 'invalid', which every app version understands); this table
 * only makes the refusal say why and what to do. docs/schema-migrations.md: one entry per schema change.
 */
const RETIRED_SHAPES: { readonly [N in CollectionName]?: { readonly version: number; readonly schema: { safeParse(doc: unknown): { success: boolean } }; readonly noun: string } } = {
  budgets: { version: 0, schema: budgetSchemaV0, noun: 'budget' },
};

/** The refusal detail for a document in a retired shape of `collection`, or null when it is not one. */
export function retiredShapeDetail(collection: CollectionName, doc: unknown): string | null {
  const retired = RETIRED_SHAPES[collection];
  if (!retired || !retired.schema.safeParse(doc).success) return null;
  return `This ${retired.noun} is in the format of ${collection} version ${retired.version}, from a copy of the app older than the server, ` +
    `which keeps ${collection} version ${COLLECTIONS[collection].version}. Reload the app to update it, then make this change again.`;
}
