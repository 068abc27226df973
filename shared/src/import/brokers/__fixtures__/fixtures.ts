// Broker exports written for these tests from each broker's published CSV layout (column names and order, date
// and number formats); the people, accounts and order ids are made up. Stored with a `.txt` suffix so Vite
// inlines the exact bytes (see ../../__fixtures__/fixtures.ts).
import freetrade from './freetrade.csv.txt?inline';
import hargreavesLansdown from './hargreaves-lansdown.csv.txt?inline';
import ibkr from './ibkr-activity.csv.txt?inline';
import investengine from './investengine.csv.txt?inline';
import trading212 from './trading212.csv.txt?inline';
import vanguardUk from './vanguard-uk.csv.txt?inline';

function bytesOf(dataUrl: string): Uint8Array {
  const comma = dataUrl.indexOf(',');
  const header = dataUrl.slice(0, comma);
  const body = dataUrl.slice(comma + 1);
  if (!header.endsWith(';base64')) return new TextEncoder().encode(decodeURIComponent(body));
  const binary = atob(body);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export interface BrokerFixture {
  fileName: string;
  bytes: Uint8Array;
}

const fixture = (fileName: string, dataUrl: string): BrokerFixture => ({ fileName, bytes: bytesOf(dataUrl) });

export const BROKER_FIXTURES = {
  trading212: fixture('from_2024-01-01_to_2024-07-31_MTcyMDAw.csv', trading212),
  freetrade: fixture('freetrade-activity-feed.csv', freetrade),
  investengine: fixture('InvestEngine_Trading_Statement.csv', investengine),
  vanguard_uk: fixture('ExportToCsv.csv', vanguardUk),
  hargreaves_lansdown: fixture('ISA_capital_account.csv', hargreavesLansdown),
  ibkr: fixture('U0000000_20240101_20240630.csv', ibkr),
} satisfies Record<string, BrokerFixture>;
