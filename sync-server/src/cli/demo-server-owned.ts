import { Router } from 'express';
import { COLLECTIONS, replicatedDocValidator, type CollectionName } from '@mymidas/shared/schema';
import { generateHousehold, type HouseholdOptions } from '@mymidas/shared/demo';
import { withOwner } from '@mymidas/shared/quotes';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/require-user.ts';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import { AppError } from '../http/errors.ts';
import { busFor } from '../replication/bus.ts';
import { lockUserWrites } from '../replication/service.ts';
import type { Services } from '../services.ts';
import type { Database, SqlValue } from '../store/database.ts';
import { piiColumns, sealDoc } from '../store/documents.ts';

/**
 * The demo household's server-owned documents (prices and FX rates: `quotes`, one document per series and
 * year plus its latest price, re-keyed for the user; `net_worth_snapshots` if the generator ever makes any). Clients may not push these (docs/sync-protocol.md), so `npm run demo`
 * pushes everything else through the replication endpoints and asks the server, through
 * `POST /api/v1/demo/server-owned`, to generate these itself from the same seed and size.
 *
 * Why this is safe: the request carries only generator options, never documents, so a client still cannot
 * write a price of its choosing; the rows go to the signed-in user only, in that user's RLS transaction,
 * under the per-user replication lock (so pulls never skip them); existing ids are left untouched
 * (re-running is a no-op); and the route is mounted only when the server was started with ENABLE_DEMO=1,
 * which production refuses (every other server answers 404), so a real instance never offers a signed-in
 * session a way to fill its account with invented prices.
 */

/** Rows per INSERT statement and per transaction. */
const BATCH = 500;
export const MAX_DEMO_TRANSACTIONS = 2_000_000;

export const SERVER_OWNED: readonly CollectionName[] = (Object.keys(COLLECTIONS) as CollectionName[]).filter((n) => COLLECTIONS[n].serverOwned);

export interface ServerOwnedResult {
  /** Documents the generator made, per server-owned collection. */
  generated: Record<string, number>;
  /** Rows inserted now (ids already present, e.g. from an earlier run, are kept as they are). */
  written: Record<string, number>;
}

/** Stores server-owned documents of one user as the server's jobs do; ids already present are kept as they are. */
export async function writeServerOwned(deps: { db: Database; cipher: FieldCipher }, userId: string, collection: CollectionName, docs: readonly Record<string, unknown>[]): Promise<number> {
  const validator = replicatedDocValidator(collection);
  for (const doc of docs) {
    const checked = validator.safeParse({ ...doc, _deleted: false });
    if (!checked.success) throw new Error(`invalid ${collection} document ${String(doc.id)}: ${checked.error.message}`);
  }
  let written = 0;
  for (let start = 0; start < docs.length; start += BATCH) written += await insertBatch(deps.db, deps.cipher, userId, collection, docs.slice(start, start + BATCH));
  return written;
}

async function insertBatch(db: Database, cipher: FieldCipher, userId: string, collection: CollectionName, docs: readonly Record<string, unknown>[]): Promise<number> {
  const cols = piiColumns(collection);
  const names = ['id', 'user_id', 'deleted', 'doc', ...cols];
  const values: SqlValue[] = [];
  const tuples: string[] = [];
  for (const doc of docs) {
    const { plain, sealed } = sealDoc(cipher, collection, doc);
    const base = values.length;
    values.push(String(doc.id), userId, false, plain, ...sealed);
    tuples.push(`(${names.map((_, i) => `$${base + i + 1}`).join(', ')})`);
  }
  return db.withUser(userId, async (sql) => {
    // Docs/sync-protocol.md: any server code writing replicated rows takes the user's write lock.
    await lockUserWrites(sql, userId);
    const res = await sql.query(`INSERT INTO ${collection} (${names.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING`, values);
    return res.rowCount;
  });
}

/**
 * Generates the household with `options` and stores its server-owned documents for `userId`, in
 * batches of 500 rows (one transaction each, under the user's replication lock). Every document is
 * checked against the shared schema first.
 */
export async function importServerOwnedDemo(deps: { db: Database; cipher: FieldCipher }, userId: string, options: HouseholdOptions): Promise<ServerOwnedResult> {
  const generated: Record<string, number> = Object.fromEntries(SERVER_OWNED.map((n) => [n, 0]));
  const written: Record<string, number> = Object.fromEntries(SERVER_OWNED.map((n) => [n, 0]));
  const pending = new Map<CollectionName, Record<string, unknown>[]>(SERVER_OWNED.map((n) => [n, []]));
  const validators = new Map(SERVER_OWNED.map((n) => [n, replicatedDocValidator(n)]));
  const flush = async (collection: CollectionName) => {
    const docs = pending.get(collection)!;
    if (docs.length === 0) return;
    written[collection]! += await insertBatch(deps.db, deps.cipher, userId, collection, docs);
    docs.length = 0;
  };
  for (const record of generateHousehold(options)) {
    const collection = record.collection;
    const list = pending.get(collection);
    if (!list) continue;
    // Quote ids are one key for all users: each user's copy of the demo prices names its owner.
    const own = record.collection === 'quotes' ? withOwner(record.doc, userId) : record.doc;
    const doc: Record<string, unknown> = { ...(own as Record<string, unknown>), _deleted: false };
    const checked = validators.get(collection)!.safeParse(doc);
    if (!checked.success) throw new Error(`demo generator made an invalid ${collection} document ${String(doc.id)}: ${checked.error.message}`);
    const { _deleted: _, ...stored } = doc;
    list.push(stored);
    generated[collection]! += 1;
    if (list.length >= BATCH) await flush(collection);
  }
  for (const collection of SERVER_OWNED) await flush(collection);
  return { generated, written };
}

export const demoOptionsSchema = z
  .object({
    seed: z.union([z.string().min(1).max(200), z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)]),
    transactions: z.number().int().min(1).max(MAX_DEMO_TRANSACTIONS),
    years: z.number().int().min(1).max(30).optional(),
    referenceDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').optional(),
  })
  .strict();
export type DemoOptions = z.infer<typeof demoOptionsSchema>;

/** `POST /demo/server-owned` — see the module comment. Mount only outside production. */
export function demoRoutes(services: Services): Router {
  const router = Router();
  const auth = requireUser({ keys: services.keys, db: services.db });
  const bus = busFor(services);
  router.post('/demo/server-owned', auth, async (req, res) => {
    const body = demoOptionsSchema.safeParse(req.body ?? {});
    if (!body.success) throw AppError.validation(body.error);
    const { userId } = currentUser(res);
    let result: ServerOwnedResult;
    try {
      result = await importServerOwnedDemo({ db: services.db, cipher: services.cipher }, userId, body.data);
    } catch (err) {
      // The generator refuses impossible options (too few transactions for the years asked for...).
      if (err instanceof RangeError) throw AppError.badRequest(err.message);
      throw err;
    }
    const moved = SERVER_OWNED.filter((n) => (result.written[n] ?? 0) > 0);
    if (moved.length > 0) await bus.publish({ userId, collections: moved }).catch((err: unknown) => console.error('replication hint not published:', err));
    res.json(result);
  });
  return router;
}
