// Writes the PWA icons (client/public/icons/*.png) with nothing but node:zlib: a gold coin with an "M"
// on a dark ground. Run once after changing the design: `node client/scripts/make-icons.mjs`.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../public/icons/', import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function segDist(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

const GROUND = [17, 24, 39];
const GOLD = [234, 179, 8];
const GOLD_EDGE = [161, 98, 7];
const INK = [17, 24, 39];
// The "M", in units of the coin radius around its centre.
const M = [[-0.45, 0.42, -0.45, -0.4], [-0.45, -0.4, 0, 0.15], [0, 0.15, 0.45, -0.4], [0.45, -0.4, 0.45, 0.42]];

/** Colour at a point in unit space (0..1). `coin` is the coin radius; `rounded` gives a rounded-square ground. */
function shade(u, v, coin, rounded) {
  const cx = u - 0.5, cy = v - 0.5;
  if (rounded) {
    const r = 0.18, e = 0.5 - r;
    const qx = Math.max(Math.abs(cx) - e, 0), qy = Math.max(Math.abs(cy) - e, 0);
    if (Math.hypot(qx, qy) > r) return [0, 0, 0, 0];
  }
  const d = Math.hypot(cx, cy);
  if (d > coin) return [...GROUND, 255];
  const lx = cx / coin, ly = cy / coin;
  if (M.some(([ax, ay, bx, by]) => segDist(lx, ly, ax, ay, bx, by) < 0.1)) return [...INK, 255];
  if (d > coin * 0.9) return [...GOLD_EDGE, 255];
  return [...GOLD, 255];
}

function render(size, coin, rounded) {
  const S = 4; // supersampling
  return png(size, (x, y) => {
    const acc = [0, 0, 0, 0];
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) {
      const c = shade((x + (i + 0.5) / S) / size, (y + (j + 0.5) / S) / size, coin, rounded);
      acc[0] += c[0] * c[3]; acc[1] += c[1] * c[3]; acc[2] += c[2] * c[3]; acc[3] += c[3];
    }
    const a = acc[3] / (S * S);
    return a === 0 ? [0, 0, 0, 0] : [Math.round(acc[0] / acc[3]), Math.round(acc[1] / acc[3]), Math.round(acc[2] / acc[3]), Math.round(a)];
  });
}

// "any" icons: rounded square, large coin. Maskable: full-bleed ground, coin inside the 80 % safe circle.
writeFileSync(`${OUT}icon-192.png`, render(192, 0.4, true));
writeFileSync(`${OUT}icon-512.png`, render(512, 0.4, true));
writeFileSync(`${OUT}maskable-512.png`, render(512, 0.3, false));
writeFileSync(`${OUT}apple-touch-icon-180.png`, render(180, 0.34, false));
console.log('icons written to', OUT);
