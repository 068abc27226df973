import { defineSuite } from '../lib/suite.ts';
import { REPLICA_ENCRYPTION_TARGET, runReplicaEncryptionBench } from './replica-encryption.ts';

/**
 * Registers issue 7's replica benchmark (bench/suites/replica-encryption.ts) with the runner:
 * insert + read-all of `size` transactions in RxDB on Dexie, WebCrypto-encrypted vs plain. That
 * benchmark runs its rounds inside one page load, alternating plain and encrypted, so setup runs it
 * once with rounds = runs and the samples are handed out from that one measurement.
 */

interface State {
  readonly plain: number[];
  readonly encrypted: number[];
}

// Each full round writes and reads 100k documents twice (about 90 s here); two keep `npm run bench` inside 15 minutes.
const RUNS = { full: 2, quick: 1 } as const;

export const replicaEncryption = defineSuite<State>({
  name: 'replica-encryption',
  description: 'RxDB replica insert + read-all, WebCrypto-encrypted vs plain (issue 7)',
  environment: 'browser',
  sizeUnit: 'transactions',
  size: { full: 100_000, quick: 10_000 },
  runs: RUNS,
  unit: 'ms',
  better: 'lower',
  baselineName: 'plain RxDB on Dexie',
  target: { on: 'ratio', max: REPLICA_ENCRYPTION_TARGET },
  async setup(ctx) {
    const report = await runReplicaEncryptionBench({ count: ctx.size, rounds: ctx.quick ? RUNS.quick : RUNS.full, log: ctx.log });
    const total = (t: { insertMs: number; queryMs: number }) => t.insertMs + t.queryMs;
    return { plain: report.raw.plain.map(total), encrypted: report.raw.encrypted.map(total) };
  },
  run: (_ctx, s) => {
    const next = s.encrypted.shift();
    if (next === undefined) throw new Error('replica-encryption: more samples asked for than rounds run');
    return next;
  },
  baseline: (_ctx, s) => {
    const next = s.plain.shift();
    if (next === undefined) throw new Error('replica-encryption: more samples asked for than rounds run');
    return next;
  },
});
