import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { generateHousehold } from '@mymidas/shared/demo';
import type { HouseholdOptions } from '@mymidas/shared/demo';

/**
 * Writes the demo household as NDJSON, one `{"collection":…,"doc":…}` per line, streaming (memory
 * stays flat at any size).
 *
 *   node --import tsx bench/generate-household.ts [--transactions 1000000] [--seed s] [--years 10]
 *        [--reference-date 2026-10-31] [--no-quotes] [--out household.ndjson]
 *
 * Without --out it prints only the counts.
 */

function parse(argv: readonly string[]): HouseholdOptions & { out: string | null } {
  const o: { seed?: string; transactions?: number; years?: number; referenceDate?: string; quotes?: boolean; out: string | null } = { out: null };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[(i += 1)];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const whole = (v: string) => {
      if (!/^\d+$/.test(v.replace(/_/g, ''))) throw new Error(`${a} needs a whole number, got "${v}"`);
      return Number(v.replace(/_/g, ''));
    };
    if (a === '--transactions') o.transactions = whole(value());
    else if (a === '--years') o.years = whole(value());
    else if (a === '--seed') o.seed = value();
    else if (a === '--reference-date') o.referenceDate = value();
    else if (a === '--no-quotes') o.quotes = false;
    else if (a === '--out') o.out = value();
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function main() {
  const { out, ...options } = parse(process.argv.slice(2));
  const started = performance.now();
  const stream = out ? createWriteStream(out) : null;
  const it = generateHousehold(options);
  let r = it.next();
  let lines = 0;
  while (!r.done) {
    if (stream && !stream.write(`${JSON.stringify(r.value)}\n`)) await once(stream, 'drain');
    lines += 1;
    r = it.next();
  }
  if (stream) {
    stream.end();
    await once(stream, 'finish');
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ ...r.value, documents: lines, seconds: Number(seconds.toFixed(2)), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), out }, null, 2));
}

await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
