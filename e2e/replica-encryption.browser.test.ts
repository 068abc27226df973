import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountSchema, transactionSchema } from '@mymidas/shared/schema';
import type { Account, Transaction } from '@mymidas/shared/schema';
import { describeBrowser, launchChromium } from './lib/chromium.ts';
import { REPLICA_HARNESS_CONFIG, buildAndServeHarness } from './lib/harness-site.ts';
import type { HarnessSite } from './lib/harness-site.ts';
import { makeTransactions, sequentialId } from './lib/replica-fixtures.ts';
import type { DumpedDatabase, HarnessResult, ReplicaHarness } from './lib/replica-harness-api.ts';

/**
 * The device replica in real Chromium: client/src/db built by vite into a harness page, driven through
 * playwright-core, with IndexedDB read raw from the page (no RxDB, no Dexie) for the assertions.
 */

/** Cheap Argon2id for the tests; the default cost is exercised once on its own. */
const FAST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

type Method = keyof ReplicaHarness;
type Args<M extends Method> = Parameters<ReplicaHarness[M]>;
type Ret<M extends Method> = Awaited<ReturnType<ReplicaHarness[M]>>;

function call<M extends Method>(page: Page, method: M, ...args: Args<M>): Promise<Ret<M>> {
  return page.evaluate(
    ({ method, args }) => {
      const h = window.replicaHarness as unknown as Record<string, (...a: unknown[]) => unknown>;
      return h[method]!(...args);
    },
    { method, args: args as unknown[] },
  ) as Promise<Ret<M>>;
}

function harnessReady(page: Page): Promise<unknown> {
  return page.waitForFunction(() => window.replicaHarness !== undefined, undefined, { timeout: 30_000 });
}

function must<T>(result: HarnessResult<T>): T {
  if (!result.ok) throw new Error(`harness call failed: ${result.error.name} ${result.error.code ?? ''} ${result.error.message}`);
  return result.value;
}

function errorCode(result: HarnessResult<unknown>): string | null {
  return result.ok ? 'no error' : result.error.code;
}

/** Documents as read back, without RxDB's own underscore fields. */
function userFields(docs: Record<string, unknown>[]): Record<string, unknown>[] {
  return docs.map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('_'))));
}

function piiValues(docs: Transaction[]): string[] {
  return docs.flatMap((d) => [d.merchant, d.description, d.notes].filter((v): v is string => typeof v === 'string'));
}

function allJson(dump: DumpedDatabase[]): string {
  return dump.flatMap((db) => db.stores.map((s) => s.json)).join('\n');
}

/** The raw stores of one collection's Dexie database (RxDB names it rxdb-dexie-<db>--<version>--<collection>). */
function collectionStores(dump: DumpedDatabase[], database: string, collection: string): string {
  const found = dump.filter((d) => d.name.includes(database) && d.name.endsWith(`--${collection}`));
  expect(found, `raw database for ${database}/${collection} among ${dump.map((d) => d.name).join(', ')}`).toHaveLength(1);
  return found[0]!.stores.map((s) => `${s.name}:${s.json}`).join('\n');
}

function makeAccount(marker: string): Account {
  return accountSchema.parse({
    id: sequentialId(0xacc0, 1),
    hlc: '1732000000000:0000:device-a',
    name: `${marker}-account Joint current`,
    type: 'current',
    currency: 'GBP',
    institution: `${marker}-institution Barclays`,
    accountRef: `${marker}-ref 20-32-06 43218765`,
    openingBalance: 125_000,
    openingDate: '2024-01-01',
    creditLimit: null,
    apr: null,
    closed: false,
    sortOrder: 0,
    notes: `${marker}-account-notes joint with Sam`,
  });
}

