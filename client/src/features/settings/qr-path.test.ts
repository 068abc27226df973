import { describe, expect, it } from 'vitest';
import { qrPath } from './qr-path.ts';

/** The dark modules drawn by the path, as "col,row" in module coordinates. */
function darkCells(d: string): Set<string> {
  const cells = new Set<string>();
  for (const m of d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) cells.add(`${m[1]},${m[2]}`);
  return cells;
}

describe('qrPath', () => {
  const uri = 'otpauth://totp/MyMidas:owner%40example.org?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&period=30&digits=6&algorithm=SHA1&issuer=MyMidas';

  it('draws a version ≥ 2 code with a quiet zone and the three finder patterns', () => {
    const { size, d } = qrPath(uri, 4);
    const modules = size - 8;
    expect((modules - 17) % 4).toBe(0); // QR sizes are 17 + 4 × version
    expect(modules).toBeGreaterThanOrEqual(25);
    const dark = darkCells(d);
    expect(d).toMatch(/^(M\d+ \d+h1v1h-1z)+$/);
    // Nothing is drawn in the quiet zone.
    for (const cell of dark) {
      const [c, r] = cell.split(',').map(Number) as [number, number];
      expect(c >= 4 && r >= 4 && c < size - 4 && r < size - 4).toBe(true);
    }
    // Finder pattern: a dark 7×7 ring, a light ring inside it, a dark 3×3 centre — at three corners.
    for (const [x0, y0] of [[4, 4], [4 + modules - 7, 4], [4, 4 + modules - 7]] as const) {
      for (let i = 0; i < 7; i++) {
        for (let j = 0; j < 7; j++) {
          const ring = Math.max(Math.abs(i - 3), Math.abs(j - 3));
          expect(dark.has(`${x0 + i},${y0 + j}`), `finder at ${x0},${y0} cell ${i},${j}`).toBe(ring !== 2);
        }
      }
    }
  });

  it('is deterministic and depends on the text', () => {
    expect(qrPath(uri).d).toBe(qrPath(uri).d);
    expect(qrPath(uri).d).not.toBe(qrPath(uri.replace('JBSW', 'KBSW')).d);
  });
});
