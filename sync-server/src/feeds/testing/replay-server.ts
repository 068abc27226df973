import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FeedConfig } from '../config.ts';

/**
 * A local stand-in for Yahoo, CoinGecko and the ECB that answers from recorded answers in each provider's own
 * format (`../__fixtures__`), so tests run the real provider code with no internet. Like the real services it
 * answers a date range with the recorded days inside it (Yahoo: period1 ≤ t < period2; CoinGecko: from ≤ t ≤ to),
 * which keeps one small recording per series. Tests can queue answers that replace the next matching requests
 * (a 429 with Retry-After, a 500, malformed bodies) and read every request made, in order.
 *
 * Routes: /yahoo/v8/finance/chart/:symbol, /yahoo/v1/finance/search, /coingecko/api/v3/simple/price,
 * /coingecko/api/v3/coins/:id/market_chart/range, /coingecko/api/v3/search, /ecb/stats/eurofxref/*.xml.
 */

const FIXTURES = new URL('../__fixtures__/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
}

export interface ReplayAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. Omitted: the recorded answer, changed by `edit`. */
  readonly body?: unknown;
  /** Changes the recorded JSON answer before it is sent (to break one field). */
  readonly edit?: (recorded: unknown) => unknown;
  /** Waits this long before answering (a slow provider). */
  readonly delayMs?: number;
}

interface Override {
  readonly match: (path: string, query: URLSearchParams) => boolean;
  readonly answer: ReplayAnswer;
}

type Answer = { status: number; type: string; body: string; headers?: Record<string, string> };

function json(body: unknown, status = 200): Answer {
  return { status, type: 'application/json;charset=utf-8', body: JSON.stringify(body) };
}

function yahooChart(symbol: string, q: URLSearchParams): Answer {
  let recorded: { chart: { result: [{ meta: unknown; timestamp: number[]; indicators: { quote: Record<string, unknown[]>[]; adjclose: { adjclose: unknown[] }[] } }] } };
  try {
    recorded = JSON.parse(fixture(`yahoo-chart-${symbol}.json`)) as typeof recorded;
  } catch {
    return json({ chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } } }, 404);
  }
  const p1 = Number(q.get('period1') ?? 0);
  const p2 = Number(q.get('period2') ?? Number.MAX_SAFE_INTEGER);
  const r = recorded.chart.result[0];
  const keep = r.timestamp.map((t) => t >= p1 && t < p2);
  const pick = <T>(a: T[]) => a.filter((_, i) => keep[i]);
  const quote = Object.fromEntries(Object.entries(r.indicators.quote[0]!).map(([k, v]) => [k, pick(v)]));
  const timestamp = pick(r.timestamp);
  const result = timestamp.length > 0
    ? { ...r, timestamp, indicators: { quote: [quote], adjclose: [{ adjclose: pick(r.indicators.adjclose[0]!.adjclose) }] } }
    : { meta: r.meta, indicators: { quote: [{}], adjclose: [{}] } };
  return json({ chart: { result: [result], error: null } });
}

function fromMap(file: string, key: string, empty: unknown): Answer {
  const all = JSON.parse(fixture(file)) as Record<string, unknown>;
  return json(all[key] ?? empty);
}

function coingeckoRange(id: string, q: URLSearchParams): Answer {
  let recorded: Record<string, [number, number][]>;
  try {
    recorded = JSON.parse(fixture(`coingecko-market-chart-${id}-${q.get('vs_currency') ?? ''}.json`)) as typeof recorded;
  } catch {
    return json({ error: 'coin not found' }, 404);
  }
  const from = Number(q.get('from')) * 1000;
  const to = Number(q.get('to')) * 1000;
  return json(Object.fromEntries(Object.entries(recorded).map(([k, points]) => [k, points.filter(([t]) => t >= from && t <= to)])));
}

function coingeckoSimple(q: URLSearchParams): Answer {
  const all = JSON.parse(fixture('coingecko-simple-price.json')) as Record<string, Record<string, number>>;
  const vs = (q.get('vs_currencies') ?? '').split(',');
  const out: Record<string, Record<string, number>> = {};
  for (const id of (q.get('ids') ?? '').split(',')) {
    const coin = all[id];
    if (!coin) continue;
    out[id] = Object.fromEntries(Object.entries(coin).filter(([k]) => vs.includes(k) || (k === 'last_updated_at' && q.get('include_last_updated_at') === 'true')));
  }
  return json(out);
}

