import { z } from 'zod';
import {
  accountSchema, assetSchema, attachmentSchema, budgetSchema, categorisationRuleSchema, categorySchema,
  investmentTransactionSchema, netWorthSnapshotSchema, quoteSchema, recurringRuleSchema, settingsSchema,
  transactionSchema,
} from './collections.ts';
import type { quoteSchemaV0 } from './collections.ts';

export * from './collections.ts';
export * from './fields.ts';

interface CollectionSpec<S extends z.ZodType> {
  /** RxDB collection name and the Postgres table name. */
  readonly name: string;
  readonly schema: S;
  /**
   * Bump with a migration strategy (client/src/db/database.ts) when the schema changes shape, or when a
   * field joins `pii` (the RxDB schema's `encrypted` list is part of its identity).
   */
  readonly version: number;
  /**
   * Top-level fields encrypted in the replica and in Postgres. Never indexed or queried. Everything else is
   * in clear on the server and the device; docs/security.md lists each such field and why. A field added
   * here needs its bytea column (a new postgres/init migration): the server seals values written before at
   * start (sync-server/src/store/seal-clear-fields.ts).
   */
  readonly pii: readonly string[];
  /** RxDB indexes (each field must be required and not PII). */
  readonly indexes: readonly (string | readonly string[])[];
  /** Written only by the server (feeds, jobs); a client push is refused. */
  readonly serverOwned: boolean;
}

function spec<S extends z.ZodType>(s: CollectionSpec<S>): CollectionSpec<S> {
  return s;
}

export const COLLECTIONS = {
  accounts: spec({ name: 'accounts', schema: accountSchema, version: 0, pii: ['name', 'institution', 'accountRef', 'notes'], indexes: ['sortOrder'], serverOwned: false }),
  categories: spec({ name: 'categories', schema: categorySchema, version: 1, pii: ['name', 'icon'], indexes: ['sortOrder'], serverOwned: false }),
  transactions: spec({
    name: 'transactions', schema: transactionSchema, version: 1,
    pii: ['merchant', 'description', 'notes', 'tags', 'splits', 'importHash'],
    indexes: ['date', ['accountId', 'date'], 'hlc'],
    serverOwned: false,
  }),
  budgets: spec({ name: 'budgets', schema: budgetSchema, version: 1, pii: [], indexes: ['categoryId'], serverOwned: false }),
  recurring_rules: spec({ name: 'recurring_rules', schema: recurringRuleSchema, version: 0, pii: ['name', 'payee'], indexes: [], serverOwned: false }),
  attachments: spec({ name: 'attachments', schema: attachmentSchema, version: 1, pii: ['fileName', 'sha256'], indexes: ['transactionId'], serverOwned: false }),
  assets: spec({ name: 'assets', schema: assetSchema, version: 1, pii: ['name', 'isin'], indexes: ['symbol'], serverOwned: false }),
  investment_transactions: spec({ name: 'investment_transactions', schema: investmentTransactionSchema, version: 0, pii: ['notes'], indexes: [['assetId', 'date'], 'date'], serverOwned: false }),
  quotes: spec({ name: 'quotes', schema: quoteSchema, version: 1, pii: [], indexes: [['series', 'period']], serverOwned: true }),
  net_worth_snapshots: spec({ name: 'net_worth_snapshots', schema: netWorthSnapshotSchema, version: 0, pii: [], indexes: ['date'], serverOwned: true }),
  settings: spec({ name: 'settings', schema: settingsSchema, version: 0, pii: [], indexes: [], serverOwned: false }),
  rules: spec({ name: 'rules', schema: categorisationRuleSchema, version: 1, pii: ['name', 'conditions', 'actions'], indexes: ['priority'], serverOwned: false }),
} as const;

export type CollectionName = keyof typeof COLLECTIONS;
export const COLLECTION_NAMES = Object.keys(COLLECTIONS) as CollectionName[];
export type DocOf<N extends CollectionName> = z.infer<(typeof COLLECTIONS)[N]['schema']>;

