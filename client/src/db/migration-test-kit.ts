import { z } from 'zod';
import type { RxCollection, RxJsonSchema, RxReplicationWriteToMasterRow, WithDeleted } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { expect } from 'vitest';
import { toRxJsonSchema, type CollectionName } from '@mymidas/shared/schema';
import { jsonEqual, stripMeta } from '@mymidas/shared/sync';

/**
 * For the tests of a collection's schema migration on a device (budgets-v1-migration.test.ts,
 * quotes-v1-migration.test.ts): the previous version's RxDB schema, a stand-in for the server's endpoints and
 * one run of RxDB's replication against it.
 */

export type Wire = Record<string, unknown> & { id: string; _deleted: boolean };
export type Checkpoint = { seq: number };

/** A collection's RxDB schema of a previous version, as that version derived it from its zod model. */
export function previousRxSchema(collection: CollectionName, model: z.ZodType, version: number, indexes: string[][]): RxJsonSchema<unknown> {
  const json = z.toJSONSchema(model, { target: 'draft-7', io: 'input', unrepresentable: 'throw' }) as { properties: Record<string, unknown>; required: string[] };
  return {
    ...toRxJsonSchema(collection),
    version,
    properties: json.properties,
    required: json.required,
    indexes,
    encrypted: [],
    keyCompression: true,
  } as unknown as RxJsonSchema<unknown>;
}

/** A document as the wire carries it: no RxDB meta, no attachments. */
export function wire(doc: object): Wire {
  const out = stripMeta(doc as Record<string, unknown>);
  delete out._attachments;
  return out as Wire;
}

/**
 * A stand-in for the sync server's endpoints of one collection, by the same rules
 * (sync-server/src/replication/service.ts): pull by a sequence stamped on every write; a push is written when
 * its assumed master state equals the master, and is a conflict otherwise (also when it names no base for a
 * document the master has).
 */
export class FakeServer {
  readonly rows = new Map<string, { doc: Wire; seq: number }>();
  seq = 0;
  conflicts = 0;
  put(doc: Wire): void {
    this.rows.set(doc.id, { doc, seq: ++this.seq });
  }
  docs(): Wire[] {
    return [...this.rows.values()].map((r) => r.doc).sort((a, b) => a.id.localeCompare(b.id));
  }
  pull(checkpoint: Checkpoint | undefined, limit: number): { documents: Wire[]; checkpoint: Checkpoint | undefined } {
    const after = checkpoint?.seq ?? 0;
    const page = [...this.rows.values()].filter((r) => r.seq > after).sort((a, b) => a.seq - b.seq).slice(0, limit);
    return { documents: page.map((r) => r.doc), checkpoint: page.length > 0 ? { seq: page.at(-1)!.seq } : checkpoint };
  }
  push(rows: readonly RxReplicationWriteToMasterRow<Wire>[]): Wire[] {
    const conflicts: Wire[] = [];
    for (const row of rows) {
      const next = wire(row.newDocumentState);
      const master = this.rows.get(next.id)?.doc;
      if (master && jsonEqual(master, next)) continue;
      if (master && (!row.assumedMasterState || !jsonEqual(master, wire(row.assumedMasterState)))) {
        conflicts.push(master);
        this.conflicts++;
        continue;
      }
      this.put(next);
    }
    return conflicts;
  }
}

/**
 * One run of the device's replication of `collection` against `server`: pull everything new and, with
 * `push`, push every local change. No replication error is allowed. Returns the number of documents pulled.
 */
export async function replicateOnce(collection: RxCollection, server: FakeServer, options: { identifier: string; batchSize: number; push: boolean }): Promise<number> {
  let pulled = 0;
  const replication = replicateRxCollection<Wire, Checkpoint>({
    replicationIdentifier: options.identifier,
    collection: collection as unknown as RxCollection<Wire>,
    live: false,
    waitForLeadership: false,
    pull: {
      batchSize: options.batchSize,
      handler: async (checkpoint, batchSize) => {
        const page = server.pull(checkpoint, batchSize);
        pulled += page.documents.length;
        return page as { documents: WithDeleted<Wire>[]; checkpoint: Checkpoint };
      },
    },
    ...(options.push ? { push: { batchSize: options.batchSize, handler: async (rows: RxReplicationWriteToMasterRow<Wire>[]) => server.push(rows) as WithDeleted<Wire>[] } } : {}),
  });
  const errors: unknown[] = [];
  replication.error$.subscribe((e) => errors.push(e));
  await replication.awaitInitialReplication();
  await replication.cancel();
  expect(errors).toEqual([]);
  return pulled;
}
