// @vitest-environment happy-dom
import Papa from 'papaparse';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportStamp, reportPdfDefinition, saveFile, tableCsvFile } from './report-export.ts';
import { amount, cellCsv, cellText, count, date, fileSlug, none, percent, tableCsvRows, text } from './report-table.ts';
import type { ReportTableModel } from './report-table.ts';

const TABLE: ReportTableModel = {
  id: 'groups',
  caption: 'Spending by category group',
  columns: [{ label: 'Group', numeric: false }, { label: 'Spent (GBP)', numeric: true }, { label: 'Share', numeric: true }, { label: 'Transactions', numeric: true }],
  rows: [
    [text('Food, drink & "treats"'), amount(123_456, 'GBP'), percent(0.61234), count(1234)],
    [text('=HYPERLINK("http://x.example","click")'), amount(-5, 'GBP'), percent(null), count(1)],
    [text('Café Zürich\nline two'), amount(0, 'GBP'), percent(0), count(0)],
  ],
  footer: [text('Total'), amount(123_451, 'GBP'), percent(1), count(1235)],
};

afterEach(() => vi.restoreAllMocks());

describe('report cells', () => {
  it('shows money with its currency, percentages with two decimals, dates in words, a dash for no figure', () => {
    expect(cellText(amount(123_456, 'GBP'))).toBe('£1,234.56');
    expect(cellText(amount(-5, 'GBP'))).toBe('-£0.05');
    expect(cellText(amount(1500, 'JPY'))).toBe('JP¥1,500');
    expect(cellText(percent(0.61234))).toBe('61.23 %');
    expect(cellText(date('2026-03-01'))).toBe('1 Mar 2026');
    expect(cellText(none('no rate'))).toBe('—');
    expect(cellText(count(12_345))).toBe('12,345');
  });

  it('writes numbers to the CSV as numbers in major units and percent points, dates ISO, no figure empty', () => {
    expect(cellCsv(amount(123_456, 'GBP'))).toBe(1234.56);
    expect(cellCsv(amount(-5, 'GBP'))).toBe(-0.05);
    expect(cellCsv(amount(1500, 'JPY'))).toBe(1500);
    expect(cellCsv(percent(0.61234))).toBe(61.23);
    expect(cellCsv(date('2026-03-01'))).toBe('2026-03-01');
    expect(cellCsv(none('x'))).toBeNull();
  });

  it('makes the CSV rows of a table with the footer last', () => {
    const { header, rows } = tableCsvRows(TABLE);
    expect(header).toEqual(['Group', 'Spent (GBP)', 'Share', 'Transactions']);
    expect(rows).toHaveLength(4);
    expect(rows[3]).toEqual(['Total', 1234.51, 100, 1235]);
  });

  it('names files from titles without characters a file system minds', () => {
    expect(fileSlug('Income vs expense groups')).toBe('income-vs-expense-groups');
    expect(fileSlug('Café / Zürich: 2026')).toBe('cafe-zurich-2026');
    expect(fileSlug('***')).toBe('report');
  });
});

describe('report exports', () => {
  it('a table’s CSV parses back (papaparse) to the cells shown, with formulas neutralised', async () => {
    const file = tableCsvFile(TABLE, 'Categories');
    expect(file.name).toBe('categories-groups.csv');
    const parsed = Papa.parse<string[]>(await file.blob.text(), { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const [header, ...rows] = parsed.data;
    expect(header).toEqual(TABLE.columns.map((c) => c.label));
    const all = [...TABLE.rows, TABLE.footer!];
    expect(rows).toHaveLength(all.length);
    rows.forEach((row, r) => {
      all[r]!.forEach((cell, i) => {
        const v = cellCsv(cell);
        if (typeof v === 'number') expect(Number(row[i])).toBe(v);
        else if (v === null) expect(row[i]).toBe('');
        else if (r === 1 && i === 0) expect(row[i]).not.toMatch(/^[=+\-@\t\r]/);
        else expect(row[i]).toBe(v);
      });
    });
    // The neutralised formula still carries the payee's words.
    expect(rows[1]![0]).toContain('HYPERLINK');
  });

  it('builds an A4 PDF with the title, the filters, the date of export, the charts and every table cell as text', () => {
    const doc = reportPdfDefinition({
      title: 'Categories',
      filters: ['Dates: This month (1 Dec 2026 – 7 Dec 2026)', 'Accounts: all'],
      exportedAt: '7 Dec 2026, 02:00 Europe/London',
      summary: ['Spent £1,234.51 in all'],
      charts: [{ title: 'Categories: All groups', dataUrl: 'data:image/png;base64,iVBORw0KGgo=', aspect: 2 }],
      tables: [TABLE],
    });
    expect(doc.pageSize).toBe('A4');
    const json = JSON.stringify(doc.content);
    for (const t of ['Categories', 'Dates: This month (1 Dec 2026 – 7 Dec 2026)', 'Accounts: all', 'Exported 7 Dec 2026, 02:00 Europe/London', 'Spent £1,234.51 in all', 'data:image/png;base64,iVBORw0KGgo=', TABLE.caption]) {
      expect(json).toContain(JSON.stringify(t).slice(1, -1));
    }
    for (const row of [...TABLE.rows, TABLE.footer!]) for (const cell of row) expect(json).toContain(JSON.stringify(cellText(cell)).slice(1, -1));
    expect(doc.info?.title).toBe('Categories');
  });

  it('hands a file to the browser as a download link that is removed after the click', () => {
    const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:report');
    const clicks: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.href, download: this.download });
    });
    saveFile(new Blob(['a,b']), 'x.csv');
    expect(created).toHaveBeenCalledOnce();
    expect(clicks).toEqual([{ href: 'blob:report', download: 'x.csv' }]);
    expect(document.querySelectorAll('a[download]')).toHaveLength(0);
  });

  it('stamps the export with the date, time and zone', () => {
    expect(exportStamp(new Date('2026-07-01T10:05:00Z'), 'Europe/London')).toBe('1 Jul 2026, 11:05 Europe/London');
  });
});