function recorded(path: string, q: URLSearchParams): Answer {
  let m: RegExpExecArray | null;
  if ((m = /^\/yahoo\/v8\/finance\/chart\/([^/]+)$/.exec(path))) return yahooChart(decodeURIComponent(m[1]!), q);
  if (path === '/yahoo/v1/finance/search') return fromMap('yahoo-search.json', q.get('q') ?? '', JSON.parse(fixture('yahoo-search.json'))['zzzz-nothing']);
  if (path === '/coingecko/api/v3/simple/price') return coingeckoSimple(q);
  if ((m = /^\/coingecko\/api\/v3\/coins\/([^/]+)\/market_chart\/range$/.exec(path))) return coingeckoRange(decodeURIComponent(m[1]!), q);
  if (path === '/coingecko/api/v3/search') return fromMap('coingecko-search.json', q.get('query') ?? '', { coins: [], exchanges: [], icos: [], categories: [], nfts: [] });
  if ((m = /^\/ecb\/stats\/eurofxref\/(eurofxref-(?:daily|hist-90d|hist)\.xml)$/.exec(path))) {
    try {
      return { status: 200, type: 'text/xml', body: fixture(`ecb-${m[1]}`) };
    } catch {
      return { status: 404, type: 'text/html', body: '<html><body>Not Found</body></html>' };
    }
  }
  return { status: 404, type: 'text/plain', body: 'not recorded' };
}

export class ReplayServer {
  readonly requests: RecordedRequest[] = [];
  readonly #overrides: Override[] = [];
  #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<ReplayServer> {
    const server = createServer();
    const replay = new ReplayServer(server);
    server.on('request', (req, res) => replay.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return replay;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The feed configuration that points every provider here. */
  config(overrides: Partial<FeedConfig> = {}): FeedConfig {
    return {
      enabled: false,
      yahooBaseUrl: `${this.origin}/yahoo`,
      coingeckoBaseUrl: `${this.origin}/coingecko/api/v3`,
      ecbBaseUrl: `${this.origin}/ecb/stats/eurofxref`,
      backfillChunkDays: 365,
      ...overrides,
    };
  }

  /** The next request whose path contains `pathPart` (and that `when` accepts) gets `answer` instead. */
  once(pathPart: string, answer: ReplayAnswer, when: (query: URLSearchParams) => boolean = () => true): void {
    this.#overrides.push({ match: (path, q) => path.includes(pathPart) && when(q), answer });
  }

  /** Every request whose path contains `pathPart` gets `answer` until `clear()`. */
  always(pathPart: string, answer: ReplayAnswer): void {
    const override: Override = { match: (path) => path.includes(pathPart), answer };
    Object.defineProperty(override, 'sticky', { value: true });
    this.#overrides.push(override);
  }

  clear(): void {
    this.#overrides.length = 0;
    this.requests.length = 0;
  }

  requestsTo(pathPart: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes(pathPart));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    let delay = 0;
    const url = new URL(req.url ?? '/', this.origin);
    this.requests.push({ at: Date.now(), method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers });
    let answer = recorded(url.pathname, url.searchParams);
    const i = this.#overrides.findIndex((o) => o.match(url.pathname, url.searchParams));
    if (i >= 0) {
      const o = this.#overrides[i]!;
      if (!(o as unknown as { sticky?: boolean }).sticky) this.#overrides.splice(i, 1);
      const a = o.answer;
      delay = a.delayMs ?? 0;
      if (a.body !== undefined) answer = { status: a.status ?? 200, type: typeof a.body === 'string' ? 'text/plain' : 'application/json', body: typeof a.body === 'string' ? a.body : JSON.stringify(a.body), ...(a.headers ? { headers: a.headers } : {}) };
      else if (a.edit) answer = { ...answer, status: a.status ?? answer.status, body: JSON.stringify(a.edit(JSON.parse(answer.body))), ...(a.headers ? { headers: a.headers } : {}) };
      else if (a.status !== undefined) answer = { status: a.status, type: 'text/plain', body: '', ...(a.headers ? { headers: a.headers } : {}) };
    }
    const send = () => {
      res.writeHead(answer.status, { 'Content-Type': answer.type, ...answer.headers });
      res.end(answer.body);
    };
    if (delay > 0) setTimeout(send, delay);
    else send();
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
