import { Rng, generateHousehold } from '@mymidas/shared/demo';

/**
 * The work the generator benchmark times, in a module with no Node imports so the same code runs in
 * Node and, bundled, in Chromium. Both loops serialise every document with JSON.stringify, so the
 * ratio shows what the household's logic costs on top of making and serialising objects.
 */

export interface Throughput {
  readonly docs: number;
  readonly ms: number;
  readonly docsPerSecond: number;
  /** Characters of JSON produced; returned so the work cannot be optimised away. */
  readonly chars: number;
}

function finish(docs: number, chars: number, start: number): Throughput {
  const ms = performance.now() - start;
  return { docs, ms, docsPerSecond: docs / (ms / 1000), chars };
}

/** The full demo household for `transactions`, every document stringified. */
export function measureGenerator(transactions: number, seed = 'bench'): Throughput {
  const start = performance.now();
  let docs = 0;
  let chars = 0;
  for (const record of generateHousehold({ seed, transactions })) {
    chars += JSON.stringify(record.doc).length;
    docs += 1;
  }
  return finish(docs, chars, start);
}

/** The floor: `docs` plain transaction-shaped objects from the same PRNG, stringified. */
export function measureBareLoop(docs: number, seed = 'bench'): Throughput {
  const start = performance.now();
  const rng = new Rng(seed, 'baseline');
  const day0 = Date.UTC(2016, 10, 1);
  let chars = 0;
  for (let i = 0; i < docs; i += 1) {
    const ms = day0 + Math.floor(i / 30) * 86_400_000;
    const doc = {
      id: rng.uuid7(ms),
      hlc: `${ms}:0000:demo`,
      accountId: rng.uuid7(day0),
      date: '2020-01-01',
      amount: -rng.int(30, 20_000),
      currency: 'GBP',
      categoryId: null,
      tags: [],
      merchant: 'Merchant',
      description: 'CARD PAYMENT TO MERCHANT',
      notes: null,
      transferId: null,
      importHash: null,
      status: 'reconciled',
      splits: [],
    };
    chars += JSON.stringify(doc).length;
  }
  return finish(docs, chars, start);
}
