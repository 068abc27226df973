import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectHousehold } from '@mymidas/shared/demo';
import {
  parseCheckpoint, problemKind, problemSchema, pullAnswerSchema, pushAnswerSchema, pushBodySchema, refusalSchema,
} from '@mymidas/shared/protocol';
import { COLLECTION_NAMES, COLLECTIONS, replicatedDocValidator, type CollectionName } from '@mymidas/shared/schema';
import { createTransport } from '../../client/src/sync/transport.ts';
import { writeServerOwned } from '../../sync-server/src/cli/demo-server-owned.ts';
import { testBackends } from '../../sync-server/src/testing/harness.ts';
import { TestSyncServer } from './server.ts';

/**
 * Client and server agree on the wire (@mymidas/shared/protocol), for every collection: what the client's
 * transport sends parses with the schemas the server validates with, and what the server answers parses
 * with the schemas the client reads with — documents with their collection's own schema.
 */

const HLC = '1767225600000:0000:contract';
const uuid = (n: number) => `0196a1b2-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** One valid document of every collection: the demo household's, and hand-made ones for what it lacks. */
function samples(tag: number): Record<CollectionName, Record<string, unknown>> {
  const h = collectHousehold({ seed: `contract-${tag}`, transactions: 700, years: 1, referenceDate: '2026-10-31' }) as unknown as Record<CollectionName, Record<string, unknown>[]>;
  const tx = h.transactions[0]!;
  const made: Partial<Record<CollectionName, Record<string, unknown>>> = {
    attachments: { id: uuid(tag * 10 + 1), hlc: HLC, transactionId: tx.id, fileName: 'receipt.pdf', mimeType: 'application/pdf', size: 1234, sha256: 'a'.repeat(64), uploadedAt: null },
    net_worth_snapshots: { id: uuid(tag * 10 + 2), hlc: HLC, date: '2026-10-31', currency: 'GBP', assets: 1_234_500, liabilities: 20_000, byAccount: { [String(h.accounts[0]!.id)]: 1_234_500 } },
    rules: { id: uuid(tag * 10 + 3), hlc: HLC, name: 'Coffee', priority: 1, enabled: true, conditions: [{ field: 'description', op: 'contains', value: 'COFFEE' }], actions: { tags: ['coffee'] } },
  };
  const quote = { ...h.quotes[0]!, id: `price:CONTRACT${tag}.L:2026-10-30`, series: `CONTRACT${tag}.L` };
  return Object.fromEntries(COLLECTION_NAMES.map((n) => [n, n === 'quotes' ? quote : (h[n][0] ?? made[n])])) as Record<CollectionName, Record<string, unknown>>;
}

describe.each(testBackends())('the wire contract between client and server (%s)', (backend) => {
  let server: TestSyncServer;
  beforeAll(async () => {
    server = await TestSyncServer.open(backend);
  }, 300_000);
  afterAll(async () => {
    await server.close();
  });

  it('has a sample of every collection that its own schema accepts', () => {
    const docs = samples(0);
    for (const name of COLLECTION_NAMES) {
      expect(docs[name], name).toBeDefined();
      expect(replicatedDocValidator(name).safeParse({ ...docs[name], _deleted: false }).success, name).toBe(true);
    }
  });

  it('every collection: client pushes parse with the server\'s schemas, server answers with the client\'s', async () => {
    const user = await server.newUser();
    const docs = samples(1);
    const sent: { url: string; body: unknown }[] = [];
    const answers: { url: string; status: number; body: unknown }[] = [];
    const transport = createTransport({
      baseUrl: server.apiBase,
      getAccessToken: () => user.token,
      fetch: async (input, init) => {
        const url = String(input);
        if (init?.body !== undefined) sent.push({ url, body: JSON.parse(String(init.body)) });
        const res = await fetch(input, init);
        answers.push({ url, status: res.status, body: await res.clone().json() });
        return res;
      },
    });

    for (const name of COLLECTION_NAMES) {
      const doc: Record<string, unknown> & { id: string } = { ...docs[name], id: String(docs[name].id), _deleted: false };
      if (COLLECTIONS[name].serverOwned) {
        const { _deleted: _, ...stored } = doc;
        await writeServerOwned(server.services, user.userId, name, [stored]);
      } else {
        const answer = await transport.push(name, [{ newDocumentState: doc }]);
        expect(answer, name).toEqual({ conflicts: [], refused: [], written: 1 });
        // A second push from a stale base: the server answers with a conflict carrying its master.
        const stale = await transport.push(name, [{ assumedMasterState: { ...doc, hlc: '1767225599999:0000:contract' }, newDocumentState: { ...doc, hlc: '1767225600001:0000:contract' } }]);
        expect(stale.conflicts, name).toHaveLength(1);
      }
      const pulled = await transport.pull(name, null, 10);
      expect(pulled.documents.map((d) => d.id), name).toEqual([doc.id]);
    }

    // What the client sent, read as the server reads it.
    for (const { url, body } of sent) {
      const name = /\/replication\/(\w+)\/push$/.exec(url)![1] as CollectionName;
      const rows = pushBodySchema.parse(body);
      for (const row of rows) {
        expect(replicatedDocValidator(name).safeParse(row.newDocumentState).success, `${name} push`).toBe(true);
        if (row.assumedMasterState) expect(replicatedDocValidator(name).safeParse(row.assumedMasterState).success, `${name} base`).toBe(true);
      }
    }
    // What the server answered, read as the client reads it, documents with their own schema.
    const pulledNames = new Set<string>();
    for (const { url, status, body } of answers) {
      expect(status, url).toBe(200);
      const name = /\/replication\/(\w+)\/(pull|push)/.exec(url)![1] as CollectionName;
      if (url.includes('/pull')) {
        const answer = pullAnswerSchema.parse(body);
        pulledNames.add(name);
        expect(parseCheckpoint(name, answer.checkpoint)?.id, name).toBe(answer.documents.at(-1)?.id);
        for (const d of answer.documents) expect(replicatedDocValidator(name).safeParse(d).error, `${name} pulled`).toBeUndefined();
      } else {
        const answer = pushAnswerSchema.parse(body);
        for (const d of answer.conflicts) expect(replicatedDocValidator(name).safeParse(d).error, `${name} conflict`).toBeUndefined();
      }
    }
    expect([...pulledNames].sort()).toEqual([...COLLECTION_NAMES].sort());
  });

  it('refusals and errors parse with the shared schemas: an invalid row, a bad checkpoint, a push to a server-owned collection', async () => {
    const user = await server.newUser();
    const headers = { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' };
    const bad = await fetch(`${server.apiBase}/replication/accounts/push`, { method: 'POST', headers, body: JSON.stringify([{ newDocumentState: { id: uuid(99), _deleted: false, name: 5 } }]) });
    const refused = pushAnswerSchema.parse(await bad.json()).refused;
    expect(refused).toHaveLength(1);
    expect(refusalSchema.parse(refused[0])).toMatchObject({ index: 0, reason: 'invalid' });

    const checkpoint = await fetch(`${server.apiBase}/replication/accounts/pull?checkpoint=${encodeURIComponent('3:price:VWRL:2026-01-02')}`, { headers });
    expect(checkpoint.status).toBe(400);
    expect(checkpoint.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(problemKind(problemSchema.parse(await checkpoint.json()).type)).toBe('bad-request');

    const owned = await fetch(`${server.apiBase}/replication/quotes/push`, { method: 'POST', headers, body: JSON.stringify([]) });
    expect(owned.status).toBe(403);
    expect(problemKind(problemSchema.parse(await owned.json()).type)).toBe('server-owned-collection');

    const tooMany = await fetch(`${server.apiBase}/replication/accounts/push`, { method: 'POST', headers, body: JSON.stringify(Array.from({ length: 1001 }, () => ({ newDocumentState: {} }))) });
    expect(tooMany.status).toBe(422);
    expect(problemSchema.parse(await tooMany.json()).errors?.length).toBeGreaterThan(0);
  });
});
