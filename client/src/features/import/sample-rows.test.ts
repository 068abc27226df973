import { describe, expect, it } from 'vitest';
import { decodeHead, sampleRows } from './sample-rows.ts';

describe('sample rows for the mapping step', () => {
  it('finds the header below a preamble and returns the next rows by column', () => {
    const text = 'Account: 1234\n\nPosted,Details,Value\n2024-03-01,"Coffee, large",(3.50)\n2024-03-02,Refund,"1,234.00"\n';
    expect(sampleRows(new TextEncoder().encode(text), ['Posted', 'Details', 'Value'])).toEqual([
      { Posted: '2024-03-01', Details: 'Coffee, large', Value: '(3.50)' },
      { Posted: '2024-03-02', Details: 'Refund', Value: '1,234.00' },
    ]);
  });

  it('limits the number of rows and returns none without a matching header', () => {
    const text = ['A,B', ...Array.from({ length: 10 }, (_, i) => `${i},x`)].join('\n');
    expect(sampleRows(new TextEncoder().encode(text), ['A', 'B'], 3)).toHaveLength(3);
    expect(sampleRows(new TextEncoder().encode(text), ['C'])).toEqual([]);
    expect(sampleRows(new TextEncoder().encode(text), [])).toEqual([]);
  });

  it('decodes UTF-16 with a BOM and falls back to Windows-1252 for a pound sign', () => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...[...'Date,£'].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])]);
    expect(decodeHead(utf16)).toBe('Date,£');
    expect(decodeHead(new Uint8Array([0x41, 0x2c, 0xa3, 0x31]))).toBe('A,£1');
    expect(decodeHead(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('A');
  });
});