describeBrowser('encrypted replica in Chromium', () => {
  let site: HarnessSite;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    site = await buildAndServeHarness(REPLICA_HARNESS_CONFIG);
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await site?.close();
  });

  /** A fresh browser context: its own, empty IndexedDB. */
  async function freshPage(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await gotoHarness(page);
    return page;
  }

  async function gotoHarness(page: Page): Promise<void> {
    await page.goto(`${site.url}/index.html`);
    await harnessReady(page);
  }

  it('keeps every PII field value out of raw IndexedDB, with and without key compression', async () => {
    const page = await freshPage();
    for (const keyCompression of [true, false]) {
      const marker = keyCompression ? 'QZXK' : 'QZXP';
      const name = `pii-${keyCompression ? 'kc' : 'plain'}`;
      const docs = makeTransactions({ count: 200, marker }).map((d) => transactionSchema.parse(d));
      must(await call(page, 'open', name, 'correct horse battery', { kdf: FAST_KDF, keyCompression }));
      await call(page, 'resetCounters');
      expect(must(await call(page, 'insert', name, 'transactions', docs))).toBe(200);

      // One encryption per document, and the change events carried the plaintext without a decryption.
      expect(await call(page, 'counters')).toEqual({ encrypt: 200, decrypt: 0 });
      const events = await call(page, 'events', name);
      expect(events.filter(([op]) => op === 'INSERT')).toHaveLength(200);
      expect(events[0]).toEqual(['INSERT', docs[0]!.id, docs[0]!.merchant]);

      must(await call(page, 'insert', name, 'accounts', [makeAccount(marker)]));
      must(await call(page, 'patch', name, docs[1]!.id, { merchant: `${marker}-patched merchant`, notes: `${marker}-patched notes` }));
      must(await call(page, 'remove', name, docs[2]!.id));
      const later = (await call(page, 'events', name)).slice(200);
      expect(later).toEqual([
        ['UPDATE', docs[1]!.id, `${marker}-patched merchant`],
        ['DELETE', docs[2]!.id, docs[2]!.merchant],
      ]);
      expect((await call(page, 'counters')).encrypt).toBe(200 + 1 + 2); // the account, the patch, the deletion

      const dump = await call(page, 'dumpIndexedDb');
      const stored = collectionStores(dump, name, 'transactions');
      // The scan does see the documents: their ids, amounts and the envelopes are there …
      for (const doc of docs.slice(0, 20)) {
        expect(stored).toContain(doc.id);
        expect(stored).toContain(String(doc.amount));
      }
      if (!keyCompression) {
        // Envelopes are version ‖ 12-byte IV ‖ ciphertext ‖ tag, and no IV is ever used twice.
        const envelopes = [...stored.matchAll(/"sealed":"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64'));
        expect(envelopes.length).toBe(200); // one record per id: the patched one rewritten, the deleted one a tombstone
        expect(envelopes.every((e) => e[0] === 1 && e.length >= 1 + 12 + 16)).toBe(true);
        expect(new Set(envelopes.map((e) => e.subarray(1, 13).toString('hex'))).size).toBe(envelopes.length);
      }
      // … but no PII value, nor even the marker every PII value starts with, anywhere in any database.
      const everything = allJson(dump);
      expect(everything.length).toBeGreaterThan(50_000);
      for (const value of piiValues(docs)) expect(everything).not.toContain(value);
      expect(everything).not.toContain(marker);

      // Read back through RxDB: the plaintext, including the patch and without the removed document.
      const back = userFields(must(await call(page, 'readAll', name, 'transactions')));
      const expected = docs.filter((_, i) => i !== 2).map((d, i) => (i === 1 ? { ...d, merchant: `${marker}-patched merchant`, notes: `${marker}-patched notes` } : d));
      expect(back).toEqual(expected);
      expect(userFields(must(await call(page, 'readAll', name, 'accounts')))).toEqual([makeAccount(marker)]);
      await call(page, 'close', name);
    }
  });

  it('delivers plaintext change events to a second tab, decrypting what it did not write', async () => {
    const tabA = await freshPage();
    const tabB = await tabA.context().newPage();
    await gotoHarness(tabB);
    const docs = makeTransactions({ count: 5, marker: 'TABS' });
    must(await call(tabA, 'open', 'tabs', 'shared password', { kdf: FAST_KDF }));
    must(await call(tabB, 'open', 'tabs', 'shared password', { kdf: FAST_KDF }));
    await call(tabB, 'resetCounters');
    must(await call(tabA, 'insert', 'tabs', 'transactions', docs));
    must(await call(tabA, 'patch', 'tabs', docs[0]!.id, { merchant: 'TABS-patched in tab A' }));
    await expect.poll(async () => (await call(tabB, 'events', 'tabs')).length, { timeout: 10_000 }).toBe(6);
    expect(await call(tabB, 'events', 'tabs')).toEqual([
      ...docs.map((d) => ['INSERT', d.id, d.merchant]),
      ['UPDATE', docs[0]!.id, 'TABS-patched in tab A'],
    ]);
    expect((await call(tabB, 'counters')).decrypt).toBeGreaterThanOrEqual(6);
    expect(userFields(must(await call(tabB, 'readAll', 'tabs', 'transactions')))[0]).toEqual({ ...docs[0], merchant: 'TABS-patched in tab A' });
    await call(tabA, 'close', 'tabs');
    await call(tabB, 'close', 'tabs');
  });

  it('does not unlock with a wrong password, changes nothing, and reads everything back with the right one', async () => {
    const page = await freshPage();
    const docs = makeTransactions({ count: 50, marker: 'LOCKT' });
    const first = must(await call(page, 'open', 'lock', 'correct horse battery', { kdf: FAST_KDF }));
    expect(first.created).toBe(true);
    must(await call(page, 'insert', 'lock', 'transactions', docs));
    await call(page, 'close', 'lock');
    const before = await call(page, 'dumpIndexedDb');

    await page.reload();
    await harnessReady(page);
    const wrong = await call(page, 'open', 'lock', 'correct horse battery!', { kdf: FAST_KDF });
    expect(wrong.ok).toBe(false);
    expect(wrong.ok ? null : wrong.error.name).toBe('WrongPasswordError');
    expect(errorCode(wrong)).toBe('WRONG_PASSWORD');
    expect(errorCode(await call(page, 'open', 'lock', '', { kdf: FAST_KDF }))).toBe('INVALID_PASSWORD');
    expect(await call(page, 'dumpIndexedDb')).toEqual(before);

    const right = must(await call(page, 'open', 'lock', 'correct horse battery', { kdf: FAST_KDF }));
    expect(right).toEqual({ created: false, deviceId: first.deviceId });
    await call(page, 'resetCounters');
    expect(userFields(must(await call(page, 'readAll', 'lock', 'transactions')))).toEqual(docs);
    expect((await call(page, 'counters')).decrypt).toBe(50);
    await call(page, 'close', 'lock');
  });

  it('re-wraps only the key on a password change, leaving every stored document as it was', async () => {
    const page = await freshPage();
    const docs = makeTransactions({ count: 40, marker: 'PWCH' });
    must(await call(page, 'open', 'pw', 'old password 1', { kdf: FAST_KDF }));
    must(await call(page, 'insert', 'pw', 'transactions', docs));
    const keyBefore = must(await call(page, 'storedKey', 'pw'));
    const dataBefore = collectionStores(await call(page, 'dumpIndexedDb'), 'pw', 'transactions');

    expect(errorCode(await call(page, 'changePassword', 'pw', 'not the old one', 'new password 2'))).toBe('WRONG_PASSWORD');
    expect(must(await call(page, 'storedKey', 'pw'))).toEqual(keyBefore);

    const tuned = { memoryKiB: 2048, iterations: 2, parallelism: 1 };
    must(await call(page, 'changePassword', 'pw', 'old password 1', 'new password 2', tuned));
    const keyAfter = must(await call(page, 'storedKey', 'pw'));
    expect(keyAfter.wrappedKey).not.toBe(keyBefore.wrappedKey);
    expect(keyAfter.salt).not.toBe(keyBefore.salt);
    expect(keyAfter.params).toEqual(tuned);
    expect(collectionStores(await call(page, 'dumpIndexedDb'), 'pw', 'transactions')).toBe(dataBefore);
    await call(page, 'close', 'pw');

    await page.reload();
    await harnessReady(page);
    expect(errorCode(await call(page, 'open', 'pw', 'old password 1'))).toBe('WRONG_PASSWORD');
    must(await call(page, 'open', 'pw', 'new password 2'));
    expect(userFields(must(await call(page, 'readAll', 'pw', 'transactions')))).toEqual(docs);
    await call(page, 'close', 'pw');
  });

  it('refuses queries on encrypted fields, the wrong wrapper order, and moved or altered envelopes', async () => {
    const page = await freshPage();
    const docs = makeTransactions({ count: 3, start: 100, marker: 'TAMP' });
    must(await call(page, 'open', 'guard', 'guard password', { kdf: FAST_KDF, keyCompression: false }));
    must(await call(page, 'insert', 'guard', 'transactions', docs));
    expect(errorCode(await call(page, 'findByEncryptedField', 'guard', docs[0]!.merchant!))).toBe('ENCRYPTED_FIELD_QUERY');
    expect(errorCode(await call(page, 'wrongStackOrder'))).toBe('ENCRYPTION_SETUP');
    await call(page, 'close', 'guard');

    // Another document's envelope is refused: the id is bound in as additional data.
    must(await call(page, 'tamperEnvelope', docs[0]!.id, docs[1]!.id));
    must(await call(page, 'open', 'guard', 'guard password', { keyCompression: false }));
    const moved = await call(page, 'readAll', 'guard', 'transactions');
    expect(errorCode(moved)).toBe('DECRYPTION_FAILED');
    await call(page, 'close', 'guard');

    // A flipped bit in the tag is refused too (on a fresh device, so only that one document is bad).
    must(await call(page, 'erase'));
    must(await call(page, 'open', 'guard2', 'guard password', { kdf: FAST_KDF, keyCompression: false }));
    must(await call(page, 'insert', 'guard2', 'transactions', docs));
    await call(page, 'close', 'guard2');
    must(await call(page, 'tamperEnvelope', docs[2]!.id, docs[2]!.id));
    must(await call(page, 'open', 'guard2', 'guard password', { keyCompression: false }));
    expect(errorCode(await call(page, 'readAll', 'guard2', 'transactions'))).toBe('DECRYPTION_FAILED');
    await call(page, 'close', 'guard2');
  });

  it('uses Argon2id m=64MiB t=3 p=1 by default, stored with the key, and keeps the data key non-extractable', async () => {
    const page = await freshPage();
    const made = must(await call(page, 'defaultCostKey', 'a reasonably long passphrase'));
    expect(made.params).toEqual({ memoryKiB: 65_536, iterations: 3, parallelism: 1 });
    expect(made.extractable).toBe(false);
    console.info(`Argon2id default cost in Chromium: create ${made.createMs.toFixed(0)} ms, unlock ${made.unlockMs.toFixed(0)} ms`);
  });

  it('erases the device: no IndexedDB database is left, and the old password opens nothing', async () => {
    const page = await freshPage();
    // RxDB's open core holds at most 13 collections open, so one replica (12) is open at a time.
    must(await call(page, 'open', 'erase-a', 'erase password', { kdf: FAST_KDF }));
    must(await call(page, 'insert', 'erase-a', 'transactions', makeTransactions({ count: 10, marker: 'ERAS' })));
    await call(page, 'close', 'erase-a');
    must(await call(page, 'open', 'erase-b', 'erase password', { kdf: FAST_KDF }));
    must(await call(page, 'insert', 'erase-b', 'transactions', makeTransactions({ count: 10, marker: 'ERAS' })));
    const namesBefore = await call(page, 'databaseNames');
    expect(namesBefore.filter((n) => n.includes('erase-a')).length).toBeGreaterThan(1);
    expect(namesBefore.filter((n) => n.includes('erase-b')).length).toBeGreaterThan(1);

    // erase-b is still open: eraseDevice closes it first so its connections do not block the deletion.
    const erased = must(await call(page, 'erase', 'erase-b'));
    expect([...erased].sort()).toEqual([...namesBefore].sort());
    expect(await call(page, 'databaseNames')).toEqual([]);

    await page.reload();
    await harnessReady(page);
    expect(await call(page, 'databaseNames')).toEqual([]);
    const again = must(await call(page, 'open', 'erase-a', 'erase password', { kdf: FAST_KDF }));
    expect(again.created).toBe(true);
    expect(userFields(must(await call(page, 'readAll', 'erase-a', 'transactions')))).toEqual([]);
    must(await call(page, 'erase', 'erase-a'));
    expect(await call(page, 'databaseNames')).toEqual([]);
  });
});