export type Account = DocOf<'accounts'>;
export type Category = DocOf<'categories'>;
export type Transaction = DocOf<'transactions'>;
export type Budget = DocOf<'budgets'>;
export type RecurringRule = DocOf<'recurring_rules'>;
export type Attachment = DocOf<'attachments'>;
export type Asset = DocOf<'assets'>;
export type InvestmentTransaction = DocOf<'investment_transactions'>;
/** A stored quotes document: one series' days of one calendar year, or its latest price (quoteSchema). */
export type QuoteDoc = DocOf<'quotes'>;
/** One day's quote of a series, as `@mymidas/shared/quotes` reads it out of the year documents. */
export type Quote = z.infer<typeof quoteSchemaV0>;
export type NetWorthSnapshot = DocOf<'net_worth_snapshots'>;
export type Settings = DocOf<'settings'>;
export type CategorisationRule = DocOf<'rules'>;

export function isCollectionName(name: string): name is CollectionName {
  return Object.hasOwn(COLLECTIONS, name);
}

export function piiFields(name: CollectionName): readonly string[] {
  return COLLECTIONS[name].pii;
}

/** What the server accepts for a replicated document: the schema plus RxDB's `_deleted` flag. */
export function replicatedDocValidator(name: CollectionName) {
  const s = COLLECTIONS[name].schema as z.ZodType<Record<string, unknown>>;
  return z.intersection(s, z.object({ _deleted: z.boolean() }));
}

export function validatorFor<N extends CollectionName>(name: N): (typeof COLLECTIONS)[N]['schema'] {
  return COLLECTIONS[name].schema;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

export interface RxJsonSchemaOut {
  title: string;
  version: number;
  primaryKey: 'id';
  type: 'object';
  properties: Record<string, JsonSchema>;
  required: string[];
  indexes: (string | string[])[];
  encrypted: string[];
  additionalProperties: false;
}

/**
 * Derives the RxDB JSON schema from the zod schema: zod 4's own JSON Schema output, with the
 * RxDB-specific parts (version, primary key, indexes, encrypted) added and checked.
 */
export function toRxJsonSchema(name: CollectionName): RxJsonSchemaOut {
  const def = COLLECTIONS[name];
  const json = z.toJSONSchema(def.schema as z.ZodType, { target: 'draft-7', io: 'input', unrepresentable: 'throw' }) as JsonSchema;
  const properties = json.properties ?? {};
  const required = json.required ?? [];
  const flatIndexFields = def.indexes.flatMap((i) => (typeof i === 'string' ? [i] : [...i]));
  for (const field of ['id', ...flatIndexFields]) {
    const prop = properties[field];
    if (!prop) throw new Error(`${name}: index field "${field}" is not in the schema`);
    if (def.pii.includes(field)) throw new Error(`${name}: "${field}" is encrypted and cannot be indexed`);
    if (!required.includes(field)) throw new Error(`${name}: index field "${field}" must be required`);
    if (prop.type === 'string' && typeof prop.maxLength !== 'number') throw new Error(`${name}: index field "${field}" needs a maxLength`);
    if (prop.type === 'integer' || prop.type === 'number') {
      if (typeof prop.minimum !== 'number' || typeof prop.maximum !== 'number') throw new Error(`${name}: numeric index "${field}" needs bounds`);
      prop.multipleOf = 1;
    }
  }
  for (const field of def.pii) if (!properties[field]) throw new Error(`${name}: PII field "${field}" is not in the schema`);
  delete json.$schema;
  return {
    title: name,
    version: def.version,
    primaryKey: 'id',
    type: 'object',
    properties,
    required,
    indexes: def.indexes.map((i) => (typeof i === 'string' ? i : [...i])),
    encrypted: [...def.pii],
    additionalProperties: false,
  };
}
