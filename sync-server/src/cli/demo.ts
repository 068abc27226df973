import { parseArgs } from 'node:util';
import { DemoError, demoPassword, loadDemo, type DemoProgress } from './demo-load.ts';
import { MAX_DEMO_TRANSACTIONS } from './demo-server-owned.ts';

/**
 * `npm run demo [-- options]` — fills a running MyMidas with the deterministic demo household (about
 * 100,000 transactions over ten years, 25 accounts, budgets, an investment portfolio with daily prices)
 * through the real HTTP API. Start the server first with the demo route on (`ENABLE_DEMO=1 npm start`), then
 * run this in another terminal.
 */
const USAGE = `usage: npm run demo -- [options]

  --url URL            the running server (default http://localhost:8090)
  --email ADDRESS      account to create or sign in to (default demo@example.com)
  --password TEXT      its password (default: a new random one, printed at the end;
                       give the existing password when the account already exists)
  --transactions N     about this many transactions (default 100000, at most ${MAX_DEMO_TRANSACTIONS.toLocaleString('en-GB')})
  --years N            years of history (default 10; needs about 600 transactions a year)
  --seed TEXT          generator seed (default mymidas-demo); the same seed gives the same data
  --help`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) fail(`--${name} must be a positive whole number, got "${text}"`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== '--'),
      options: {
        url: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        transactions: { type: 'string' },
        years: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const url = values.url ?? 'http://localhost:8090';
  try {
    new URL(url);
  } catch {
    fail(`--url must be a URL such as http://localhost:8090, got "${url}"`);
  }
  const transactions = wholeNumber('transactions', values.transactions, 100_000);
  if (transactions > MAX_DEMO_TRANSACTIONS) fail(`--transactions must be at most ${MAX_DEMO_TRANSACTIONS}`);
  const years = values.years === undefined ? undefined : wholeNumber('years', values.years, 10);
  const email = values.email ?? 'demo@example.com';
  const generatedPassword = values.password === undefined;
  const password = values.password ?? demoPassword(email);
  const seed = values.seed ?? 'mymidas-demo';

  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const onProgress = (p: DemoProgress) => {
    const now = performance.now();
    if (p.phase === 'push' && tty && now - lastLine < 100) return;
    if (p.phase === 'push' && !tty && now - lastLine < 5000) return;
    lastLine = now;
    const rate = p.pushed / Math.max(0.001, p.elapsedMs / 1000);
    const pct = Math.min(100, Math.floor((100 * p.transactions) / p.transactionsTarget));
    const line = p.phase === 'push'
      ? `pushing: ${p.pushed.toLocaleString('en-GB')} documents, ${p.transactions.toLocaleString('en-GB')} of ~${p.transactionsTarget.toLocaleString('en-GB')} transactions (${pct}%), ${Math.round(rate).toLocaleString('en-GB')} docs/s`
      : p.phase === 'server-owned'
        ? `pushed ${p.pushed.toLocaleString('en-GB')} documents in ${(p.elapsedMs / 1000).toFixed(1)} s; the server is writing prices and FX rates…`
        : '';
    if (!line) return;
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else process.stderr.write(`${line}\n`);
  };
  const log = (line: string) => process.stderr.write(`${tty ? '\r\x1b[2K' : ''}${line}\n`);

  // Printed before anything happens, so a run that stops half-way still leaves the account usable.
  if (generatedPassword) log(`account ${email} — new password for it: ${password}`);
  log(`MyMidas demo: seed "${seed}", ~${transactions.toLocaleString('en-GB')} transactions${years ? ` over ${years} years` : ''} → ${url}`);
  try {
    const report = await loadDemo({ url, email, password, seed, transactions, ...(years ? { years } : {}), onProgress, log });
    if (tty) process.stderr.write('\r\x1b[2K');
    const counts = Object.entries(report.generated).filter(([, n]) => n > 0).map(([name, n]) => `${name} ${n.toLocaleString('en-GB')}`).join(', ');
    const newRows = Object.values(report.written).reduce((s, n) => s + (n ?? 0), 0);
    console.log(`Loaded in ${(report.elapsedMs / 1000).toFixed(1)} s with ${report.requests} requests: ${counts}.`);
    console.log(`${newRows.toLocaleString('en-GB')} documents were new${report.conflicts ? `; ${report.conflicts} already existed with other content and were kept` : ''}.`);
    if (!report.serverOwnedLoaded) console.log('Prices and FX rates were NOT loaded: restart the server with ENABLE_DEMO=1 (ENABLE_DEMO=1 npm start), then run this again.');
    console.log('');
    console.log(`Sign in at ${url} with`);
    console.log(`  e-mail:   ${email}`);
    console.log(`  password: ${generatedPassword && report.account === 'registered' ? password : values.password ?? '(the one you gave)'}`);
    if (generatedPassword && report.account === 'registered') console.log('  (generated for this account — keep it; give it with --password to run the demo again)');
  } catch (err) {
    if (tty) process.stderr.write('\n');
    if (err instanceof DemoError || err instanceof RangeError) {
      console.error(`demo: ${err.message}`);
      if (err.message.startsWith('cannot reach')) console.error('Start the server first: ENABLE_DEMO=1 npm start (or ENABLE_DEMO=1 npm run serve), then run npm run demo again.');
      process.exit(1);
    }
    throw err;
  }
}

await main();
