// Statement files as the banks export them, kept byte for byte: each is stored with a `.txt` suffix so Vite
// inlines it as base64 (no Node file system in shared/), and is handed to the parser under its real name.
import barclays from './barclays.csv.txt?inline';
import camt053 from './camt053.xml.txt?inline';
import generic from './generic.csv.txt?inline';
import hsbc from './hsbc.csv.txt?inline';
import lloyds from './lloyds.csv.txt?inline';
import monzo from './monzo.csv.txt?inline';
import nationwide from './nationwide.csv.txt?inline';
import natwest from './natwest.csv.txt?inline';
import qif from './statement.qif.txt?inline';
import ofx from './statement.ofx.txt?inline';
import qfx from './statement-v2.qfx.txt?inline';
import revolut from './revolut.csv.txt?inline';
import santander from './santander.txt?inline';
import starling from './starling.csv.txt?inline';

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

export interface Fixture {
  fileName: string;
  bytes: Uint8Array;
}

const fixture = (fileName: string, dataUrl: string): Fixture => ({ fileName, bytes: bytesOf(dataUrl) });

export const FIXTURES = {
  monzo: fixture('MonzoDataExport_March.csv', monzo),
  starling: fixture('StarlingStatement_2024-03.csv', starling),
  revolut: fixture('account-statement_2024-03-01_2024-03-31_en-gb.csv', revolut),
  barclays: fixture('data.csv', barclays),
  lloyds: fixture('12345678_20240331_1200.csv', lloyds),
  natwest: fixture('STATEMENT.csv', natwest),
  hsbc: fixture('TransactionHistory.csv', hsbc),
  santander: fixture('Statement31032024.txt', santander),
  nationwide: fixture('Statement Download 2024-Mar-31.csv', nationwide),
  ofx: fixture('statement.ofx', ofx),
  qfx: fixture('card.qfx', qfx),
  qif: fixture('statement.qif', qif),
  camt053: fixture('camt053_20240331.xml', camt053),
  generic: fixture('export.csv', generic),
} satisfies Record<string, Fixture>;
