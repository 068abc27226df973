import QRCode from 'qrcode';

export interface QrPath {
  /** Modules per side, quiet zone included (the SVG viewBox is size × size). */
  readonly size: number;
  /** An SVG path drawing every dark module as a 1×1 square, offset by the quiet zone. */
  readonly d: string;
}

/**
 * Encodes text as a QR code on this device (no network, no image service) and returns it as one SVG
 * path, so the template renders it without v-html or a data: URL. `margin` is the quiet zone in modules.
 */
export function qrPath(text: string, margin = 4): QrPath {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const parts: string[] = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (modules.get(row, col)) parts.push(`M${col + margin} ${row + margin}h1v1h-1z`);
    }
  }
  return { size: n + 2 * margin, d: parts.join('') };
}
