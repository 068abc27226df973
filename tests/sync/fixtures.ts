import { randomUUID } from 'node:crypto';
import { jsonEqual, stripMeta } from '@mymidas/shared/sync';
import type { DeviceClock } from '../../client/src/sync/clock.ts';

let n = 0;
/** A valid account as a screen would create it, stamped by the device's clock. */
export function newAccount(clock: DeviceClock, over: Record<string, unknown> = {}) {
  n++;
  return clock.stampDoc({
    id: randomUUID(),
    name: `Account ${n}`,
    type: 'current' as const,
    currency: 'GBP',
    institution: 'Example Bank',
    accountRef: null,
    openingBalance: 1000 * n,
    openingDate: '2026-01-01',
    creditLimit: null,
    apr: null,
    closed: false,
    sortOrder: n % 1000,
    notes: null,
    ...over,
  });
}

/** A stored RxDB document as the server would send it: bookkeeping removed. */
export function wireForm(doc: Record<string, unknown>): Record<string, unknown> {
  const out = stripMeta(doc);
  delete out._attachments;
  return out;
}

export function sameDocs(a: readonly Record<string, unknown>[], b: readonly Record<string, unknown>[]): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(b.map((d) => [d.id, d]));
  return a.every((d) => jsonEqual(wireForm(d), wireForm(byId.get(d.id) ?? {})));
}

/** Polls `check` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
