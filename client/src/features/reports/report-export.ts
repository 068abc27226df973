import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import { toCsv } from '@mymidas/shared/reports';
import { cellText, fileSlug, tableCsvRows } from './report-table.ts';
import type { ReportTableModel } from './report-table.ts';

/**
 * Exports of a report made on the device, offline (issue 23): a table as CSV (`toCsv` of
 * `@mymidas/shared/reports`: RFC 4180, numbers as numbers, formulas neutralised) and the whole report as an A4
 * PDF by pdfmake — title, filters, date of export, charts as images, then every table — in the light theme's
 * black on white whatever theme the screen is in. pdfmake and its fonts (~2 MB) are loaded only when a PDF is
 * asked for, so they never weigh on the app's first load.
 */

export interface ReportChartImage {
  readonly title: string;
  /** A PNG data URL (ECharts getDataURL of the chart drawn in the light theme). */
  readonly dataUrl: string;
  /** Its aspect, width ÷ height, to fit it to the page. */
  readonly aspect: number;
}

export interface ReportPdfInput {
  readonly title: string;
  /** One line per filter, in words ("Dates: 1 Nov 2026 – 30 Nov 2026"). */
  readonly filters: readonly string[];
  /** When the export was made, in words, with its zone. */
  readonly exportedAt: string;
  /** Key figures shown above the chart. */
  readonly summary: readonly string[];
  readonly charts: readonly ReportChartImage[];
  readonly tables: readonly ReportTableModel[];
}

/** A4 portrait in points, with 40 pt margins. */
export const A4_CONTENT_WIDTH = 595.28 - 80;

/** The CSV of one table, as a file. */
export function tableCsvFile(table: ReportTableModel, title: string): { name: string; blob: Blob } {
  const { header, rows } = tableCsvRows(table);
  return { name: `${fileSlug(`${title} ${table.id}`)}.csv`, blob: new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' }) };
}

function pdfTable(table: ReportTableModel): Content {
  const head: TableCell[] = table.columns.map((c) => ({ text: c.label, style: 'th', alignment: c.numeric ? 'right' : 'left' }));
  const body: TableCell[][] = table.rows.map((row) => row.map((cell, i) => ({ text: cellText(cell), alignment: table.columns[i]?.numeric ? 'right' : 'left' })));
  if (table.footer) body.push(table.footer.map((cell, i) => ({ text: cellText(cell), bold: true, alignment: table.columns[i]?.numeric ? 'right' : 'left' })));
  const widths = table.columns.map((c, i) => (i === 0 ? '*' : c.numeric ? 'auto' : '*'));
  return [
    { text: table.caption, style: 'h2' },
    {
      table: { headerRows: 1, widths, body: [head, ...body], dontBreakRows: true },
      layout: 'lightHorizontalLines',
      fontSize: table.columns.length > 6 ? 7.5 : 9,
      margin: [0, 0, 0, 14],
    },
  ];
}

/** The pdfmake document of a report (pure: tested without pdfmake). */
export function reportPdfDefinition(input: ReportPdfInput): TDocumentDefinitions {
  const content: Content[] = [
    { text: input.title, style: 'h1' },
    { text: `Exported ${input.exportedAt} from MyMidas, worked out on this device.`, style: 'meta' },
    { ul: input.filters.map((f) => ({ text: f })), style: 'filters' },
  ];
  if (input.summary.length > 0) content.push({ text: input.summary.join('   ·   '), style: 'summary' });
  for (const chart of input.charts) {
    const width = A4_CONTENT_WIDTH;
    const height = Math.min(width / Math.max(chart.aspect, 0.5), 320);
    content.push({ text: chart.title, style: 'h2' }, { image: chart.dataUrl, fit: [width, height], alignment: 'center', margin: [0, 0, 0, 12] });
  }
  for (const table of input.tables) content.push(pdfTable(table));
  return {
    pageSize: 'A4',
    pageOrientation: 'portrait',
    pageMargins: [40, 40, 40, 48],
    info: { title: input.title, creator: 'MyMidas', producer: 'MyMidas (pdfmake)' },
    content,
    footer: (page, pages) => ({ text: `${input.title} · page ${page} of ${pages}`, alignment: 'center', fontSize: 8, color: '#555555', margin: [0, 16, 0, 0] }),
    defaultStyle: { font: 'Roboto', fontSize: 9, color: '#111111' },
    styles: {
      h1: { fontSize: 18, bold: true, margin: [0, 0, 0, 4] },
      h2: { fontSize: 12, bold: true, margin: [0, 10, 0, 6] },
      th: { bold: true, color: '#111111' },
      meta: { fontSize: 8, color: '#555555', margin: [0, 0, 0, 8] },
      filters: { fontSize: 9, margin: [0, 0, 0, 8] },
      summary: { fontSize: 10, bold: true, margin: [0, 4, 0, 8] },
    },
  };
}

/** Makes the PDF: pdfmake and its fonts are fetched here, the first time, from the app's own origin. */
export async function renderPdf(definition: TDocumentDefinitions): Promise<Blob> {
  const [{ default: pdfMake }, { default: vfs }] = await Promise.all([import('pdfmake/build/pdfmake'), import('pdfmake/build/vfs_fonts')]);
  pdfMake.addVirtualFileSystem(vfs);
  return pdfMake.createPdf(definition).getBlob();
}

/** Hands a file to the browser's download (an object URL on a link, revoked after the click). */
export function saveFile(blob: Blob, name: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.hidden = true;
  doc.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** "7 Dec 2026, 01:52 Europe/London" */
export function exportStamp(now: Date, timeZone: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone });
  return `${f.format(now)} ${timeZone}`;
}
